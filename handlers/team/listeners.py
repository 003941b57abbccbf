"""Listeners for `/team` and the onboarding DM: parse, one domain operation, render."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import blocks as bk
from bot.kit.format import mention
from bot.kit.i18n import t
from handlers.middleware import known_members, scope
from handlers.replies import refusal
from handlers.team import render
from handlers.team.syntax import TeamCommand, TeamSyntaxError, parse_team_command
from storage import team
from storage.authority import require_manager
from storage.db import Database
from storage.errors import UserError
from storage.events import mark_event_processed
from storage.models import Member, Workspace, utcnow
from storage.workspaces import Profile, members_by_user_id, save_member

log = logging.getLogger(__name__)


async def member_for(client: AsyncWebClient, db: Database, workspace: Workspace, user_id: str) -> Member:
    found = (await known_members(client, db, workspace.id, [user_id]))[user_id]
    if found is None:
        raise team.TeamError("team.error.unknown_user", user=user_id)
    return found


def post_key(trigger_id: str) -> str:
    """A retried `/team post` (same trigger) posts once; hashed to fit processed_events.event_id."""
    return "team-post:" + hashlib.sha256(trigger_id.encode()).hexdigest()[:40]


# --- /team ---------------------------------------------------------------------------------------


async def team_command(
    ack: AsyncAck,
    body: dict[str, Any],
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        parsed = parse_team_command(command.get("text", ""))
    except TeamSyntaxError as error:
        await ack(text=f"{refusal(locale, error)}\n\n{t(locale, 'team.usage')}")
        return

    if parsed.verb == "help":
        await ack(text=t(locale, "team.usage"))
    elif parsed.verb == "roster":
        await add_workspace_members(client, db, workspace)
        async with db.session() as session:
            members = await team.roster(session, workspace.id)
        text, blocks = render.roster(members, locale, link=True)
        await ack(text=text, blocks=blocks)
    elif parsed.verb == "post":
        await post_roster(ack, command, db, workspace, member, client, respond)
    elif parsed.verb == "load":
        async with db.session() as session:
            loads = await team.workload(session, workspace, utcnow())
        text, blocks = render.workload(loads, locale)
        await ack(text=text, blocks=blocks)
    elif parsed.verb == "card":
        try:
            target = await member_for(client, db, workspace, parsed.user_id or "")
        except UserError as error:
            await ack(text=refusal(locale, error))
            return
        text, blocks = render.card(target, locale)
        await ack(text=text, blocks=blocks)
    else:
        try:
            answer = await change(parsed, db, workspace, member, client)
        except UserError as error:
            await ack(text=refusal(locale, error))
            return
        await ack(text=answer)


MAX_MEMBER_PAGES = 5  # users.list pages of 200: the roster answers within Slack's 3 s for ~1,000 people
SLACKBOT = "USLACKBOT"  # in users.list, but no one's teammate


async def add_workspace_members(client: AsyncWebClient, db: Database, workspace: Workspace) -> None:
    """The workspace's people from users.list, saved if not known yet: the roster lists the whole team,
    not only those who have used the bot. A refusal from Slack leaves the roster as it is."""
    people: list[dict[str, Any]] = []
    cursor = None
    try:
        for _page in range(MAX_MEMBER_PAGES):
            answer = await client.users_list(limit=200, cursor=cursor, include_locale=True)
            people += answer.get("members") or []
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
    except SlackApiError as exc:
        log.info("users.list failed: %s", exc.response.get("error"))
    wanted = {p["id"]: p for p in people if p.get("id") and p["id"] != SLACKBOT and not p.get("is_bot")}
    if not wanted:
        return
    async with db.session() as session:
        known = await members_by_user_id(session, workspace.id, list(wanted))
        for user_id in wanted.keys() - known.keys():
            await save_member(session, workspace.id, user_id, Profile.from_users_info(wanted[user_id]))


async def post_roster(
    ack: AsyncAck,
    command: dict[str, Any],
    db: Database,
    workspace: Workspace,
    member: Member,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """Post the roster where the command was typed, in the workspace's language, naming nobody with @."""
    async with db.session() as session:
        first = await mark_event_processed(
            session, post_key(command["trigger_id"]), workspace.team_id, "team_post"
        )
        members = await team.roster(session, workspace.id)
    await ack()
    if not first:
        return
    text, blocks = render.roster(members, workspace.locale, link=False)
    try:
        await client.chat_postMessage(channel=command["channel_id"], text=text, blocks=blocks)
    except SlackApiError as exc:
        error = team.TeamError("team.error.post_failed", error=exc.response.get("error", "error"))
        await respond(text=refusal(member.locale, error), response_type="ephemeral", replace_original=False)


async def change(
    parsed: TeamCommand, db: Database, workspace: Workspace, member: Member, client: AsyncWebClient
) -> str:
    """`/team role|duties|title @someone …`: one change, answered in the changer's language."""
    locale = member.locale
    require_manager(member)  # before looking anyone up: a refusal writes nothing, not even a member row
    target = await member_for(client, db, workspace, parsed.user_id or "")
    user = mention(target)
    async with db.session() as session:
        if parsed.verb == "role":
            target, changed = await team.set_role(
                session, workspace.id, member, target.id, parsed.value or ""
            )
            key = "team.role_set" if changed else "team.role_unchanged"
            return t(locale, key, user=user, role=render.role_label(target.role, locale))
        if parsed.verb == "duties":
            target, _ = await team.set_duties(session, workspace.id, member, target.id, parsed.value or "")
            if not target.duties:
                return t(locale, "team.duties_cleared", user=user)
            return t(locale, "team.duties_set", user=user, duties=bk.escape(target.duties))
        target, _ = await team.set_title(session, workspace.id, member, target.id, parsed.value)
        if not target.title:
            return t(locale, "team.title_cleared", user=user)
        return t(locale, "team.title_set", user=user, title=bk.escape(target.title))


# --- onboarding ----------------------------------------------------------------------------------


async def member_joined_channel(
    ack: AsyncAck,
    body: dict[str, Any],
    event: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """Welcome whoever joins the team channel with one DM, once per member ever.

    The event's `user` is the joiner (the inviter may be someone else). Rejoins and Slack's
    retries find the claim on the member row already taken.
    """
    db, workspace, _member = scope(context)
    team_channel = workspace.channel("team")
    user_id = event.get("user")
    if not team_channel or event.get("channel") != team_channel or not isinstance(user_id, str):
        return
    joiner = (await known_members(client, db, workspace.id, [user_id]))[user_id]
    if joiner is None or joiner.is_bot or joiner.deleted:
        return
    async with db.session() as session:
        if not await team.claim_onboarding(session, workspace.id, joiner.id):
            return
    text, blocks = render.welcome(joiner, joiner.locale or workspace.locale)
    try:
        await client.chat_postMessage(channel=joiner.slack_user_id, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.warning("could not send the welcome DM: %s", exc.response.get("error"))
        async with db.session() as session:
            await team.release_onboarding(session, workspace.id, joiner.id)
