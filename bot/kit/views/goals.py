"""How a goal's progress reads: shared by `/goal` and the managers' digests."""

from __future__ import annotations

from decimal import Decimal

from bot.kit.format import money, percent
from bot.kit.i18n import t
from storage.goals import Attainment, progress_bar


def amount(metric: str, value: int | Decimal, currency: str | None, locale: str | None) -> str:
    if metric == "revenue" and currency:
        return money(int(value), currency, locale)
    return str(value)


def progress(row: Attainment, locale: str | None) -> str:
    per_day = row.per_workday
    return t(
        locale,
        "goals.progress",
        bar=progress_bar(row.percent),
        percent=percent(row.percent),
        actual=amount(row.metric, row.actual, row.goal.currency, locale),
        target=amount(row.metric, row.target, row.goal.currency, locale),
        per_day=t(locale, "goals.dash")
        if per_day is None
        else amount(row.metric, per_day, row.goal.currency, locale),
    )


def goal_line(row: Attainment, locale: str | None) -> str:
    return t(
        locale,
        "goals.line",
        metric=t(locale, f"goals.metric.{row.metric}"),
        period=t(locale, f"goals.period.{row.goal.period_kind}"),
        progress=progress(row, locale),
    )
