"""The privacy modal (`/dealbell privacy`, the Home's button) and the admin's forget confirmation."""

from __future__ import annotations

from typing import Any

from bot.kit import blocks as bk
from bot.kit.format import mention, plural
from bot.kit.i18n import t
from storage.privacy import Choices

PRIVACY_CALLBACK = "privacy_modal"
PRIVACY_OPEN_ACTION = "privacy_open"
FORGET_CALLBACK = "forget_confirm"
CHOICES_BLOCK = "privacy_choices"
HIDDEN = "hidden_from_boards"
BY_DM = "kudos_by_dm"


def privacy_modal(choices: Choices, locale: str | None) -> dict[str, Any]:
    options = [bk.option(t(locale, f"privacy.modal.{value}"), value) for value in (HIDDEN, BY_DM)]
    chosen = [value for value in (HIDDEN, BY_DM) if getattr(choices, value)]
    element: dict[str, Any] = {"type": "checkboxes", "action_id": "value", "options": options}
    if chosen:
        element["initial_options"] = [o for o in options if o["value"] in chosen]
    blocks = [
        bk.section(t(locale, "privacy.modal.intro")),
        bk.input_block(CHOICES_BLOCK, t(locale, "privacy.modal.label"), element, optional=True),
        bk.context(t(locale, "privacy.modal.my_data")),
    ]
    return bk.modal(
        PRIVACY_CALLBACK,
        t(locale, "privacy.modal.title"),
        blocks,
        submit=t(locale, "privacy.modal.save"),
        close=t(locale, "privacy.modal.close"),
    )


def chosen(state: dict[str, Any]) -> Choices:
    """The choices a submitted privacy modal holds."""
    values = bk.input_value(state, CHOICES_BLOCK) or []
    return Choices(hidden_from_boards=HIDDEN in values, kudos_by_dm=BY_DM in values)


def summary(choices: Choices, locale: str | None) -> str:
    boards = t(locale, "privacy.summary.hidden" if choices.hidden_from_boards else "privacy.summary.shown")
    kudos = t(locale, "privacy.summary.by_dm" if choices.kudos_by_dm else "privacy.summary.in_channel")
    return f"{boards}\n{kudos}"


def home_button(locale: str | None) -> bk.Block:
    """The App Home's one privacy block: a button that opens the privacy modal."""
    return bk.actions(
        bk.button(t(locale, "privacy.home.button"), PRIVACY_OPEN_ACTION, "open"), block_id="privacy"
    )


def forget_modal(user_id: str, preview: dict[str, int], locale: str | None) -> dict[str, Any]:
    rows = sum(preview.values())
    blocks = [
        bk.section(plural(locale, "privacy.forget.confirm", rows, user=mention(user_id))),
        bk.context(t(locale, "privacy.forget.what")),
    ]
    return bk.modal(
        FORGET_CALLBACK,
        t(locale, "privacy.forget.title"),
        blocks,
        submit=t(locale, "privacy.forget.submit"),
        close=t(locale, "privacy.modal.close"),
        metadata=user_id,
    )
