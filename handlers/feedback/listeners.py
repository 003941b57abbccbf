"""Listeners for `/feedback`, its Reply and Give-feedback buttons and their modals.

Anonymity is kept end to end: the receiver's DM, its button value and the reply modal never hold
the anonymous sender's id in the clear (the button carries it encrypted), and nothing about a
sender is logged.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import blocks as bk
from bot.kit.format import people
from bot.kit.i18n import field_error, t
from bot.kit.mentions import named_in, spell_out
from handlers.feedback import render
from handlers.feedback.syntax import (
    MAX_TEXT,
    FeedbackCommand,
    check_text,
    parse_feedback_command,
    verb_of,
)
from handlers.middleware import known_members, scope
from handlers.replies import not_allowed, refusal
from storage import feedback as fb
from storage.authority import require_manager
from storage.errors import UserError
from storage.models import Feedback, Member
from storage.workspaces import get_member

log = logging.getLogger(__name__)


def _secret(context: AsyncBoltContext) -> bytes:
    return context["settings"].secret_key


# --- /feedback -----------------------------------------------------------------------------------


async def feedback_command(
    ack: AsyncAck,
    body: dict[str, Any],
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    text = command.get("text", "")
    usage = t(locale, "feedback.usage", limit=MAX_TEXT)
    verb = verb_of(text)
    if verb == "request" and (refused := not_allowed(locale, require_manager, member)):
        await ack(text=refused)
        return
    try:  # a typed @name is read as the person it names: all of them in a request, else the addressee
        text = await spell_out(db, workspace.id, text, addressee_only=verb != "request")
        parsed = parse_feedback_command(text)
    except UserError as error:
        await ack(text=f"{refusal(locale, error)}\n\n{usage}")
        return
    if parsed.verb == "help":
        await ack(text=usage)
    elif parsed.verb == "request":
        await _request(ack, parsed, command, context, client, respond)
    else:
        await _give(ack, parsed, command, context, client, respond)


async def _give(
    ack: AsyncAck,
    parsed: FeedbackCommand,
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        if parsed.recipient == member.slack_user_id:
            raise fb.FeedbackError("feedback.error.self")  # before asking Slack about anyone
        found = await known_members(client, db, workspace.id, [parsed.recipient])
        receiver = fb.check_receiver(member, found[parsed.recipient], parsed.recipient)
        async with db.session() as session:
            # The trigger id is unique per invocation: a retried command finds the feedback it made.
            feedback, created = await fb.give_feedback(
                session,
                workspace.id,
                sender=member,
                receiver=receiver,
                text=parsed.text,
                anonymous=parsed.anonymous,
                source_key=f"command:{command['trigger_id']}",
                secret=_secret(context),
            )
    except fb.FeedbackError as error:
        await ack(text=refusal(locale, named_in(command.get("text", ""), error)))
        return
    key = "feedback.sent_anonymously" if feedback.anonymous else "feedback.sent"
    await ack(text=t(locale, key, user=receiver.slack_user_id))
    if created and not await deliver(client, context, feedback, sender=member, receiver=receiver):
        await respond(
            text=refusal(
                locale, fb.FeedbackError("feedback.error.not_delivered", user=receiver.slack_user_id)
            ),
            response_type="ephemeral",
            replace_original=False,
        )


async def _request(
    ack: AsyncAck,
    parsed: FeedbackCommand,
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """`/feedback request @rep from @a @b` by a manager: DM each person asked a Give-feedback button."""
    db, workspace, manager = scope(context)
    locale = manager.locale
    try:
        if manager.slack_user_id in parsed.askees:
            raise fb.FeedbackError("feedback.error.askee_is_you")
        found = await known_members(client, db, workspace.id, [parsed.subject, *parsed.askees])
        subject = fb.check_person(found[parsed.subject], parsed.subject)
        askees = [fb.check_person(found[askee], askee) for askee in parsed.askees]
        async with db.session() as session:
            request, created = await fb.create_request(
                session,
                workspace.id,
                manager=manager,
                subject=subject,
                source_key=f"command:{command['trigger_id']}",
            )
    except fb.FeedbackError as error:
        await ack(text=refusal(locale, named_in(command.get("text", ""), error)))
        return
    await ack(
        text=t(locale, "feedback.requested", askees=people(parsed.askees), subject=subject.slack_user_id)
    )
    if not created:
        return  # a retried command: the people were asked the first time
    unreached = []
    for askee in askees:
        ticket = fb.request_ticket(_secret(context), workspace.id, request.id, askee.slack_user_id)
        text, card = render.request_dm(askee.locale, manager.slack_user_id, subject.slack_user_id, ticket)
        try:
            await client.chat_postMessage(channel=askee.slack_user_id, text=text, blocks=card)
        except SlackApiError as exc:
            log.warning("feedback request not delivered: %s", exc.response.get("error"))
            unreached.append(askee.slack_user_id)
    if unreached:
        await respond(
            text=":warning: " + t(locale, "feedback.error.not_asked", users=people(unreached)),
            response_type="ephemeral",
            replace_original=False,
        )


# --- Reply: a thread through the bot, the receiver and the (maybe anonymous) sender in turn ------


async def open_reply_modal(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    db, workspace, member = scope(context)
    await ack()
    try:
        ticket = fb.open_reply(_secret(context), action.get("value", ""))
        async with db.session() as session:
            feedback = await fb.reply_target(session, workspace.id, ticket, member)
    except fb.FeedbackError as error:
        await respond(text=refusal(member.locale, error), response_type="ephemeral", replace_original=False)
        return
    container = body.get("container") or {}
    origin = render.reply_origin_metadata(
        action["value"],
        container.get("channel_id") or "",
        container.get("message_ts") or "",
        (body.get("message") or {}).get("blocks") or [],
    )
    await client.views_open(
        trigger_id=body["trigger_id"], view=render.reply_modal(member.locale, feedback.text, origin)
    )


async def submit_reply(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        reply = check_text(bk.input_value(view["state"], render.TEXT_BLOCK))
        origin = render.reply_origin(view.get("private_metadata", ""))
        ticket = fb.open_reply(_secret(context), origin.token)
        async with db.session() as session:
            feedback = await fb.reply_target(session, workspace.id, ticket, member)
            first = await fb.claim_reply(session, workspace.team_id, view["id"])
            recipient = await get_member(session, workspace.id, ticket.sender)
    except UserError as error:
        await ack(response_action="errors", errors={render.TEXT_BLOCK: _field_error(locale, error)})
        return
    await ack()
    if not first:
        return  # a double-submitted form: the reply went out the first time
    as_receiver = fb.replies_as_receiver(feedback, member)
    named = as_receiver or not feedback.anonymous  # an anonymous author stays anonymous in the thread
    text, card = render.reply_dm(
        recipient.locale if recipient else None,
        member.slack_user_id if named else None,
        reply,
        feedback.text,
        to_author=as_receiver,
        reply_token=fb.seal_reply(_secret(context), ticket.answer(member.slack_user_id)),
    )
    try:
        await client.chat_postMessage(channel=ticket.sender, text=text, blocks=card)
    except SlackApiError as exc:
        log.warning("feedback reply not delivered: %s", exc.response.get("error"))
        await _tell(client, member, ":warning: " + t(locale, "feedback.error.reply_not_delivered"))
        return
    await _confirm_reply(client, member, origin, render.reply_sent(locale, reply, anonymous=not named))


async def _confirm_reply(
    client: AsyncWebClient, member: Member, origin: render.ReplyOrigin, note: str
) -> None:
    """Tell the replier their reply went, on the message they replied to, whose Reply button is then
    retired (a DM when that message is not known)."""
    if origin.kept is None or not origin.channel or not origin.ts:
        await _tell(client, member, note)
        return
    try:
        await client.chat_update(
            channel=origin.channel, ts=origin.ts, text=note, blocks=[*origin.kept, bk.context(note)]
        )
    except SlackApiError as exc:
        log.info("replied-to message not updated: %s", exc.response.get("error"))
        await _tell(client, member, note)


# --- requests: the person asked answers in a modal -----------------------------------------------


async def open_answer_modal(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    db, workspace, member = scope(context)
    await ack()
    try:
        request_id = fb.request_id_of(
            _secret(context), workspace.id, action.get("value", ""), member.slack_user_id
        )
        async with db.session() as session:
            people = await fb.request_people(session, workspace.id, request_id)
    except fb.FeedbackError as error:
        await respond(text=refusal(member.locale, error), response_type="ephemeral", replace_original=False)
        return
    container = body.get("container") or {}
    metadata = json.dumps(
        {"ticket": action["value"], "channel": container.get("channel_id"), "ts": container.get("message_ts")}
    )
    view = render.answer_modal(
        member.locale, people.manager.slack_user_id, people.subject.slack_user_id, metadata
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
    anonymous = render.chose_anonymous(view["state"])
    try:
        text = check_text(bk.input_value(view["state"], render.TEXT_BLOCK))
        metadata = _metadata(view)
        request_id = fb.request_id_of(
            _secret(context), workspace.id, metadata.get("ticket", ""), member.slack_user_id
        )
        async with db.session() as session:
            people = await fb.request_people(session, workspace.id, request_id)
            # One feedback per form: a double-clicked Send submits the same view id twice.
            feedback, created = await fb.give_feedback(
                session,
                workspace.id,
                sender=member,
                receiver=people.manager,
                about=people.subject,
                request_id=people.request.id,
                text=text,
                anonymous=anonymous,
                source_key=f"view:{view['id']}",
                secret=_secret(context),
            )
    except UserError as error:
        await ack(response_action="errors", errors={render.TEXT_BLOCK: _field_error(locale, error)})
        return
    await ack()
    if not created:
        return
    if not await deliver(
        client, context, feedback, sender=member, receiver=people.manager, about=people.subject
    ):
        await _tell(
            client,
            member,
            ":warning: " + t(locale, "feedback.error.not_delivered", user=people.manager.slack_user_id),
        )
        return
    if metadata.get("channel") and metadata.get("ts"):
        text, card = render.answered(
            locale, people.manager.slack_user_id, people.subject.slack_user_id, feedback.anonymous
        )
        try:
            await client.chat_update(channel=metadata["channel"], ts=metadata["ts"], text=text, blocks=card)
        except SlackApiError as exc:
            log.info("request message not updated: %s", exc.response.get("error"))


# --- shared steps --------------------------------------------------------------------------------


async def deliver(
    client: AsyncWebClient,
    context: AsyncBoltContext,
    feedback: Feedback,
    *,
    sender: Member,
    receiver: Member,
    about: Member | None = None,
) -> bool:
    """DM the feedback to its receiver with a Reply button; undo the feedback when Slack refuses.

    The button carries the sender's id encrypted (the database has no way back to an anonymous sender).
    """
    db, workspace, _ = scope(context)
    token = fb.seal_reply(_secret(context), fb.ReplyTicket(workspace.id, feedback.id, sender.slack_user_id))
    text, card = render.feedback_dm(
        receiver.locale,
        feedback.text,
        sender=None if feedback.anonymous else sender.slack_user_id,
        about=about.slack_user_id if about else None,
        reply_token=token,
    )
    try:
        await client.chat_postMessage(channel=receiver.slack_user_id, text=text, blocks=card)
    except SlackApiError as exc:
        log.warning("feedback not delivered: %s", exc.response.get("error"))
        async with db.session() as session:
            await fb.forget_feedback(session, workspace.id, feedback.id)
        return False
    return True


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = None
    if not isinstance(metadata, dict):
        raise fb.FeedbackError("feedback.error.bad_request_button")
    return metadata


def _field_error(locale: str | None, error: UserError) -> str:
    """A modal field error is plain text: no mrkdwn, no escaping; worded for the form."""
    return field_error(locale, error.key, **error.params)


async def _tell(client: AsyncWebClient, member: Member, text: str) -> None:
    """A DM from the bot to the member (modals have no channel to answer in)."""
    try:
        await client.chat_postMessage(channel=member.slack_user_id, text=text)
    except SlackApiError as exc:
        log.warning("could not tell the member: %s", exc.response.get("error"))
