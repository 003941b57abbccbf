"""`/dealbell help` lists every command Slack knows of the app: those manifest.yml registers (issue 16, item 7)."""

from __future__ import annotations

import pytest
import yaml

from tests.fake_slack import MANIFEST

ONCE_MISSING = ("/standup", "/leaderboard", "/reward", "/goal", "/scorecard", "/contest")


def manifest_commands() -> list[str]:
    return [entry["command"] for entry in yaml.safe_load(MANIFEST.read_text())["features"]["slash_commands"]]


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
async def test_help_lists_exactly_the_manifests_commands_in_both_languages(app, locale):
    app.fake.add_user("U0007", locale=locale)
    reply = await app.send.command("/dealbell", "help", user="U0007")
    listed = [line.split("`")[1] for line in reply.text.splitlines() if line.startswith("• `/")]
    assert sorted(listed) == sorted(manifest_commands())
    assert set(ONCE_MISSING) <= set(listed)
    summaries = [line.split("`", 2)[2].strip() for line in reply.text.splitlines() if line.startswith("• `/")]
    assert all(summaries), reply.text  # each command says what it does
