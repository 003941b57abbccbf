"""Block Kit for kudos: the public card, the ephemeral notes, the modal, the stats."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from babel.dates import format_timedelta

from bot.kit import blocks as bk
from bot.kit.format import mention, people
from bot.kit.i18n import babel_locale, t
from bot.kit.views.modal import catalogue_modal
from storage.kudos import Allowance, KudosStats
from storage.models import KudosGive, Member, Workspace

CARD_MESSAGE_LIMIT = 1000


def card(
    give: KudosGive, receivers: list[Member], co_givers: list[Member], locale: str | None
) -> tuple[str, list[bk.Block]]:
    """The public kudos card: (fallback text, blocks), with Me too and Undo buttons."""
    text = t(
        locale,
        "kudos.card.text",
        giver=mention(give.giver),
        receivers=people(receivers),
        message=bk.escape(bk.truncate(give.message, CARD_MESSAGE_LIMIT)),
    )
    notes = []
    if give.values:
        notes.append(t(locale, "kudos.card.values", values=" ".join(f"#{v}" for v in give.values)))
    if co_givers:
        notes.append(t(locale, "kudos.card.also", people=people(co_givers)))
    blocks = [bk.section(text, block_id="kudos")]
    if notes:
        blocks.append(bk.context(" · ".join(notes), block_id="kudos_notes"))
    blocks.append(
        bk.actions(
            bk.button(t(locale, "kudos.button.metoo"), "kudos_metoo", str(give.id)),
            bk.button(t(locale, "kudos.button.undo"), "kudos_undo", str(give.id)),
            block_id="kudos_actions",
        )
    )
    return text, blocks


def withdrawn_card(give: KudosGive, locale: str | None) -> tuple[str, list[bk.Block]]:
    text = t(locale, "kudos.card.withdrawn", giver=mention(give.giver))
    return text, [bk.context(text, block_id="kudos_withdrawn")]


def resets_in(allowance: Allowance, now: dt.datetime, locale: str | None) -> str:
    return format_timedelta(allowance.resets_at - now, threshold=1.1, locale=babel_locale(locale))


def error_params(params: dict[str, Any], now: dt.datetime, locale: str | None) -> dict[str, Any]:
    """Escape echoed input; turn the reset time into "in 3 hours" for the reader's language."""
    shown = {k: bk.escape(str(v)) for k, v in params.items() if k != "resets_at"}
    if "resets_at" in params:
        delta = params["resets_at"] - now
        shown["resets_in"] = format_timedelta(delta, threshold=1.1, locale=babel_locale(locale))
    return shown


def usage(workspace: Workspace, locale: str | None) -> str:
    return t(
        locale,
        "kudos.usage",
        emoji=workspace.kudos_emoji,
        values=", ".join(f"#{v}" for v in workspace.values),
        allowance=workspace.kudos_allowance,
    )


def kudos_modal(
    workspace: Workspace,
    locale: str | None,
    channel_id: str | None,
    receivers: list[str] | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    """The kudos form; `receivers` and `message` come pre-filled from a message's shortcut."""
    chooser: dict[str, Any] = {"type": "multi_users_select", "action_id": "value", "max_selected_items": 10}
    if receivers:
        chooser["initial_users"] = receivers[:10]
    body = [
        bk.input_block("receivers", t(locale, "modal.kudos.receivers"), chooser),
        bk.text_input(
            "message",
            t(locale, "modal.kudos.message"),
            initial=message,
            multiline=True,
            max_length=CARD_MESSAGE_LIMIT,
        ),
        bk.select_input(
            "value",
            t(locale, "modal.kudos.value"),
            [bk.option(f"#{v}", v) for v in workspace.values],
            optional=not workspace.kudos_value_required,
        ),
    ]
    return catalogue_modal(
        locale, "kudos_new", body, keys="modal.kudos", metadata=json.dumps({"channel": channel_id})
    )


def stats(
    mine: KudosStats | None, by_value: dict[str, int], period: str, locale: str | None
) -> list[bk.Block]:
    received, given = (mine.received, mine.given) if mine else (0, 0)
    tagged = [
        f"#{value} {count}" for value, count in sorted(by_value.items(), key=lambda kv: -kv[1]) if value
    ]
    return [
        bk.header(t(locale, "kudos.stats.title", period=t(locale, f"kudos.period.{period}"))),
        bk.section(t(locale, "kudos.stats.line", received=received, given=given)),
        bk.context(
            t(locale, "kudos.stats.values", values=", ".join(tagged))
            if tagged
            else t(locale, "kudos.stats.none")
        ),
    ]
