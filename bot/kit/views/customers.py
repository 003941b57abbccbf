"""Small pieces of the customer views that listeners and the follow-up job share."""

from __future__ import annotations

from bot.kit import blocks as bk
from bot.kit.i18n import babel_locale, t
from storage.models import Deal
from storage.money import Money, format_money


def segment_name(segment: str, locale: str | None) -> str:
    return t(locale, f"customers.segment.{segment}")


def money_text(money: Money, locale: str | None) -> str:
    return format_money(money, babel_locale(locale))


def deal_name(deal: Deal) -> str:
    return bk.escape(deal.title or deal.customer.name)
