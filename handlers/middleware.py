"""Global middleware: drop repeated event deliveries, and know the workspace and member of every request."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from storage.db import Database
from storage.events import mark_event_processed
from storage.models import Member, Workspace
from storage.workspaces import (
    Profile,
    WorkspaceDefaults,
    ensure_workspace,
    get_member,
    members_by_user_id,
    save_member,
    workspace_and_member,
)

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
    async with db.session() as session:
        known = await members_by_user_id(session, workspace_id, user_ids)
    return await complete_members(client, db, workspace_id, user_ids, known)


async def complete_members(
    client: AsyncWebClient, db: Database, workspace_id: int, user_ids: list[str], known: dict[str, Member]
) -> dict[str, Member | None]:
    """`known` members plus, for the ids not in it, those Slack knows (saved); None for the rest."""
    found: dict[str, Member | None] = {user_id: known.get(user_id) for user_id in user_ids}
    for user_id, member in found.items():
        if member is None:
            profile = await fetch_profile(client, user_id)
            if profile is not None:
                async with db.session() as session:
                    found[user_id] = await save_member(session, workspace_id, user_id, profile)
    return found


def register(app: AsyncApp, db: Database, settings: Settings) -> None:
    defaults = WorkspaceDefaults(timezone=settings.dealbell_timezone, currency=settings.dealbell_currency)

    async def find(
        session: AsyncSession, context: AsyncBoltContext
    ) -> tuple[Workspace | None, Member | None]:
        return await workspace_and_member(
            session, context.team_id or "", context.enterprise_id, context.user_id
        )

    async def create(session: AsyncSession, context: AsyncBoltContext) -> tuple[Workspace, Member | None]:
        """A workspace seen for the first time (another request may be creating it too)."""
        team_id, user_id = context.team_id or "", context.user_id
        workspace = await ensure_workspace(session, team_id, context.enterprise_id, defaults)
        return workspace, await get_member(session, workspace.id, user_id) if user_id else None

    async def find_or_create(
        session: AsyncSession, context: AsyncBoltContext
    ) -> tuple[Workspace, Member | None]:
        """The request's workspace (created on first sight) and member (None if not seen yet)."""
        workspace, member = await find(session, context)
        return (workspace, member) if workspace is not None else await create(session, context)

    async def look_up(context: AsyncBoltContext) -> tuple[Workspace, Member | None]:
        """The same for a request that writes nothing here: one statement, outside any transaction
        (one round trip), and a transaction only to create a workspace seen for the first time."""
        async with db.one_statement() as session:
            workspace, member = await find(session, context)
        if workspace is not None:
            return workspace, member
        async with db.session() as session:
            return await find_or_create(session, context)

    async def load_workspace_and_member(
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        next: Callable[[], Awaitable[None]],
    ) -> BoltResponse | None:
        """Drop repeated event deliveries, and put `db`, `workspace` and `member` in the context,
        creating them on first sight; an event's dedupe row and the lookup in one transaction, any
        other request's lookup as one statement without one.

        Slack re-sends an event it thinks failed (X-Slack-Retry-Num); each event_id is applied once.
        users.info is called only for a member never seen before; the daily refresh job keeps
        profiles current, so ordinary requests cost one indexed lookup and no Slack call.
        """
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        context["db"] = db
        context["settings"] = settings
        context["installation_store"] = app.installation_store  # None with one bot token
        team_id = context.team_id
        if not (event_id or team_id):
            await next()
            return None
        if event_id:
            async with db.session() as session:
                if not await mark_event_processed(
                    session, event_id, body.get("team_id", ""), (body.get("event") or {}).get("type", "")
                ):
                    return BoltResponse(status=200, body="")  # a repeat: acknowledged, not applied again
                found = await find_or_create(session, context) if team_id else None
        else:
            found = await look_up(context)
        if found is not None:
            workspace, member = found
            context["workspace"] = workspace
            # user_change is about someone, not by them: it never makes a member of a stranger
            about_someone = (body.get("event") or {}).get("type") == "user_change"
            if context.user_id and member is None and not about_someone:
                profile = await fetch_profile(client, context.user_id) or Profile()
                async with db.session() as session:
                    member = await save_member(session, workspace.id, context.user_id, profile)
            context["member"] = member
        await next()
        return None

    app.use(load_workspace_and_member)
