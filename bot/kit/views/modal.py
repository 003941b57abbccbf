"""Every modal's frame: a title and a submit label from the catalogue, and the same Cancel."""

from __future__ import annotations

from bot.kit import blocks as bk
from bot.kit.i18n import t


def catalogue_modal(
    locale: str | None, callback_id: str, body: list[bk.Block], *, keys: str, metadata: str = ""
) -> bk.Block:
    """The modal `callback_id` titled `keys`.title, submitted with `keys`.submit, in the reader's language."""
    return bk.modal(
        callback_id,
        t(locale, f"{keys}.title"),
        body,
        submit=t(locale, f"{keys}.submit"),
        close=t(locale, "modal.close"),
        metadata=metadata,
    )
