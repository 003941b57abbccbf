"""Block Kit for `/feedback`: pure functions of data and locale. Every user text is escaped here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.kit import blocks as bk
from bot.kit.i18n import t
from bot.kit.views.modal import catalogue_modal
from handlers.feedback.syntax import MAX_TEXT

TEXT_BLOCK = "text"  # the modals' text input
ANONYMOUS_BLOCK = "anonymous"  # the answer modal's checkbox
ANONYMOUS_VALUE = "anonymous"
EXCERPT = 150
METADATA_LIMIT = 3000  # Slack's limit on a view's private_metadata


def quote(text: str) -> str:
    """User text as a mrkdwn block quote; `<!channel>` and friends stay text."""
    return "\n".join("> " + line for line in bk.escape(text).split("\n"))


def excerpt(text: str) -> str:
    return bk.escape(bk.truncate(" ".join(text.split()), EXCERPT))


def feedback_dm(
    locale: str | None, text: str, *, sender: str | None, about: str | None, reply_token: str
) -> tuple[str, list[bk.Block]]:
    """The receiver's DM; `sender` is None for anonymous feedback, and then no one is named."""
    if about:
        key = "feedback.dm.named_about" if sender else "feedback.dm.anonymous_about"
    else:
        key = "feedback.dm.named" if sender else "feedback.dm.anonymous"
    headline = t(locale, key, sender=sender or "", about=about or "")
    hint = t(locale, "feedback.dm.hint_named" if sender else "feedback.dm.hint_anonymous")
    card = [
        bk.section(f"{headline}\n{quote(text)}", block_id="feedback"),
        bk.context(hint),
        bk.actions(
            bk.button(t(locale, "feedback.button.reply"), "feedback_reply", reply_token),
            block_id="feedback_actions",
        ),
    ]
    return f"{headline} {excerpt(text)}", card


def reply_modal(locale: str | None, feedback_text: str, origin: str) -> dict[str, Any]:
    """The reply form; `origin` (reply_origin_metadata) says which button it came from."""
    body = [
        bk.section(t(locale, "feedback.reply.about", quote=quote(feedback_text))),
        bk.text_input(TEXT_BLOCK, t(locale, "feedback.reply.label"), multiline=True, max_length=MAX_TEXT),
    ]
    return catalogue_modal(locale, "feedback_reply", body, keys="feedback.reply", metadata=origin)


def reply_dm(
    locale: str | None,
    replier: str | None,
    reply: str,
    feedback_text: str,
    *,
    to_author: bool,
    reply_token: str,
) -> tuple[str, list[bk.Block]]:
    """A reply in the thread, with a Reply button to answer it. To the feedback's author: the receiver
    replied (named, as on every reply). To the receiver: the author answered, named unless the
    feedback was anonymous (`replier` None)."""
    if to_author:
        headline = t(locale, "feedback.reply.dm", receiver=replier or "")
        about = t(locale, "feedback.reply.yours", excerpt=excerpt(feedback_text))
    else:
        key = "feedback.reply.dm_back" if replier else "feedback.reply.dm_back_anonymous"
        headline = t(locale, key, sender=replier or "")
        about = t(locale, "feedback.reply.theirs", excerpt=excerpt(feedback_text))
    card = [
        bk.section(f"{headline}\n{quote(reply)}", block_id="feedback_reply"),
        bk.context(about),
        bk.actions(
            bk.button(t(locale, "feedback.button.reply"), "feedback_reply", reply_token),
            block_id="feedback_reply_actions",
        ),
    ]
    return f"{headline} {excerpt(reply)}", card


@dataclass(frozen=True)
class ReplyOrigin:
    """Where a Reply button was clicked, kept in the reply form: its ticket, and the message it sits
    on with the button taken off (None when unknown), so the form can retire the button once sent."""

    token: str
    channel: str = ""
    ts: str = ""
    kept: list[bk.Block] | None = None


def reply_origin_metadata(token: str, channel: str, ts: str, blocks: list[bk.Block]) -> str:
    """The reply form's private_metadata; the message is cut down to fit Slack's limit if need be."""
    kept = [block for block in blocks if block.get("type") != "actions"]
    fields: dict[str, Any] = {"t": token, "c": channel, "ts": ts, "m": kept}
    while len(json.dumps(fields, ensure_ascii=False)) > METADATA_LIMIT and kept:
        first = next((b["text"]["text"] for b in kept if b.get("type") == "section"), "")
        kept = [bk.section(bk.truncate(first, max(len(first) // 2, 1)))] if len(first) > 40 else []
        fields["m"] = kept
    if not blocks:
        fields.pop("m")  # nothing known of the message: it is not redrawn
    return json.dumps(fields, ensure_ascii=False)


def reply_origin(metadata: str) -> ReplyOrigin:
    """The form's origin; a bare ticket (a form opened before threads) has no message to redraw."""
    try:
        fields = json.loads(metadata or "")
    except ValueError:
        return ReplyOrigin(metadata or "")
    if not isinstance(fields, dict):
        return ReplyOrigin(str(metadata))
    kept = fields.get("m")
    return ReplyOrigin(
        str(fields.get("t", "")),
        str(fields.get("c", "")),
        str(fields.get("ts", "")),
        kept if isinstance(kept, list) else None,
    )


def reply_sent(locale: str | None, reply: str, anonymous: bool) -> str:
    """The replier's confirmation: what they sent, and (for an anonymous author) that they stay so."""
    key = "feedback.reply.sent_anonymously" if anonymous else "feedback.reply.sent"
    return t(locale, key, excerpt=excerpt(reply))


def request_dm(locale: str | None, manager: str, subject: str, ticket: str) -> tuple[str, list[bk.Block]]:
    text = t(locale, "feedback.request.dm", manager=manager, subject=subject)
    card = [
        bk.section(text, block_id="feedback_request"),
        bk.context(t(locale, "feedback.request.hint", manager=manager)),
        bk.actions(
            bk.button(t(locale, "feedback.button.give"), "feedback_give", ticket, style="primary"),
            block_id="feedback_request_actions",
        ),
    ]
    return text, card


def answer_modal(locale: str | None, manager: str, subject: str, metadata: str) -> dict[str, Any]:
    checkbox = {
        "type": "checkboxes",
        "action_id": "value",
        "options": [bk.option(t(locale, "feedback.answer.anonymous"), ANONYMOUS_VALUE)],
    }
    body = [
        bk.section(t(locale, "feedback.answer.intro", manager=manager, subject=subject)),
        bk.text_input(
            TEXT_BLOCK,
            t(locale, "feedback.answer.label"),
            multiline=True,
            placeholder=t(locale, "feedback.answer.placeholder"),
            max_length=MAX_TEXT,
        ),
        bk.input_block(ANONYMOUS_BLOCK, t(locale, "feedback.answer.privacy"), checkbox, optional=True),
    ]
    return catalogue_modal(locale, "feedback_answer", body, keys="feedback.answer", metadata=metadata)


def chose_anonymous(state: dict[str, Any]) -> bool:
    """Whether the answer modal's "Send anonymously" box was ticked."""
    element = state.get("values", {}).get(ANONYMOUS_BLOCK, {}).get("value") or {}
    return any(o.get("value") == ANONYMOUS_VALUE for o in element.get("selected_options") or [])


def answered(locale: str | None, manager: str, subject: str, anonymous: bool) -> tuple[str, list[bk.Block]]:
    """The request DM once answered: the button is gone, so it is not answered twice by accident."""
    key = "feedback.answer.done_anonymously" if anonymous else "feedback.answer.done"
    text = t(locale, key, manager=manager, subject=subject)
    return text, [bk.section(text, block_id="feedback_request")]
