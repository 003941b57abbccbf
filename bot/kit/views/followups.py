"""Block Kit for the follow-up DM and its redrawn lines: pure functions of data and locale."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from bot.kit import blocks as bk
from bot.kit.format import money_text, plural, stage_name
from bot.kit.i18n import t
from bot.kit.views.customers import deal_name, segment_name
from bot.kit.views.followup_lines import ACTIONS_BLOCK, ITEM_BLOCK, button_value
from storage.followups import SNOOZE_DAYS, FollowUpItem, LineState
from storage.money import Money

MAX_ITEMS = 20  # two blocks each: 40 of Slack's 50 blocks per message
MORE_BLOCK = "followup_more"
DONE, SNOOZE, OPEN = "followup_done", "followup_snooze", "followup_open"


def pending(item: FollowUpItem) -> LineState:
    return LineState(item.target, "pending", item.customer, item.deal, item.due)


def _date(day: dt.date | None, locale: str | None) -> str:
    return day.isoformat() if day else t(locale, "followups.line.not_set")


def _last_contact(state: LineState, locale: str | None, zone: str) -> str:
    assert state.customer is not None
    moment = state.customer.last_contact_at
    if moment is None:
        return t(locale, "followups.line.never")
    return moment.astimezone(ZoneInfo(zone)).date().isoformat()


def line_text(state: LineState, day: dt.date, locale: str | None, zone: str) -> str:
    """One line of the DM, as it stands; user text escaped."""
    if state.status == "gone" or state.customer is None:
        return t(locale, "followups.line.gone")
    customer = bk.escape(state.customer.name)
    deal = state.deal
    if deal is not None:
        params: dict[str, Any] = {"deal": deal_name(deal), "customer": customer}
        if state.status == "closed":
            return t(locale, "followups.line.deal_closed", stage=stage_name(deal.stage, locale), **params)
        if state.status == "done":
            return t(locale, "followups.line.deal_done", **params)
        if state.status == "moved":
            return t(locale, "followups.line.deal_moved", date=_date(state.date, locale), **params)
        if state.status == "snoozed":
            close = _date(deal.expected_close, locale)
            return t(
                locale, "followups.line.deal_snoozed", date=_date(state.date, locale), close=close, **params
            )
        assert state.date is not None
        return plural(
            locale,
            "followups.line.deal_overdue",
            (day - state.date).days,
            amount=money_text(Money(deal.amount_minor, deal.currency), locale),
            stage=stage_name(deal.stage, locale),
            date=state.date.isoformat(),
            **params,
        )
    if state.status == "done":
        return t(locale, "followups.line.customer_done", customer=customer, date=_date(state.date, locale))
    if state.status == "moved":
        return t(locale, "followups.line.customer_moved", customer=customer, date=_date(state.date, locale))
    assert state.date is not None
    params = {
        "customer": customer,
        "segment": segment_name(state.customer.segment, locale),
        "last": _last_contact(state, locale, zone),
    }
    if state.date >= day:
        return t(locale, "followups.line.customer_today", **params)
    return plural(
        locale,
        "followups.line.customer_overdue",
        (day - state.date).days,
        date=state.date.isoformat(),
        **params,
    )


def line_actions(state: LineState, day: dt.date, locale: str | None) -> bk.Block | None:
    """The buttons under a line: all three while it is pending, only Open once it is handled."""
    if state.status == "gone":
        return None
    value = button_value(state.target, day)
    buttons = []
    if state.status == "pending":
        buttons += [
            bk.button(t(locale, "followups.button.done"), DONE, value, style="primary"),
            bk.button(plural(locale, "followups.button.snooze", SNOOZE_DAYS), SNOOZE, value),
        ]
    buttons.append(bk.button(t(locale, "followups.button.open"), OPEN, value))
    return bk.actions(*buttons, block_id=ACTIONS_BLOCK + state.target.key)


def line_blocks(state: LineState, day: dt.date, locale: str | None, zone: str) -> list[bk.Block]:
    section = bk.section(line_text(state, day, locale, zone), block_id=ITEM_BLOCK + state.target.key)
    actions = line_actions(state, day, locale)
    return [section, actions] if actions else [section]


def intro(items: list[FollowUpItem], locale: str | None) -> str:
    """What the DM lists, by kind (customers due for contact, deals past their expected close), and
    what each kind's buttons do."""
    customers = sum(1 for item in items if item.deal is None)
    deals = len(items) - customers
    counted, hints = [], []
    for kind, count in (("customers", customers), ("deals", deals)):
        if count:
            counted.append(plural(locale, f"followups.dm.{kind}", count))
            hints.append(plural(locale, f"followups.dm.hint.{kind}", SNOOZE_DAYS))
    listed = t(locale, "followups.dm.and").join(counted)
    return t(locale, "followups.dm.intro", items=listed, hints=" ".join(hints))


def reminder(
    items: list[FollowUpItem], day: dt.date, locale: str | None, zone: str
) -> tuple[str, list[bk.Block]]:
    """The owner's DM for `day`: (fallback text, blocks), at most MAX_ITEMS lines and "and N more"."""
    blocks: list[bk.Block] = [
        bk.header(t(locale, "followups.dm.header", date=day.isoformat())),
        bk.section(intro(items, locale)),
    ]
    for item in items[:MAX_ITEMS]:
        blocks += line_blocks(pending(item), day, locale, zone)
    if len(items) > MAX_ITEMS:
        blocks.append(
            bk.context(t(locale, "followups.dm.more", count=len(items) - MAX_ITEMS), block_id=MORE_BLOCK)
        )
    return t(locale, "followups.dm.text", count=len(items)), blocks


def redraw(
    blocks: list[bk.Block], states: list[LineState], day: dt.date, locale: str | None, zone: str
) -> list[bk.Block]:
    """The DM's blocks with each line redrawn as it stands; everything else is kept as it was."""
    by_key = {state.target.key: state for state in states}
    redrawn: list[bk.Block] = []
    for block in blocks:
        block_id = str(block.get("block_id") or "")
        if block_id.startswith(ITEM_BLOCK) and block_id.removeprefix(ITEM_BLOCK) in by_key:
            redrawn += line_blocks(by_key[block_id.removeprefix(ITEM_BLOCK)], day, locale, zone)
        elif block_id.startswith(ACTIONS_BLOCK) and block_id.removeprefix(ACTIONS_BLOCK) in by_key:
            continue  # drawn with its line
        else:
            redrawn.append(block)
    return redrawn
