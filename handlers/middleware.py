"""Global middleware: drop repeated event deliveries, and know the workspace and member of every request."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings
from storage.db import Database
from storage.events import mark_event_processed
from storage.models import Member, Workspace
from storage.workspaces import Profile, WorkspaceDefaults, ensure_workspace, get_member, save_member

log = logging.getLogger(__name__)


def scope(context: AsyncBoltContext) -> tuple[Database, Workspace, Member]:
    """What `load_workspace_and_member` put in the context: the database, workspace and member."""
    return context["db"], context["workspace"], context["member"]


async def fetch_profile(client: AsyncWebClient, user_id: str) -> Profile | None:
    try:
        response = await client.users_info(user=user_id, include_locale=True)
    except SlackApiError as exc:
        log.warning("users.info failed for a member: %s", exc.response.get("error"))
        return None
    return Profile.from_users_info(response["user"])


async def known_members(
    client: AsyncWebClient, db: Database, workspace_id: int, user_ids: list[str]
) -> dict[str, Member | None]:
    """Members for Slack user ids, looked up once with users.info when first seen; None if Slack knows no such user."""
    found: dict[str, Member | None] = {}
    async with db.session() as session:
        for user_id in user_ids:
            found[user_id] = await get_member(session, workspace_id, user_id)
    for user_id, member in found.items():
        if member is None:
            profile = await fetch_profile(client, user_id)
            if profile is not None:
                async with db.session() as session:
                    found[user_id] = await save_member(session, workspace_id, user_id, profile)
    return found


def register(app: AsyncApp, db: Database, settings: Settings) -> None:
    defaults = WorkspaceDefaults(timezone=settings.dealbell_timezone, currency=settings.dealbell_currency)

    async def skip_repeated_events(
        body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        """Slack re-sends an event it thinks failed (X-Slack-Retry-Num); apply each event_id once."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            async with db.session() as session:
                first_time = await mark_event_processed(
                    session, event_id, body.get("team_id", ""), (body.get("event") or {}).get("type", "")
                )
            if not first_time:
                return BoltResponse(status=200, body="")
        await next()
        return None

    async def load_workspace_and_member(
        context: AsyncBoltContext, client: AsyncWebClient, next: Callable[[], Awaitable[None]]
    ) -> None:
        """Put `db`, `workspace` and `member` in the context; create them on first sight.

        users.info is called only for a member never seen before; the daily refresh job keeps
        profiles current, so ordinary requests cost one indexed lookup and no Slack call.
        """
        context["db"] = db
        context["settings"] = settings
        context["installation_store"] = app.installation_store  # None with one bot token
        team_id = context.team_id
        if team_id:
            async with db.session() as session:
                workspace = await ensure_workspace(session, team_id, context.enterprise_id, defaults)
                member = await get_member(session, workspace.id, context.user_id) if context.user_id else None
            context["workspace"] = workspace
            if context.user_id and member is None:
                profile = await fetch_profile(client, context.user_id) or Profile()
                async with db.session() as session:
                    member = await save_member(session, workspace.id, context.user_id, profile)
            context["member"] = member
        await next()

    app.use(skip_repeated_events)
    app.use(load_workspace_and_member)
