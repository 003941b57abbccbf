"""Listeners for `/standup`, the setup modal, the Answer button and the answer modal."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit import blocks as bk
from bot.kit.format import plural
from bot.kit.i18n import field_error, t
from bot.kit.views import standup_delivery as delivery
from bot.kit.views import standups as render
from handlers.middleware import known_members, scope
from handlers.replies import not_allowed, refusal, tell_user
from handlers.standups.syntax import (
    FormErrors,
    StandupCommand,
    StandupSyntaxError,
    no_blockers,
    parse_standup_command,
    read_answers,
    read_setup,
)
from storage import calendar, standups
from storage.authority import MANAGERS_ONLY, require_manager
from storage.db import Database
from storage.errors import UserError
from storage.jobruns import claim_run, finish_run
from storage.models import Member, Workspace, utcnow
from storage.periods import member_zone

log = logging.getLogger(__name__)

NOW_CLAIM = "standup-now"  # one `/standup now` per trigger id, however often Slack retries it


def today_for(member: Member, workspace: Workspace) -> dt.date:
    """The member's today: in their own zone, else the workspace's."""
    return standups.today_in(member_zone(member, workspace), utcnow())


def workspace_today(workspace: Workspace) -> dt.date:
    return standups.today_in(workspace.timezone, utcnow())


def id_of(value: str | None) -> int:
    return int(value) if value and value.isascii() and value.isdigit() and int(value) < 2**31 else 0


def modal_errors(locale: str | None, errors: FormErrors) -> dict[str, str]:
    """Field errors in a form's words (plain text: nothing to escape)."""
    return {block: field_error(locale, key, **params) for block, (key, params) in errors.errors.items()}


def form_error(locale: str | None, error: UserError) -> str:
    return field_error(locale, error.key, **error.params)


# --- /standup ------------------------------------------------------------------------------------


async def standup_command(
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
        parsed = parse_standup_command(command.get("text", ""))
    except StandupSyntaxError as error:
        await ack(text=f"{refusal(locale, error)}\n\n{render.usage(locale)}")
        return
    if parsed.verb == "help":
        await ack(text=render.usage(locale))
    elif parsed.verb == "setup":
        if refused := not_allowed(locale, require_manager, member):
            await ack(text=refused)
            return
        await ack()
        await client.views_open(
            trigger_id=command["trigger_id"],
            view=render.setup_modal(workspace, locale, command.get("channel_id")),
        )
    elif parsed.verb == "now":
        await ask_now(ack, db, workspace, member, client, respond, parsed, command)
    else:
        try:
            text = await simple_verb(db, workspace, member, parsed)
        except UserError as error:
            await ack(text=refusal(locale, error))
            return
        await ack(text=text)


async def simple_verb(db: Database, workspace: Workspace, member: Member, parsed: StandupCommand) -> str:
    """The verbs answered in the reply: list, skip, remove, holidays and ooo."""
    locale = member.locale
    async with db.session() as session:
        if parsed.verb == "list":
            chosen = await standups.list_standups(session, workspace.id)
            people = await standups.participants_of(session, [s.id for s in chosen])
            counts = {i: len(p) for i, p in people.items()}
            return render.standup_list(chosen, counts, workspace, locale)
        if parsed.verb == "skip":
            skipped = await standups.skip_next(session, workspace.id, member)
            return t(locale, "standups.skip.done", names=", ".join(f"*{bk.escape(s.name)}*" for s in skipped))
        if parsed.verb == "remove":
            stopped = await standups.stop_standup(session, workspace.id, member, parsed.standup_id)
            return t(locale, "standups.removed", name=bk.escape(stopped.name))
        if parsed.verb == "holidays":
            return await holidays_verb(session, workspace, member, parsed)
        return await ooo_verb(session, workspace, member, parsed)


async def holidays_verb(
    session: AsyncSession, workspace: Workspace, member: Member, parsed: StandupCommand
) -> str:
    locale = member.locale
    today = workspace_today(workspace)
    if parsed.sub == "add":
        assert parsed.day is not None
        _, created = await calendar.add_holiday(session, workspace.id, member, parsed.day, parsed.name, today)
        key = "standups.holidays.added" if created else "standups.holidays.already"
        return t(locale, key, date=parsed.day.isoformat())
    if parsed.sub == "remove":
        assert parsed.day is not None
        await calendar.remove_holiday(session, workspace.id, member, parsed.day)
        return t(locale, "standups.holidays.removed", date=parsed.day.isoformat())
    return render.holiday_list(await calendar.holidays_from(session, workspace.id, today), locale)


async def ooo_verb(
    session: AsyncSession, workspace: Workspace, member: Member, parsed: StandupCommand
) -> str:
    locale = member.locale
    if parsed.sub == "show":
        return render.out_of_office(member, locale)
    today = today_for(member, workspace)
    fresh = await calendar.set_out_of_office(session, workspace.id, member, parsed.day, parsed.until, today)
    if parsed.sub == "clear":
        return t(locale, "standups.ooo.cleared")
    assert fresh.ooo_from is not None and fresh.ooo_until is not None
    return t(locale, "standups.ooo.set", start=fresh.ooo_from.isoformat(), end=fresh.ooo_until.isoformat())


async def ask_now(
    ack: AsyncAck,
    db: Database,
    workspace: Workspace,
    member: Member,
    client: AsyncWebClient,
    respond: AsyncRespond,
    parsed: StandupCommand,
    command: dict[str, Any],
) -> None:
    """`/standup now`: prompt this channel's standups (or all) right away, once per invocation."""
    locale = member.locale
    if refused := not_allowed(locale, require_manager, member):
        await ack(text=refused)
        return
    channel = None if parsed.sub == "all" else command.get("channel_id") or ""
    invocation = hashlib.sha256(command["trigger_id"].encode()).hexdigest()[:48]
    async with db.session() as session:
        chosen = await standups.list_standups(session, workspace.id, channel)
        claim = (
            await claim_run(session, NOW_CLAIM, workspace.id, invocation, member.slack_user_id)
            if chosen
            else None
        )
    if not chosen:
        await ack(text=t(locale, "standups.now.none_here"))
        return
    if claim is None:
        await ack(text=t(locale, "standups.now.already"))
        return
    await ack(
        text=t(locale, "standups.now.started", names=", ".join(f"*{bk.escape(s.name)}*" for s in chosen))
    )
    try:
        sent = await delivery.prompt_now(client, db, workspace, chosen, utcnow())
    finally:
        async with db.session() as session:
            await finish_run(session, claim, member.slack_user_id)
    await respond(
        text=plural(locale, "standups.now.done", sent), response_type="ephemeral", replace_original=False
    )


# --- the setup modal -----------------------------------------------------------------------------

# Which input a refusal from the domain is shown under.
SETUP_FIELD_OF_ERROR = {
    MANAGERS_ONLY: "name",
    "standups.error.too_many_standups": "name",
    "standups.error.name_too_long": "name",
    "standups.error.channel_missing": "channel",
    "standups.error.too_few_questions": "questions",
    "standups.error.days_missing": "days",
    "standups.error.bad_time": "time",
}


async def submit_setup(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    form, errors = read_setup(view["state"]["values"])
    if form is None:
        await ack(response_action="errors", errors=modal_errors(locale, errors))
        return
    found = await known_members(client, db, workspace.id, list(form.user_ids))
    unknown = [user_id for user_id, person in found.items() if person is None]
    try:
        if unknown:
            raise standups.StandupError("standups.error.unknown_user", user=unknown[0])
        spec = standups.StandupSpec(
            name=form.name or t(locale, "standups.default_name"),
            channel_id=form.channel_id,
            questions=form.questions,
            weekdays=form.weekdays,
            at=form.at,
            member_zones=form.member_zones,
        )
        async with db.session() as session:
            # One standup per view: a double-clicked Start submits the same view id twice.
            standup, created = await standups.create_standup(
                session, workspace.id, member, spec, [p for p in found.values() if p is not None],
                source_key=f"view:{view['id']}", now=utcnow(),
            )  # fmt: skip
    except UserError as error:
        block = SETUP_FIELD_OF_ERROR.get(error.key, "participants")
        await ack(response_action="errors", errors={block: form_error(locale, error)})
        return
    await ack()
    channel = json.loads(view.get("private_metadata") or "{}").get("channel")
    if created:
        note = plural(
            locale,
            "standups.setup.done",
            len(form.user_ids),
            name=bk.escape(standup.name),
            schedule=render.schedule_text(standup, workspace, locale),
            channel=standup.channel_id,
        )
    else:
        note = t(locale, "standups.setup.already")
    await tell_user(client, member, channel, note, None)


# --- answering -----------------------------------------------------------------------------------


async def answer_button(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """Open the answer modal: the answer given, or what the rep logged since their last answer."""
    db, workspace, member = scope(context)
    locale = member.locale
    await ack()
    now = utcnow()
    try:
        async with db.session() as session:
            run, standup = await standups.run_for_answering(
                session, workspace.id, id_of(action.get("value")), member
            )
            existing = await standups.answer_of(session, run.id, member.id)
            since, entries = None, []
            if existing is None:
                since = await standups.prefill_since(session, workspace, standup, run, member, now)
                entries = await standups.logged_since(session, workspace.id, member.id, since)
    except UserError as error:
        await respond(text=refusal(locale, error), response_type="ephemeral", replace_original=False)
        return
    view = render.answer_modal(
        standup,
        run,
        locale,
        answers=list(existing.answers) if existing else None,
        blockers=existing.blockers if existing else "",
        prefill=render.prefill_text(entries, locale),
        since=since,
    )
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def submit_answer(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    run_id = id_of(str(json.loads(view.get("private_metadata") or "{}").get("run") or ""))
    values = view["state"]["values"]
    try:
        async with db.session() as session:
            _, standup = await standups.run_for_answering(session, workspace.id, run_id, member)
    except UserError as error:
        await ack(response_action="errors", errors={"blockers": form_error(locale, error)})
        return
    answers, blockers, errors = read_answers(values, len(standup.questions))
    if errors:
        await ack(response_action="errors", errors=modal_errors(locale, errors))
        return
    try:
        async with db.session() as session:
            saved = await standups.save_answer(
                session,
                workspace.id,
                run_id,
                member,
                answers,
                "" if no_blockers(blockers) else blockers,
                utcnow(),
            )
    except UserError as error:
        await ack(response_action="errors", errors={"blockers": form_error(locale, error)})
        return
    await ack()
    await delivery.mark_answered(client, workspace, member, saved)
    if saved.run.summary_ts:  # after the summary: it is drawn again with this answer, marked late
        await delivery.refresh_summary(client, db, workspace, saved.run.id)
