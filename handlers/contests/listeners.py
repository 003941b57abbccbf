"""The `/contest` listener: parse, one domain operation, render."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from bot.kit import blocks as bk
from bot.kit.i18n import t
from bot.kit.views import contests as view
from handlers.contests.syntax import ContestCommand, parse_contest_command
from handlers.middleware import scope
from handlers.replies import refusal
from storage import contests
from storage.db import Database
from storage.errors import UserError
from storage.models import Member, Workspace, utcnow
from storage.periods import workspace_zone


async def contest_command(
    ack: AsyncAck, body: dict[str, Any], command: dict[str, Any], context: AsyncBoltContext
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    zone = workspace_zone(workspace)
    try:
        parsed = parse_contest_command(command.get("text", ""))
        if parsed.verb == "help":
            await ack(text=view.usage(zone, locale))
        elif parsed.verb == "new":
            await ack(text=await create(db, workspace, member, parsed, command))
        else:
            text, blocks = await show(db, workspace, parsed, locale)
            await ack(text=text, blocks=blocks)
    except UserError as error:
        await ack(text=refusal(locale, error))


async def create(
    db: Database, workspace: Workspace, member: Member, parsed: ContestCommand, command: dict[str, Any]
) -> str:
    assert parsed.starts_on is not None and parsed.ends_on is not None
    channel = parsed.channel_id or command.get("channel_id")
    async with db.session() as session:
        result = await contests.create_contest(
            session, workspace, member, name=parsed.name, metric=parsed.metric, starts_on=parsed.starts_on,
            ends_on=parsed.ends_on, prize=parsed.prize, team_role=parsed.team_role, channel_id=channel,
            source_key=f"command:{command['trigger_id']}", now=utcnow(),
        )  # fmt: skip
    contest, locale = result.contest, member.locale
    name = bk.escape(contest.name)
    if not result.created:
        return t(locale, "contests.already_created", id=contest.id, name=name)
    return t(
        locale,
        "contests.created",
        id=contest.id,
        name=name,
        start=view.day_text(contest.starts_on, locale),
        end=view.day_text(contest.ends_on, locale),
        channel=contest.channel_id,
    )


async def show(
    db: Database, workspace: Workspace, parsed: ContestCommand, locale: str | None
) -> view.Message:
    now, zone = utcnow(), workspace_zone(workspace)
    async with db.session() as session:
        if parsed.verb == "show":
            contest = await contests.get_contest(session, workspace.id, parsed.contest_id)
            if contest is None:
                raise contests.ContestError("contests.error.not_found", id=parsed.contest_id)
            standings = await contests.standings(session, workspace, contest)
            return view.one(standings, workspace.currency, zone, now, locale)
        shown = await contests.current_contests(session, workspace.id, contests.today_in(workspace, now))
        all_standings = [await contests.standings(session, workspace, contest) for contest in shown]
    return view.overview(all_standings, workspace.currency, zone, now, locale)
