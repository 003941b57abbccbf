"""Listeners for `/training`, the session card's buttons and the attendance modal."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import blocks as bk
from bot.kit import delivery
from bot.kit.i18n import t
from handlers.middleware import known_members, scope
from handlers.replies import error_text, refusal, tell_user
from handlers.training import render
from handlers.training.syntax import TrainingCommand, TrainingSyntaxError, parse_training_command
from storage import training as sessions
from storage.db import Database
from storage.errors import UserError
from storage.models import Member, Training, Workspace, utcnow
from storage.periods import member_zone

log = logging.getLogger(__name__)


def training_id_of(value: str) -> int:
    return int(value) if (value or "").isascii() and value.isdigit() and int(value) < 2**31 else 0


def channel_of(body: dict[str, Any]) -> str | None:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


# --- /training -----------------------------------------------------------------------------------


async def training_command(
    ack: AsyncAck,
    body: dict[str, Any],
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    usage = t(locale, "training.usage", zone=member_zone(member, workspace))
    try:
        parsed = parse_training_command(command.get("text", ""))
    except TrainingSyntaxError as error:
        await ack(text=f"{refusal(locale, error)}\n\n{usage}")
        return
    if parsed.verb == "help":
        await ack(text=usage)
    elif parsed.verb == "list":
        await ack(**await session_list(db, workspace, member))
    elif parsed.verb == "attendance":
        await open_attendance(ack, db, workspace, member, client, parsed.training_id, command["trigger_id"],
                              command.get("channel_id"), None)  # fmt: skip
    else:
        await schedule(ack, db, workspace, member, client, parsed, command)


async def session_list(db: Database, workspace: Workspace, member: Member) -> dict[str, Any]:
    now = utcnow()
    async with db.session() as session:
        coming = await sessions.upcoming(session, workspace.id, now)
        answers = await sessions.answers_of(session, member.id, [s.id for s in coming])
        attended = await sessions.attended_by(session, workspace.id, member.id)
    text, blocks = render.session_list(
        coming, answers, attended, member_zone(member, workspace), member.locale
    )
    return {"text": text, "blocks": blocks}


async def schedule(
    ack: AsyncAck,
    db: Database,
    workspace: Workspace,
    member: Member,
    client: AsyncWebClient,
    parsed: TrainingCommand,
    command: dict[str, Any],
) -> None:
    locale = member.locale
    zone = member_zone(member, workspace)
    channel = parsed.channel_id or command.get("channel_id")
    assert parsed.day is not None and parsed.at is not None
    try:
        starts_at = sessions.local_to_utc(parsed.day, parsed.at, zone)
        async with db.session() as session:
            # The trigger id is unique per invocation: a retried request finds the session it made.
            training, created = await sessions.schedule(
                session, workspace.id, member, kind=parsed.kind, title=parsed.title, starts_at=starts_at,
                timezone=zone, channel_id=channel, source_key=f"command:{command['trigger_id']}", now=utcnow(),
            )  # fmt: skip
    except UserError as error:
        await ack(text=refusal(locale, error))
        return
    if not created:
        await ack(text=t(locale, "training.already_scheduled"))
        return
    await ack(
        text=t(
            locale,
            "training.scheduled",
            title=bk.escape(training.title),
            when=render.when(training.starts_at, zone, locale),
            channel=channel,
        )
    )
    await post_card(client, db, workspace, member, training)


# --- the card ------------------------------------------------------------------------------------


async def post_card(
    client: AsyncWebClient, db: Database, workspace: Workspace, organiser: Member, training: Training
) -> None:
    if not training.channel_id:
        return
    text, blocks = render.card(training, [], [], None, workspace.locale)
    posted = await delivery.post_or_tell(
        client,
        training.channel_id,
        text,
        blocks,
        tell=organiser,
        locale=organiser.locale,
        what="training card",
    )
    if posted is None:
        return
    async with db.session() as session:
        await sessions.record_card(session, workspace.id, training.id, posted["channel"], posted["ts"])


async def redraw(client: AsyncWebClient, db: Database, workspace: Workspace, training_id: int) -> None:
    async with db.session() as session:
        training = await sessions.get_training(session, workspace.id, training_id)
        if training is None or not (training.channel_id and training.message_ts):
            return
        going, not_going = await sessions.rsvp_people(session, training.id)
        attended = await sessions.attendees(session, training.id)
    text, blocks = render.card(training, going, not_going, attended, workspace.locale)
    await client.chat_update(channel=training.channel_id, ts=training.message_ts, text=text, blocks=blocks)


async def _answer(
    going: bool,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        async with db.session() as session:
            training, changed = await sessions.rsvp(
                session, workspace.id, training_id_of(action.get("value", "")), member, going, utcnow()
            )
    except UserError as error:
        await respond(text=refusal(locale, error), response_type="ephemeral", replace_original=False)
        return
    if not changed:
        return  # a double click, or the same answer again: nothing to redraw
    key = "training.rsvp.going" if going else "training.rsvp.not_going"
    await respond(
        text=t(locale, key, title=bk.escape(training.title)),
        response_type="ephemeral",
        replace_original=False,
    )
    await redraw(client, db, workspace, training.id)


async def going(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    await ack()
    await _answer(True, body, action, context, client, respond)


async def not_going(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    await ack()
    await _answer(False, body, action, context, client, respond)


# --- attendance ----------------------------------------------------------------------------------


async def open_attendance(
    ack: AsyncAck,
    db: Database,
    workspace: Workspace,
    member: Member,
    client: AsyncWebClient,
    training_id: int,
    trigger_id: str,
    channel_id: str | None,
    respond: AsyncRespond | None,
) -> None:
    """Open the attendance modal for the organiser or a manager, once the session has started."""
    try:
        async with db.session() as session:
            training = sessions.check_attendance(
                await sessions.get_training(session, workspace.id, training_id), member, utcnow()
            )
            going_people, _ = await sessions.rsvp_people(session, training.id)
            attended = (
                await sessions.attendees(session, training.id) if training.attendance_taken_at else None
            )
    except UserError as error:
        if respond is None:
            await ack(text=refusal(member.locale, error))
        else:
            await ack()
            await respond(
                text=refusal(member.locale, error), response_type="ephemeral", replace_original=False
            )
        return
    await ack()
    view = render.attendance_modal(training, going_people, attended, member.locale, channel_id)
    await client.views_open(trigger_id=trigger_id, view=view)


async def attendance_button(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    db, workspace, member = scope(context)
    await open_attendance(ack, db, workspace, member, client, training_id_of(action.get("value", "")),
                          body["trigger_id"], channel_of(body), respond)  # fmt: skip


async def submit_attendance(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """Replace the session's attendance with the people ticked and picked, in one transaction."""
    db, workspace, member = scope(context)
    locale = member.locale
    metadata = json.loads(view.get("private_metadata") or "{}")
    training_id = int(metadata.get("training") or 0)
    user_ids = render.checked_user_ids(view["state"])
    found = await known_members(client, db, workspace.id, user_ids)
    people = [m for m in found.values() if m is not None and not m.is_bot]
    try:
        async with db.session() as session:
            training, count = await sessions.record_attendance(
                session, workspace.id, training_id, member, [m.id for m in people], utcnow()
            )
    except UserError as error:
        await ack(response_action="errors", errors={"others": error_text(locale, error)})
        return
    await ack()
    note = t(locale, "training.attendance.saved", title=bk.escape(training.title), count=count)
    await tell_user(client, member, metadata.get("channel"), note, None)
    await redraw(client, db, workspace, training.id)
