"""Publishing the App Home: when it is opened, after each of the user's own actions, and Redeem."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import blocks as bk
from bot.kit import delivery
from bot.kit.i18n import t
from bot.kit.views import home as views
from bot.kit.views import rewards as reward_views
from handlers.errors import AFTER_LISTENER
from handlers.middleware import scope
from handlers.replies import refusal, tell_user
from storage import home, rewards
from storage.db import Database
from storage.errors import UserError
from storage.models import Member, Workspace, utcnow
from storage.workspaces import get_workspace_by_id, managers

log = logging.getLogger(__name__)


async def publish(client: AsyncWebClient, db: Database, workspace: Workspace, member: Member) -> None:
    """Build the member's Home from fresh rows (the language may just have changed) and publish it."""
    now = utcnow()
    async with db.session() as session:
        fresh_member = await home.get_member_by_id(session, workspace.id, member.id)
        fresh_workspace = await get_workspace_by_id(session, workspace.id)
        if fresh_member is None or fresh_workspace is None:
            return
        data = await home.member_home(session, fresh_workspace, fresh_member, now)
    view = views.home_view(data, fresh_member, fresh_member.locale)
    await client.views_publish(user_id=fresh_member.slack_user_id, view=view)


async def home_opened(
    ack: AsyncAck,
    body: dict[str, Any],
    event: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    if event.get("tab", "home") != "home" or context.get("member") is None:
        return
    db, workspace, member = scope(context)
    async with db.session() as session:
        await home.mark_home_opened(session, workspace.id, member.id, utcnow())
    await publish(client, db, workspace, member)


async def redeem_clicked(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """Redeem from the Home: the button names the item; a double click on one rendering redeems once."""
    db, workspace, member = scope(context)
    locale = member.locale
    await ack()
    view = body.get("view") or {}
    item_id = action.get("value", "")
    rendering = f"{view.get('id')}:{view.get('hash')}" if view.get("id") else body.get("trigger_id", "")
    by_id = item_id.isascii() and item_id.isdigit() and int(item_id) < 2**31
    target = item_id if by_id else "#0"  # by id only; a forged value finds nothing
    try:
        async with db.session() as session:
            result = await rewards.redeem(
                session,
                workspace,
                member,
                target,
                source_key=f"home:{rendering}:{item_id}"[:200],
                now=utcnow(),
            )
    except UserError as error:
        await tell_user(client, member, None, refusal(locale, error), None)
        return
    name = bk.escape(result.item.name)
    if not result.created:
        await tell_user(client, member, None, t(locale, "rewards.redeem.already", item=name), None)
        return
    note = reward_views.redeem_requested(locale, name, result.item.cost, result.balance)
    await tell_user(client, member, None, note, None)
    async with db.session() as session:
        deciders = await managers(session, workspace.id)
    card = partial(reward_views.redemption_card, result.redemption, result.item, member)
    await delivery.dm_each(client, deciders, lambda manager: card(manager.locale), what="redemption request")


async def order_clicked(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
) -> None:
    """A manager's toggle: which section comes first. The Home is re-published by the refresh below."""
    db, workspace, member = scope(context)
    await ack()
    choice = action.get("value")
    if choice not in ("personal", "team"):
        return  # not a value this Home rendered
    async with db.session() as session:
        await home.set_home_order(session, workspace.id, member.id, personal_first=choice == "personal")


# --- refresh after the user's own actions ---------------------------------------------------------


async def refresh_home(body: dict[str, Any], context: AsyncBoltContext) -> None:
    """Re-publish the Home of the user a listener just served, if they use the Home at all."""
    member: Member | None = context.get("member")
    workspace: Workspace | None = context.get("workspace")
    if member is None or workspace is None or member.home_opened_at is None or context.get("db") is None:
        return
    event = (body.get("event") or {}) if body.get("type") == "event_callback" else {}
    if event.get("type") == "app_home_opened":
        return  # published by its own listener
    if event and event.get("user") != member.slack_user_id:
        return  # events by someone else are not "the user's own actions"
    try:
        await publish(context.client, context["db"], workspace, member)
    except SlackApiError as exc:
        log.info("App Home refresh failed: %s", exc.response.get("error"))


async def refresh_after_listeners(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
    """Middleware: every guarded listener refreshes its user's Home once its work is done."""
    context[AFTER_LISTENER] = refresh_home
    await next()
