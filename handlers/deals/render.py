"""Block Kit for deals: pure functions of data and locale, so they can be tested and translated."""

from __future__ import annotations

import json
from typing import Any

from bot.kit import blocks as bk
from bot.kit.format import mention, money, plural, stage_name, stage_sum
from bot.kit.i18n import t
from bot.kit.views.modal import catalogue_modal
from storage.deals import MAX_COMPETITOR, MAX_CUSTOMER, MAX_REASON, MAX_TITLE, StageTotal
from storage.models import OPEN_STAGES, Deal, Stage
from storage.money import is_currency_code

MODAL_CURRENCIES = ("USD", "EUR", "GBP", "CNY", "JPY", "HKD", "SGD", "AUD", "CAD", "INR")


def money_text(deal: Deal, locale: str | None) -> str:
    return money(deal.amount_minor, deal.currency, locale)


def _title_suffix(deal: Deal) -> str:
    return f" · {bk.escape(deal.title)}" if deal.title else ""


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


def deal_card(deal: Deal, locale: str | None, headline_key: str = "deal.logged") -> list[bk.Block]:
    """The owner's ephemeral view of one deal, with buttons to move it on."""
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
    return card


def celebration(deal: Deal, congratulations: int, locale: str | None) -> tuple[str, list[bk.Block]]:
    """The public win post: (fallback text, blocks)."""
    text = t(
        locale,
        "celebration.text",
        owner=mention(deal.owner),
        customer=bk.escape(deal.customer.name),
        title=_title_suffix(deal),
        amount=money_text(deal, locale),
    )
    card = [
        bk.section(
            text,
            block_id="celebration",
            accessory=bk.button(t(locale, "celebration.button"), "deal_congratulate", str(deal.id)),
        )
    ]
    if congratulations:
        card.append(
            bk.context(plural(locale, "celebration.count", congratulations), block_id="congratulations")
        )
    return text, card


def pipeline(deals: list[Deal], totals: list[StageTotal], locale: str | None) -> list[bk.Block]:
    if not totals:
        return [bk.section(t(locale, "deal.list.empty"))]
    total_lines = [stage_sum(locale, "deal.list.total", total) for total in totals]
    items = [
        t(
            locale,
            "deal.list.item",
            customer=bk.escape(d.customer.name),
            title=_title_suffix(d),
            amount=money_text(d, locale),
            stage=stage_name(d.stage, locale),
        )
        for d in deals
    ]
    card = [bk.header(t(locale, "deal.list.title")), bk.section("\n".join(total_lines)), bk.divider()]
    card.append(bk.section("\n".join(items)))
    open_count = sum(total.count for total in totals)
    if open_count > len(deals):
        card.append(bk.context(t(locale, "deal.list.more", shown=len(deals), total=open_count)))
    return card


def deal_modal(
    locale: str | None, default_currency: str, channel_id: str | None, prefill: dict[str, str] | None = None
) -> dict[str, Any]:
    """The deal form; `prefill` (customer, amount, currency, stage) comes from a message's shortcut."""
    given = prefill or {}
    default_currency = given.get("currency") or default_currency
    currencies = list(MODAL_CURRENCIES)
    if default_currency not in currencies and is_currency_code(default_currency):
        currencies.insert(0, default_currency)
    stages = [*OPEN_STAGES, Stage.WON]
    body = [
        bk.text_input(
            "customer",
            t(locale, "modal.deal.customer"),
            initial=given.get("customer"),
            max_length=MAX_CUSTOMER,
        ),
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
    return catalogue_modal(
        locale,
        "deal_new",
        body,
        keys="modal.deal",
        metadata=json.dumps({"channel": channel_id, **given_owner(given)}),
    )


def given_owner(prefill: dict[str, str]) -> dict[str, str]:
    """A pre-filled form may log the deal for someone else (the rep who wrote the message)."""
    return {"owner": prefill["owner"]} if prefill.get("owner") else {}


def lost_modal(deal: Deal, locale: str | None, response_url: str | None) -> dict[str, Any]:
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
        metadata=json.dumps({"deal": deal.id, "response_url": response_url}),
    )
