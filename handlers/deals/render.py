"""Block Kit for deals: pure functions of data and locale, so they can be tested and translated."""

from __future__ import annotations

import json
from typing import Any

from bot.kit import blocks as bk
from bot.kit.format import mention, money, stage_name, stage_sum
from bot.kit.i18n import t
from bot.kit.views.deal_posts import OPEN_ACTION, celebration, open_button, title_suffix
from bot.kit.views.modal import catalogue_modal
from handlers.customers.render import customer_picker
from storage.deal_history import HistoryLine
from storage.deals import MAX_COMPETITOR, MAX_REASON, MAX_TITLE, StageTotal
from storage.models import OPEN_STAGES, Deal, Stage
from storage.money import Money, is_currency_code

__all__ = ["OPEN_ACTION", "celebration"]  # the celebration is the outbox's (bot/kit), shared here

MODAL_CURRENCIES = ("USD", "EUR", "GBP", "CNY", "JPY", "HKD", "SGD", "AUD", "CAD", "INR")


def money_text(deal: Deal, locale: str | None) -> str:
    return money(deal.amount_minor, deal.currency, locale)


def _title_suffix(deal: Deal) -> str:
    return title_suffix(deal.title)


def summary(key: str, deal: Deal, locale: str | None) -> str:
    """One line about a deal, e.g. 'Deal logged: *Acme* · Annual licence for *$12,500.00*…'."""
    return t(
        locale,
        key,
        customer=bk.escape(deal.customer.name),
        title=_title_suffix(deal),
        amount=money_text(deal, locale),
        stage=stage_name(deal.stage, locale),
    )


def deal_card(
    deal: Deal,
    locale: str | None,
    headline_key: str = "deal.logged",
    *,
    history: list[HistoryLine] | None = None,
    manager: bool = False,
) -> list[bk.Block]:
    """One deal, with buttons to move it on, correct it, and its latest history lines."""
    close = deal.expected_close.isoformat() if deal.expected_close else t(locale, "deal.card.no_close")
    # Split the template, not the filled text: a customer's name may contain `|` itself.
    field_texts = [
        field.format(
            customer=bk.escape(deal.customer.name),
            amount=money_text(deal, locale),
            stage=stage_name(deal.stage, locale),
            close=close,
        )
        for field in t(locale, "deal.card.fields").split("|")
    ]
    card = [bk.section(summary(headline_key, deal, locale)), bk.fields(*field_texts)]
    stage = Stage(deal.stage)
    if stage == Stage.LOST and (deal.competitor or deal.lost_reason):
        card.append(
            bk.context(
                t(
                    locale,
                    "deal.card.lost",
                    competitor=bk.escape(deal.competitor or "—"),
                    reason=bk.escape(deal.lost_reason or "—"),
                )
            )
        )
    if stage.is_open:
        # Stage buttons name their target, so a double click asks for the same move twice.
        buttons = []
        if stage.next not in (None, Stage.WON):
            buttons.append(
                bk.button(
                    t(locale, "deal.button.advance", stage=stage_name(stage.next, locale)),
                    "deal_advance",
                    f"{deal.id}:{stage.next.value}",
                )
            )
        buttons.append(bk.button(t(locale, "deal.button.won"), "deal_won", f"{deal.id}:won", style="primary"))
        buttons.append(bk.button(t(locale, "deal.button.lost"), "deal_lost", str(deal.id), style="danger"))
        card.append(bk.actions(*buttons, block_id="deal_actions"))
    card.append(bk.actions(*correction_buttons(deal, locale, manager), block_id="deal_corrections"))
    if history:
        card.append(bk.context(*[history_line(line, locale) for line in history], block_id="deal_history"))
    return card


def correction_buttons(deal: Deal, locale: str | None, manager: bool) -> list[bk.Block]:
    """Edit, reassign (managers), reopen (closed deals) and delete (asks first)."""
    value = str(deal.id)
    buttons = [bk.button(t(locale, "deal.button.edit"), "deal_edit", value)]
    if manager:
        buttons.append(bk.button(t(locale, "deal.button.reassign"), "deal_reassign", value))
    if not Stage(deal.stage).is_open:
        buttons.append(bk.button(t(locale, "deal.button.reopen"), "deal_reopen", value))
    delete = bk.button(t(locale, "deal.button.delete"), "deal_delete", value, style="danger")
    delete["confirm"] = {
        "title": bk.plain(t(locale, "deal.delete.confirm_title")),
        "text": bk.plain(t(locale, "deal.delete.confirm_text", customer=deal.customer.name)[:300]),
        "confirm": bk.plain(t(locale, "deal.button.delete")),
        "deny": bk.plain(t(locale, "deal.delete.keep")),
        "style": "danger",
    }
    buttons.append(delete)
    return buttons


def _history_value(field: str | None, value: str | None, locale: str | None) -> str:
    """A history value as people read it: money formatted, stages named, owners mentioned."""
    if value is None or value == "":
        return "—"
    if field == "amount":
        minor, _, currency = value.partition(" ")
        return money(int(minor), currency, locale)
    if field == "stage":
        return stage_name(value, locale)
    if field == "owner":
        return mention(value)
    return bk.escape(bk.truncate(value, 60))


def history_line(line: HistoryLine, locale: str | None) -> str:
    """`<date> @who edited amount: $1,200,000.00 → $12,000.00` (struck through once undone)."""
    when = f"<!date^{int(line.at.timestamp())}^{{date_short}} {{time}}|{line.at:%Y-%m-%d %H:%M} UTC>"
    what = t(locale, f"deal.history.{line.action}")
    if line.field and line.field != "deleted":
        what += " " + t(
            locale,
            "deal.history.change",
            field=t(locale, f"deal.field.{line.field}"),
            before=_history_value(line.field, line.before, locale),
            after=_history_value(line.field, line.after, locale),
        )
    text = f"{when} {mention(line.by)} {what}"
    return f"~{text}~" if line.undone else text


def card_modal(blocks: list[bk.Block], locale: str | None, deal_id: int) -> dict[str, Any]:
    """The deal card where there is no channel to show it in (App Home): a modal without a submit."""
    return {
        "type": "modal",
        "callback_id": "deal_card",
        "title": bk.plain(bk.truncate(t(locale, "deal.card.title"), 24)),
        "close": bk.plain(bk.truncate(t(locale, "modal.close"), 24)),
        "private_metadata": json.dumps({"deal": deal_id}),
        "blocks": blocks,
    }


def gone_card(deal_id: int, history: list[HistoryLine], locale: str | None) -> list[bk.Block]:
    """A deleted deal: said so, with its history (which it keeps)."""
    card = [bk.section(t(locale, "deal.card.deleted", id=deal_id))]
    if history:
        card.append(bk.context(*[history_line(line, locale) for line in history], block_id="deal_history"))
    return card


def pipeline(
    deals: list[Deal], totals: list[StageTotal], locale: str | None, *, closed: list[Deal] | None = None
) -> list[bk.Block]:
    """The owner's open pipeline (totals, then one row per deal), then the latest closed deals: each
    row with its Open button, the same action as App Home's."""
    if not totals:
        card = [bk.section(t(locale, "deal.list.empty"))]
    else:
        total_lines = [stage_sum(locale, "deal.list.total", total) for total in totals]
        card = [bk.header(t(locale, "deal.list.title")), bk.section("\n".join(total_lines)), bk.divider()]
        card.extend(_deal_row(d, locale) for d in deals)
        open_count = sum(total.count for total in totals)
        if open_count > len(deals):
            card.append(bk.context(t(locale, "deal.list.more", shown=len(deals), total=open_count)))
    if closed:
        card.append(bk.context(t(locale, "deal.list.closed"), block_id="recently_closed"))
        card.extend(_deal_row(d, locale) for d in closed)
    return card


def _deal_row(deal: Deal, locale: str | None) -> bk.Block:
    item = t(
        locale,
        "deal.list.item",
        customer=bk.escape(deal.customer.name),
        title=_title_suffix(deal),
        amount=money_text(deal, locale),
        stage=stage_name(deal.stage, locale),
    )
    return bk.section(item, accessory=open_button(locale, deal.id))


def deal_modal(
    locale: str | None,
    default_currency: str,
    channel_id: str | None,
    prefill: dict[str, str] | None = None,
    *,
    deal: Deal | None = None,
    owner_picker: bool = False,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The new-deal form (`prefill`: customer, amount, currency, stage, owner from a message's
    shortcut); given `deal`, the same form filled in to edit it (`deal_edit`), with an owner picker
    for managers."""
    given = prefill or {}
    default_currency = given.get("currency") or default_currency
    currencies = list(MODAL_CURRENCIES)
    if default_currency not in currencies and is_currency_code(default_currency):
        currencies.insert(0, default_currency)
    stages = [*OPEN_STAGES, Stage.WON]
    body = [
        customer_picker(locale, initial=given.get("customer")),
        bk.text_input("title", t(locale, "modal.deal.deal_title"), optional=True, max_length=MAX_TITLE),
        bk.text_input(
            "amount",
            t(locale, "modal.deal.amount"),
            placeholder=t(locale, "modal.deal.amount_hint"),
            initial=given.get("amount"),
            max_length=64,
        ),
        bk.select_input(
            "currency",
            t(locale, "modal.deal.currency"),
            [bk.option(c, c) for c in currencies],
            initial=default_currency,
        ),
        bk.select_input(
            "stage",
            t(locale, "modal.deal.stage"),
            [bk.option(stage_name(s, locale), s.value) for s in stages],
            initial=given.get("stage") or Stage.LEAD.value,
        ),
        bk.date_input("close", t(locale, "modal.deal.close")),
        bk.text_input("notes", t(locale, "modal.deal.notes"), multiline=True, optional=True),
    ]
    if deal is None:
        metadata_new = {"channel": channel_id, **given_owner(given)}
        return catalogue_modal(locale, "deal_new", body, keys="modal.deal", metadata=json.dumps(metadata_new))
    fill_deal_form(body, deal, locale)
    if owner_picker:
        owner = {"type": "users_select", "action_id": "value", "initial_user": deal.owner.slack_user_id}
        body.append(bk.input_block("owner", t(locale, "modal.deal.owner"), owner))
    return catalogue_modal(
        locale, "deal_edit", body, keys="modal.deal_edit", metadata=json.dumps(metadata or {"deal": deal.id})
    )


def given_owner(prefill: dict[str, str]) -> dict[str, str]:
    """A pre-filled form may log the deal for someone else (the rep who wrote the message)."""
    return {"owner": prefill["owner"]} if prefill.get("owner") else {}


def fill_deal_form(body: list[bk.Block], deal: Deal, locale: str | None) -> None:
    """Put the deal's values into the form's inputs, whichever element each input uses."""
    values = {
        "customer": deal.customer.name,
        "title": deal.title,
        "amount": amount_input_text(deal),
        "currency": deal.currency,
        "stage": deal.stage,
        "close": deal.expected_close.isoformat() if deal.expected_close else None,
        "notes": deal.notes,
    }
    for block in body:
        value = values.get(block.get("block_id", ""))
        element = block.get("element", {})
        if not value:
            continue
        kind = element.get("type")
        if kind == "plain_text_input":
            element["initial_value"] = value
        elif kind == "datepicker":
            element["initial_date"] = value
        elif kind == "static_select":
            chosen = next((o for o in element["options"] if o["value"] == value), None)
            if chosen is None and block["block_id"] == "stage":  # a lost deal: its stage is an option too
                chosen = bk.option(stage_name(value, locale), value)
                element["options"].append(chosen)
            if chosen is None and block["block_id"] == "currency":
                chosen = bk.option(value, value)
                element["options"].insert(0, chosen)
            element["initial_option"] = chosen
        elif kind == "external_select":
            element["initial_option"] = bk.option(value, value)


def amount_input_text(deal: Deal) -> str:
    """The amount as the form reads it back: plain digits in the deal's currency (no symbol)."""
    return str(Money(deal.amount_minor, deal.currency).major())


def lost_modal(deal: Deal, locale: str | None, origin: dict[str, Any]) -> dict[str, Any]:
    body = [
        bk.section(f"*{bk.escape(deal.customer.name)}*{_title_suffix(deal)} · {money_text(deal, locale)}"),
        bk.text_input(
            "competitor", t(locale, "modal.lost.competitor"), optional=True, max_length=MAX_COMPETITOR
        ),
        bk.text_input("reason", t(locale, "modal.lost.reason"), optional=True, max_length=MAX_REASON),
    ]
    return catalogue_modal(
        locale,
        "deal_lost",
        body,
        keys="modal.lost",
        metadata=json.dumps({"deal": deal.id, **origin}),
    )
