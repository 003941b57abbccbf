"""Shared by the job tests: a workspace with known members whose Slack profiles have changed."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from storage.db import Database
from storage.models import Workspace
from storage.workspaces import Profile, WorkspaceDefaults, ensure_workspace, save_member
from tests.fake_slack import TEAM_ID, FakeSlack
from tests.jobs.helpers import Seed, environment


@pytest.fixture
def seed(db: Database, fake_slack: FakeSlack) -> Seed:
    """Store a workspace and members with stale profiles; the fake Slack knows their new ones."""

    async def seed(
        user_ids: Sequence[str], timezone: str = "Asia/Shanghai", team_id: str = TEAM_ID
    ) -> Workspace:
        async with db.session() as session:
            workspace = await ensure_workspace(
                session, team_id, defaults=WorkspaceDefaults(timezone=timezone)
            )
            for user_id in user_ids:
                stale = Profile(name=user_id.lower(), real_name="Old Name", timezone="UTC", locale="en-US")
                await save_member(session, workspace.id, user_id, stale)
        for user_id in user_ids:
            fake_slack.add_user(
                user_id, real_name="New Name", tz="Asia/Shanghai", locale="zh-CN", is_admin=True
            )
        return workspace

    return seed


@pytest.fixture
def cli_env(database_url: str, fake_slack: FakeSlack) -> dict[str, str]:
    """The environment of a `dealbell` process against this test's database and fake Slack."""
    return environment(
        SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=fake_slack.api_url, DATABASE_URL=database_url
    )
