"""Block Kit for contests: `/contest` standings and the job's announcements (pure functions)."""

from __future__ import annotations

import datetime as dt

from bot.kit import blocks as bk
from bot.kit.format import mention, money
from bot.kit.i18n import t
from bot.kit.views.leaderboard import day_text
from storage.contests import METRICS, Standings, status
from storage.models import Contest

Message = tuple[str, list[bk.Block]]


def metric_text(contest: Contest, currency: str, locale: str | None) -> str:
    return t(locale, f"contests.metric.{contest.metric}", currency=currency)


def who(standings: Standings, key: str, locale: str | None) -> str:
    return t(locale, f"contests.team.{key}") if standings.team else mention(key)


def value_text(standings: Standings, value: int, locale: str | None) -> str:
    if standings.contest.metric == "revenue":
        return money(value, standings.currency or "USD", locale)
    return str(value)


def rows_text(standings: Standings, locale: str | None) -> str:
    lines = [
        t(
            locale,
            "contests.row",
            rank=row.rank,
            who=who(standings, row.key, locale),
            value=value_text(standings, row.value, locale),
        )
        for row in standings.rows
    ]
    return "\n".join(lines) or t(locale, "contests.no_scores")


def details(contest: Contest, currency: str, locale: str | None) -> list[str]:
    texts = [
        t(
            locale,
            "contests.details",
            metric=metric_text(contest, currency, locale),
            start=day_text(contest.starts_on, locale),
            end=day_text(contest.ends_on, locale),
            kind=t(locale, "contests.kind.team" if contest.team_role else "contests.kind.individual"),
        )
    ]
    if contest.prize:
        texts.append(t(locale, "contests.prize", prize=bk.escape(contest.prize)))
    return texts


def contest_blocks(
    standings: Standings, currency: str, zone: str, now: dt.datetime, locale: str | None
) -> list[bk.Block]:
    """One contest: its name and state, its rules in a line, and the standings (none before it starts)."""
    contest = standings.contest
    state = status(contest, zone, now)
    heading = t(
        locale,
        "contests.heading",
        name=bk.escape(contest.name),
        id=contest.id,
        status=t(
            locale,
            f"contests.status.{state}",
            start=day_text(contest.starts_on, locale),
            end=day_text(contest.ends_on, locale),
        ),
    )
    blocks: list[bk.Block] = [
        bk.section(heading, block_id=f"contest_{contest.id}"),
        bk.context(*details(contest, currency, locale)),
    ]
    if state != "upcoming":
        blocks.append(bk.section(rows_text(standings, locale), block_id=f"contest_{contest.id}_standings"))
    return blocks


def overview(
    all_standings: list[Standings], currency: str, zone: str, now: dt.datetime, locale: str | None
) -> Message:
    """The ephemeral `/contest` answer: running and upcoming contests."""
    title = t(locale, "contests.title")
    if not all_standings:
        return t(locale, "contests.none"), [bk.section(t(locale, "contests.none"))]
    blocks: list[bk.Block] = [bk.header(title)]
    for index, standings in enumerate(all_standings):
        if index:
            blocks.append(bk.divider())
        blocks.extend(contest_blocks(standings, currency, zone, now, locale))
    return title, blocks


def one(standings: Standings, currency: str, zone: str, now: dt.datetime, locale: str | None) -> Message:
    return bk.escape(standings.contest.name), contest_blocks(standings, currency, zone, now, locale)


def _window_note(contest: Contest, zone: str, locale: str | None) -> bk.Block:
    return bk.context(
        t(
            locale,
            "contests.window",
            start=day_text(contest.starts_on, locale),
            end=day_text(contest.ends_on, locale),
            zone=zone,
        )
    )


def start_announcement(contest: Contest, currency: str, zone: str, locale: str | None) -> Message:
    """Posted once when the contest starts: what counts, the prize and the rules."""
    name = bk.escape(contest.name)
    text = t(locale, "contests.start.text", name=name, end=day_text(contest.ends_on, locale))
    rules = t(
        locale,
        "contests.rules.team" if contest.team_role else "contests.rules.individual",
        metric=metric_text(contest, currency, locale),
    )
    blocks = [
        bk.header(t(locale, "contests.start.title", name=contest.name)),
        bk.section(f"{text}\n{rules}", block_id="contest_start"),
    ]
    if contest.prize:
        blocks.append(bk.section(t(locale, "contests.prize", prize=bk.escape(contest.prize))))
    blocks.append(_window_note(contest, zone, locale))
    return text, blocks


def mid_announcement(standings: Standings, zone: str, locale: str | None) -> Message:
    """Posted once at the middle instant of the window: the standings so far."""
    contest = standings.contest
    text = t(locale, "contests.mid.text", name=bk.escape(contest.name))
    blocks = [
        bk.header(t(locale, "contests.mid.title", name=contest.name)),
        bk.section(text),
        bk.section(rows_text(standings, locale), block_id="contest_standings"),
        _window_note(contest, zone, locale),
    ]
    return text, blocks


def end_announcement(standings: Standings, zone: str, locale: str | None) -> Message:
    """Posted once after the window closes: the winners (ties share the win) and the final standings."""
    contest = standings.contest
    name = bk.escape(contest.name)
    winners = [who(standings, row.key, locale) for row in standings.winners]
    if not winners:
        text = t(locale, "contests.end.nobody", name=name)
    else:
        key = "contests.end.tie" if len(winners) > 1 else "contests.end.text"
        text = t(locale, key, name=name, winners=t(locale, "contests.and").join(winners))
    blocks: list[bk.Block] = [
        bk.header(t(locale, "contests.end.title", name=contest.name)),
        bk.section(text, block_id="contest_winners"),
    ]
    if standings.rows:
        blocks.append(bk.section(rows_text(standings, locale), block_id="contest_standings"))
    if contest.prize:
        blocks.append(bk.context(t(locale, "contests.prize", prize=bk.escape(contest.prize))))
    blocks.append(_window_note(contest, zone, locale))
    return text, blocks


def usage(zone: str, locale: str | None) -> str:
    return t(locale, "contests.usage", metrics=", ".join(METRICS), zone=zone)
