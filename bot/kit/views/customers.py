"""Small pieces of the customer views that listeners and the follow-up job share."""

from __future__ import annotations

from bot.kit import blocks as bk
from bot.kit.i18n import t
from storage.models import Deal


def segment_name(segment: str, locale: str | None) -> str:
    return t(locale, f"customers.segment.{segment}")


def deal_name(deal: Deal) -> str:
    return bk.escape(deal.title or deal.customer.name)
