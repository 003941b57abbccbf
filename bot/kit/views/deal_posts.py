"""The deal posts the outbox delivers: the win's celebration, the same post withdrawn, and a manager's
approval request. Pure functions of data and locale (the deal card itself is handlers/deals/render.py)."""

from __future__ import annotations

from typing import Any

from bot.kit import blocks as bk
from bot.kit.format import mention, money, people, plural
from bot.kit.i18n import t
from storage.deals import Congratulations
from storage.models import Deal

OPEN_ACTION = "deal_open"  # the value is the deal id; App Home's pipeline rows use it too


def title_suffix(title: str | None) -> str:
    return f" · {bk.escape(title)}" if title else ""


def open_button(locale: str | None, deal_id: int) -> bk.Block:
    return bk.button(t(locale, "deal.button.open"), OPEN_ACTION, str(deal_id))


def celebration(
    deal: Deal, congratulations: Congratulations | None, locale: str | None
) -> tuple[str, list[bk.Block]]:
    """The public win post: (fallback text, blocks); with who congratulated, once someone did."""
    text = t(
        locale,
        "celebration.text",
        owner=mention(deal.owner),
        customer=bk.escape(deal.customer.name),
        title=title_suffix(deal.title),
        amount=money(deal.amount_minor, deal.currency, locale),
    )
    card = [
        bk.section(
            text,
            block_id="celebration",
            accessory=bk.button(t(locale, "celebration.button"), "deal_congratulate", str(deal.id)),
        )
    ]
    if congratulations and congratulations.total:
        card.append(bk.context(congratulated(congratulations, locale), block_id="congratulations"))
    card.append(bk.actions(open_button(locale, deal.id), block_id="celebration_actions"))
    return text, card


def congratulated(congratulations: Congratulations, locale: str | None) -> str:
    """ ":clap: 5 congratulations: @ana, @li, @sam and 2 more" (the first ones, in the order they clicked)."""
    named = people(congratulations.first)
    unnamed = congratulations.total - len(congratulations.first)
    if unnamed > 0:
        named = plural(locale, "celebration.and_more", unnamed, people=named)
    count = plural(locale, "celebration.count", congratulations.total)
    return t(locale, "celebration.who", count=count, people=named)


def withdrawn(facts: dict[str, Any], locale: str | None) -> tuple[str, list[bk.Block]]:
    """The celebration of a deal deleted or no longer won, said plainly, with nothing to click."""
    text = t(
        locale,
        "celebration.withdrawn",
        owner=mention(str(facts.get("owner", ""))),
        customer=bk.escape(facts.get("customer", "")),
        title=title_suffix(facts.get("title")),
        amount=money(int(facts.get("amount_minor", 0)), str(facts.get("currency", "USD")), locale),
    )
    return text, [bk.section(text, block_id="celebration")]


def approval_request(deal: Deal, locale: str | None) -> tuple[str, list[bk.Block]]:
    """A manager's DM: a win above the approval threshold waits for Approve or Decline."""
    text = t(
        locale,
        "deal.approval.request",
        owner=mention(deal.owner),
        customer=bk.escape(deal.customer.name),
        title=title_suffix(deal.title),
        amount=money(deal.amount_minor, deal.currency, locale),
    )
    buttons = bk.actions(
        bk.button(t(locale, "deal.button.approve"), "deal_approve", str(deal.id), style="primary"),
        bk.button(t(locale, "deal.button.decline"), "deal_decline", str(deal.id), style="danger"),
        open_button(locale, deal.id),
        block_id="deal_approval",
    )
    return text, [bk.section(text), buttons]
