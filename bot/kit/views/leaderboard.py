"""Block Kit for leaderboards: the weekly post and the `/leaderboard` answer (pure functions)."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

from bot.kit import blocks as bk
from bot.kit.format import mention, money
from bot.kit.i18n import babel_locale, t
from storage.leaderboard import Board, Movement
from storage.periods import Period


def day_text(day: dt.date, locale: str | None) -> str:
    return format_date(day, format="medium", locale=babel_locale(locale))


def movement_text(move: Movement, locale: str | None) -> str:
    if move.kind in ("up", "down"):
        return t(locale, f"leaderboard.move.{move.kind}", places=move.places)
    return t(locale, f"leaderboard.move.{move.kind}")


def value_text(board: Board, value: int, locale: str | None, currency: str | None = None) -> str:
    if board.metric == "revenue":
        return money(value, currency or board.currency or "USD", locale)
    return str(value)


def board_blocks(board: Board, locale: str | None) -> list[bk.Block]:
    title = t(locale, f"leaderboard.metric.{board.metric}", currency=board.currency or "")
    lines = [
        t(
            locale,
            "leaderboard.row",
            rank=row.rank,
            who=mention(row.key),
            value=value_text(board, row.value, locale),
            movement=movement_text(row.movement, locale),
        )
        for row in board.rows
    ] or [t(locale, "leaderboard.empty")]
    blocks = [bk.section("\n".join([title, *lines]), block_id=f"leaderboard_{board.metric}")]
    others = [
        t(
            locale,
            "leaderboard.others",
            currency=code,
            rows=", ".join(
                f"{mention(user)} {value_text(board, value, locale, code)}" for user, value in rows
            ),
        )
        for code, rows in board.others.items()
    ]
    if others:
        blocks.append(bk.context(*others, block_id=f"leaderboard_{board.metric}_others"))
    return blocks


def _compose(
    title: str, boards: list[Board], period: Period, last_day: dt.date, zone: str, locale: str | None
) -> list[bk.Block]:
    blocks: list[bk.Block] = [bk.header(title)]
    for board in boards:
        blocks.extend(board_blocks(board, locale))
    blocks.append(
        bk.context(
            t(
                locale,
                "leaderboard.footer",
                start=day_text(period.start, locale),
                end=day_text(last_day, locale),
                zone=zone,
                previous=t(locale, f"leaderboard.previous.{period.kind}"),
            ),
            block_id="leaderboard_footer",
        )
    )
    return blocks


def on_demand(
    boards: list[Board], period: Period, zone: str, locale: str | None
) -> tuple[str, list[bk.Block]]:
    """The ephemeral `/leaderboard` answer for a whole calendar period in the member's zone."""
    title = t(locale, "leaderboard.title", period=t(locale, f"leaderboard.period.{period.kind}"))
    last_day = period.end - dt.timedelta(days=1)
    return title, _compose(title, boards, period, last_day, zone, locale)


def weekly(
    boards: list[Board], period: Period, today: dt.date, zone: str, locale: str | None
) -> tuple[str, list[bk.Block]]:
    """The Friday post: the ISO week from Monday up to `today`, in the workspace's zone."""
    start, end = day_text(period.start, locale), day_text(today, locale)
    title = t(locale, "leaderboard.weekly.title", start=start, end=end)
    text = t(locale, "leaderboard.weekly.text", start=start, end=end)
    return text, _compose(title, boards, period, today, zone, locale)


def usage(locale: str | None) -> str:
    return t(locale, "leaderboard.usage")
