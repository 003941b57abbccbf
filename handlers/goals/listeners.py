"""Listeners for `/goal` and `/scorecard`: parse, one domain operation, render, answer ephemerally."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit.delivery import upload_to_dm
from bot.kit.i18n import t
from handlers.goals import render
from handlers.goals.syntax import GoalCommand, GoalSyntaxError, parse_goal_command, parse_scorecard_command
from handlers.middleware import known_members, scope
from handlers.replies import refusal
from storage import goals, scorecards
from storage.authority import require_manager, require_sight_of_others
from storage.db import Database
from storage.errors import UserError
from storage.models import Member, Workspace, utcnow


async def member_for(client: AsyncWebClient, db: Database, workspace: Workspace, user_id: str) -> Member:
    found = (await known_members(client, db, workspace.id, [user_id])).get(user_id)
    if found is None:
        raise goals.GoalError("goals.error.unknown_user", user=user_id)
    if found.is_bot:
        raise goals.GoalError("goals.error.bot", user=user_id)
    if found.deleted:
        raise goals.GoalError("goals.error.deleted", user=user_id)
    return found


# --- /goal ---------------------------------------------------------------------------------------


async def goal_command(
    ack: AsyncAck,
    body: dict[str, Any],
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        parsed = parse_goal_command(command.get("text", ""), workspace.currency)
    except GoalSyntaxError as error:
        await ack(text=f"{refusal(locale, error)}\n\n{render.usage(locale)}")
        return
    if parsed.verb == "help":
        await ack(text=render.usage(locale))
        return
    try:
        if parsed.verb == "set":
            await ack(text=await set_goal(client, db, workspace, member, parsed))
            return
        subject = member
        if parsed.user_id and parsed.user_id != member.slack_user_id:
            require_sight_of_others(member)
            subject = await member_for(client, db, workspace, parsed.user_id)
    except UserError as error:
        await ack(text=refusal(locale, error))
        return
    async with db.session() as session:
        rows = await goals.goal_attainment(session, workspace, utcnow(), member_ids=[subject.id])
    text, blocks = render.goals(rows, subject.slack_user_id, subject.id == member.id, locale)
    await ack(text=text, blocks=blocks)


async def set_goal(
    client: AsyncWebClient, db: Database, workspace: Workspace, member: Member, parsed: GoalCommand
) -> str:
    require_manager(member)  # before any lookup: a refusal writes nothing, not even a member row
    target = await member_for(client, db, workspace, parsed.user_id) if parsed.user_id else None
    async with db.session() as session:
        goal, replaced = await goals.set_goal(
            session, workspace, member, member=target, metric=parsed.metric, target=parsed.target,
            currency=parsed.currency, period_kind=parsed.period, now=utcnow(),
        )  # fmt: skip
    return render.goal_set_note(
        parsed.user_id, goal.metric, goal.target, goal.currency, goal.period_kind, replaced, member.locale
    )


# --- /scorecard ----------------------------------------------------------------------------------


async def scorecard_command(
    ack: AsyncAck,
    body: dict[str, Any],
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        parsed = parse_scorecard_command(command.get("text", ""))
    except GoalSyntaxError as error:
        await ack(text=f"{refusal(locale, error)}\n\n{render.usage(locale)}")
        return
    if parsed.verb == "help":
        await ack(text=render.usage(locale))
        return
    now = utcnow()
    try:
        if parsed.verb == "team":
            require_sight_of_others(member)
            await team_scorecard(ack, client, db, workspace, member, parsed.period)
            return
        subject = member
        if parsed.user_id and parsed.user_id != member.slack_user_id:
            require_sight_of_others(member)
            subject = await member_for(client, db, workspace, parsed.user_id)
    except UserError as error:
        await ack(text=refusal(locale, error))
        return
    async with db.session() as session:
        card = await scorecards.scorecard(session, workspace, subject, parsed.period, now)
    text, blocks = render.scorecard(card, workspace.currency, locale)
    await ack(text=text, blocks=blocks)


async def team_scorecard(
    ack: AsyncAck, client: AsyncWebClient, db: Database, workspace: Workspace, member: Member, kind: str
) -> None:
    """The ranked team scorecard as an answer, then (managers only get here) the whole table as a CSV in
    their DM: the message shows the first reps, the file has everyone."""
    now, locale, currency = utcnow(), member.locale, workspace.currency
    async with db.session() as session:
        reps = await scorecards.scored_members(session, workspace.id)
        cards = scorecards.ranked(await scorecards.scorecards(session, workspace, reps, kind, now), currency)
    period = goals.current_period(kind, now, workspace)
    text, blocks = render.team_scorecards(cards, period.kind, period.key, currency, locale)
    await ack(text=text, blocks=blocks)
    if not cards:
        return
    labels = {"period": t(locale, f"goals.period.{period.kind}"), "code": period.key}
    await upload_to_dm(
        client,
        member.slack_user_id,
        scorecards.team_csv(cards, currency),
        filename=f"dealbell-scorecards-{period.key}.csv",
        title=t(locale, "goals.scorecard.file.title", **labels),
        comment=t(locale, "goals.scorecard.file.comment", **labels),
    )
