"""Block Kit for `/feedback`: pure functions of data and locale. Every user text is escaped here."""

from __future__ import annotations

from typing import Any

from bot.kit import blocks as bk
from bot.kit.i18n import t
from bot.kit.views.modal import catalogue_modal
from handlers.feedback.syntax import MAX_TEXT

TEXT_BLOCK = "text"  # the modals' text input
ANONYMOUS_BLOCK = "anonymous"  # the answer modal's checkbox
ANONYMOUS_VALUE = "anonymous"
EXCERPT = 150


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


def reply_modal(locale: str | None, feedback_text: str, reply_token: str) -> dict[str, Any]:
    body = [
        bk.section(t(locale, "feedback.reply.about", quote=quote(feedback_text))),
        bk.text_input(TEXT_BLOCK, t(locale, "feedback.reply.label"), multiline=True, max_length=MAX_TEXT),
    ]
    return catalogue_modal(locale, "feedback_reply", body, keys="feedback.reply", metadata=reply_token)


def reply_dm(locale: str | None, receiver: str, reply: str, feedback_text: str) -> tuple[str, list[bk.Block]]:
    """To the feedback's author: who replied (the receiver), what, and to which feedback."""
    headline = t(locale, "feedback.reply.dm", receiver=receiver)
    card = [
        bk.section(f"{headline}\n{quote(reply)}", block_id="feedback_reply"),
        bk.context(t(locale, "feedback.reply.yours", excerpt=excerpt(feedback_text))),
    ]
    return f"{headline} {excerpt(reply)}", card


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
