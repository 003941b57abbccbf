"""Block Kit for `/reward` answers: usage, a points balance with its movements, the catalogue."""

from __future__ import annotations

from babel.dates import format_date

from bot.kit import blocks as bk
from bot.kit.format import mention, plural, points
from bot.kit.i18n import CATALOGUE, babel_locale, t
from storage.models import CatalogueItem, Member, PointsEntry
from storage.rewards import DEFAULT_AWARD_POINTS, MAX_AWARD_POINTS


def usage(locale: str | None, manager: bool) -> str:
    text = t(locale, "rewards.usage")
    if manager:
        text += "\n" + t(
            locale,
            "rewards.usage.managers",
            points=points(locale, DEFAULT_AWARD_POINTS),
            limit=MAX_AWARD_POINTS,
        )
    return text


def reason_label(reason: str, locale: str | None) -> str:
    key = f"rewards.reason.{reason}"
    return t(locale, key) if key in CATALOGUE["en"] else bk.escape(reason)


def signed(delta: int) -> str:
    return f"+{delta}" if delta > 0 else str(delta)


def points_view(
    member: Member, balance: int, entries: list[PointsEntry], own: bool, locale: str | None
) -> tuple[str, list[bk.Block]]:
    text = (
        plural(locale, "rewards.points.own", balance)
        if own
        else plural(locale, "rewards.points.other", balance, user=mention(member))
    )
    blocks: list[bk.Block] = [bk.section(text, block_id="rewards_points")]
    if entries:
        lines = [
            t(
                locale,
                "rewards.points.line",
                delta=signed(entry.delta),
                reason=reason_label(entry.reason, locale),
                date=format_date(entry.created_at.date(), "medium", locale=babel_locale(locale)),
            )
            for entry in entries
        ]
        blocks.append(bk.section(t(locale, "rewards.points.recent") + "\n" + "\n".join(lines)))
    else:
        blocks.append(bk.context(t(locale, "rewards.points.none")))
    return text, blocks


def catalogue(items: list[CatalogueItem], balance: int, locale: str | None) -> tuple[str, list[bk.Block]]:
    text = t(locale, "rewards.catalogue.header")
    if not items:
        return text, [bk.section(t(locale, "rewards.catalogue.empty"), block_id="rewards_catalogue")]
    lines = []
    for item in items:
        line = t(
            locale,
            "rewards.catalogue.line",
            id=item.id,
            name=bk.escape(item.name),
            cost=points(locale, item.cost),
        )
        if item.stock is not None:
            line += " · " + t(locale, "rewards.catalogue.stock", stock=item.stock)
        lines.append(line)
    return text, [
        bk.header(text),
        bk.section("\n".join(lines), block_id="rewards_catalogue"),
        bk.context(t(locale, "rewards.catalogue.footer", balance=points(locale, balance))),
    ]
