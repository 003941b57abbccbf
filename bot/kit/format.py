"""How people, stages, money, percentages and counted things read in a message (pure functions).

Every view and listener renders these the same way through here, so a change of wording is one edit.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from babel import Locale

from bot.kit.i18n import CATALOGUE, babel_locale, t
from storage.models import Member
from storage.money import Money, format_money

DASH = "—"  # a value that is not known (no data yet, nothing to compare with)


def mention(who: Member | str) -> str:
    """A Slack mention of a member, or of a Slack user id: Slack shows the reader's name for them."""
    user_id = who.slack_user_id if isinstance(who, Member) else who
    return f"<@{user_id}>"


def people(who: Iterable[Member | str]) -> str:
    """Several mentions, comma-separated."""
    return ", ".join(mention(one) for one in who)


def stage_name(stage: str, locale: str | None) -> str:
    """A deal stage in the reader's language; an unknown stage as it is stored."""
    key = f"stage.{getattr(stage, 'value', stage)}"
    return t(locale, key) if key in CATALOGUE["en"] else str(stage)


class StageSum(Protocol):
    """Deals at one stage in one currency (storage's StageTotal and StageAmount)."""

    stage: str
    count: int
    amount_minor: int
    currency: str


def stage_sum(locale: str | None, key: str, row: StageSum) -> str:
    """The catalogue line `key` for one stage's deals: its name, how many, how much."""
    amount = money(row.amount_minor, row.currency, locale)
    return t(locale, key, stage=stage_name(row.stage, locale), count=row.count, amount=amount)


def money(minor: int, currency: str, locale: str | None) -> str:
    """An amount in minor units as the reader's locale writes it: $12,500.00, ¥12,500.00, €1,000.00."""
    return money_text(Money(int(minor), currency), locale)


def money_text(value: Money, locale: str | None) -> str:
    return format_money(value, babel_locale(locale))


def percent(value: Decimal | None, *, signed: bool = False) -> str:
    """12.5% (or +12.5% / -3.0% when `signed`); a dash when there is nothing to compare."""
    if value is None:
        return DASH
    return f"{value:+}%" if signed else f"{value}%"


def plural(locale: str | None, key: str, count: int, **params: Any) -> str:
    """The catalogue's `key.one` / `key.other` … form that the reader's language uses for `count`.

    Babel knows each language's plural rules (English: one for 1, other otherwise; Chinese: other
    always), so no message picks its form by hand.
    """
    form = Locale.parse(babel_locale(locale)).plural_form(count)
    chosen = f"{key}.{form}" if f"{key}.{form}" in CATALOGUE["en"] else f"{key}.other"
    return t(locale, chosen, count=count, **params)


def points(locale: str | None, count: int) -> str:
    """1 point, 12 points (12 积分): every message that counts points says it this way."""
    return plural(locale, "count.points", count)


def days(locale: str | None, count: int) -> str:
    """1 day, 3 days (3 天)."""
    return plural(locale, "count.days", count)
