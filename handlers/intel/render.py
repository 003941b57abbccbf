"""Block Kit for `/intel`: one competitor's card and the list of competitors (pure)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from babel.numbers import format_percent

from bot.kit import blocks as bk
from bot.kit.format import money
from bot.kit.i18n import babel_locale, t
from storage.intel import MAX_NOTE, CompetitorCard, CompetitorSummary
from storage.models import Deal

MAX_LIST_ROWS = 40  # a header, the rows and a summary stay within Slack's 50 blocks
NOTE_SHOWN = 300  # characters of each note on the card


def usage(locale: str | None) -> str:
    return t(locale, "intel.usage", limit=MAX_NOTE)


def rate(value: Fraction | None, locale: str | None) -> str:
    if value is None:
        return t(locale, "intel.rate.none")
    return format_percent(float(value), locale=babel_locale(locale))


def slack_date(epoch: int) -> str:
    """Shown in each reader's own time zone by Slack; the fallback is the UTC date."""
    fallback = dt.datetime.fromtimestamp(epoch, dt.UTC).date().isoformat()
    return f"<!date^{epoch}^{{date_short}}|{fallback}>"


def deal_line(deal: Deal, locale: str | None) -> str:
    reason = t(locale, "intel.card.reason", reason=bk.escape(deal.lost_reason)) if deal.lost_reason else ""
    return t(
        locale,
        "intel.card.deal",
        customer=bk.escape(deal.customer.name),
        amount=money(deal.amount_minor, deal.currency, locale),
        owner=deal.owner.slack_user_id,
        reason=reason,
    )


def card(info: CompetitorCard, locale: str | None) -> tuple[str, list[bk.Block]]:
    name = bk.escape(info.name)
    title = t(locale, "intel.card.title", competitor=info.name)  # plain text: a header needs no escaping
    blocks: list[bk.Block] = [
        bk.header(title),
        bk.section(
            t(locale, "intel.card.record", lost=info.lost, won=info.won, rate=rate(info.win_rate, locale)),
            block_id="intel_record",
        ),
    ]
    if info.notes:
        lines = [t(locale, "intel.card.notes", shown=len(info.notes), total=info.note_count)]
        lines += [
            t(
                locale,
                "intel.card.note",
                note=bk.escape(bk.truncate(" ".join(n.note.split()), NOTE_SHOWN)),
                author=n.author_user_id,
                date=slack_date(n.created_at_epoch),
            )
            for n in info.notes
        ]
        blocks.append(bk.section("\n".join(lines), block_id="intel_notes"))
    else:
        blocks.append(bk.context(t(locale, "intel.card.no_notes", competitor=name), block_id="intel_notes"))
    for key, deals, block_id in (
        ("intel.card.lost", info.recent_lost, "intel_lost"),
        ("intel.card.won", info.recent_won, "intel_won"),
    ):
        if deals:
            lines = [t(locale, key), *(deal_line(d, locale) for d in deals)]
            blocks.append(bk.section("\n".join(lines), block_id=block_id))
    return bk.escape(title), blocks


def competitor_list(rows: list[CompetitorSummary], locale: str | None) -> tuple[str, list[bk.Block]]:
    title = t(locale, "intel.list.title")
    if not rows:
        return t(locale, "intel.list.empty"), [bk.section(t(locale, "intel.list.empty"))]
    blocks: list[bk.Block] = [bk.header(title)]
    for index, row in enumerate(rows[:MAX_LIST_ROWS]):
        line = t(
            locale,
            "intel.list.line",
            competitor=bk.escape(row.name),
            lost=row.lost,
            won=row.won,
            rate=rate(row.win_rate, locale),
            notes=row.notes,
        )
        blocks.append(bk.section(line, block_id=f"intel_row_{index}"))
    if len(rows) > MAX_LIST_ROWS:
        blocks.append(bk.context(t(locale, "intel.list.more", count=len(rows) - MAX_LIST_ROWS)))
    return title, blocks
