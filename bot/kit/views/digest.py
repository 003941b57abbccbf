"""Block Kit for the manager digests (pure): a handful of sections, far under Slack's 50 blocks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from bot.kit import blocks as bk
from bot.kit.format import DASH, mention, money, percent, plural, stage_name
from bot.kit.i18n import t
from bot.kit.views.goals import goal_line
from bot.kit.views.leaderboard import day_text
from storage.goals import Attainment
from storage.metrics import COHORT_DAYS, Digest, StageAmount

MAX_LINES = 15  # per section; the rest are counted in a "…and N more" line
BLOCKER_CHARS = 200


def amounts(rows: list[StageAmount], first: str, locale: str | None) -> str:
    by_currency: dict[str, int] = defaultdict(int)
    for row in rows:
        by_currency[row.currency] += row.amount_minor
    codes = sorted(by_currency, key=lambda c: (c != first, c))
    return ", ".join(money(by_currency[c], c, locale) for c in codes) or DASH


def _section(title: str, lines: list[str], locale: str | None, block_id: str) -> bk.Block:
    shown = lines[:MAX_LINES]
    if len(lines) > MAX_LINES:
        shown.append(t(locale, "digests.more", count=len(lines) - MAX_LINES))
    return bk.section("\n".join([title, *(shown or [t(locale, "digests.none")])]), block_id=block_id)


def digest(
    d: Digest, locale: str | None, goals: list[Attainment] | None = None
) -> tuple[str, list[bk.Block]]:
    """(fallback text, blocks) of one manager's digest; `goals` adds the goal attainment section."""
    start = day_text(d.period.start, locale)
    end = day_text(d.period.end - dt.timedelta(days=1), locale)
    text = t(locale, f"digests.text.{d.kind}", start=start, end=end)
    blocks: list[bk.Block] = [bk.header(t(locale, f"digests.title.{d.kind}", start=start, end=end))]

    by_stage: dict[str, list[StageAmount]] = defaultdict(list)
    for row in d.pipeline:
        by_stage[row.stage].append(row)
    pipeline = [
        t(
            locale,
            "digests.pipeline.line",
            stage=stage_name(stage, locale),
            count=sum(r.count for r in rows),
            amounts=amounts(rows, d.currency, locale),
        )
        for stage, rows in by_stage.items()
    ]
    blocks.append(_section(t(locale, "digests.pipeline.title"), pipeline, locale, "digest_pipeline"))

    won, lost = d.won(), d.lost()
    results = [
        t(
            locale,
            "digests.results.won",
            count=sum(r.count for r in won),
            amounts=amounts(won, d.currency, locale),
        ),
        t(
            locale,
            "digests.results.lost",
            count=sum(r.count for r in lost),
            amounts=amounts(lost, d.currency, locale),
        ),
    ]
    blocks.append(_section(t(locale, "digests.results.title"), results, locale, "digest_results"))

    growth = [
        t(
            locale,
            "digests.growth.revenue",
            currency=code,
            now=money(g.now, code, locale),
            before=money(g.before, code, locale),
            percent=percent(g.percent, signed=True),
        )
        for code, g in d.revenue_growth.items()
    ]
    growth.append(
        t(
            locale,
            "digests.growth.deals",
            now=d.deals_growth.now,
            before=d.deals_growth.before,
            percent=percent(d.deals_growth.percent, signed=True),
        )
    )
    won_count = sum(r.count for r in won)
    growth.append(
        t(
            locale,
            "digests.rates.win",
            rate=percent(d.win_rate),
            won=won_count,
            closed=won_count + sum(r.count for r in lost),
        )
    )
    growth.append(
        t(locale, "digests.rates.cycle", days=d.cycle_days)
        if d.cycle_days is not None
        else t(locale, "digests.rates.cycle_none")
    )
    blocks.append(_section(t(locale, f"digests.growth.title.{d.kind}"), growth, locale, "digest_growth"))

    conversion = [
        t(
            locale,
            "digests.conversion.line",
            from_stage=stage_name(c.from_stage, locale),
            to_stage=stage_name(c.to_stage, locale),
            rate=percent(c.rate),
            reached_from=c.reached_from,
            reached_to=c.reached_to,
        )
        for c in d.conversions
    ]
    blocks.append(
        _section(
            t(locale, "digests.conversion.title", days=COHORT_DAYS), conversion, locale, "digest_conversion"
        )
    )

    workload = [
        t(
            locale,
            "digests.workload.line",
            who=mention(r.slack_user_id),
            open=r.open_deals,
            overdue=plural(locale, "digests.workload.overdue", r.overdue_follow_ups),
            late=r.past_expected_close,
        )
        for r in d.workload
    ]
    blocks.append(_section(t(locale, "digests.workload.title"), workload, locale, "digest_workload"))

    if d.blockers:
        lines = [
            t(
                locale,
                "digests.blockers.line",
                who=mention(b.slack_user_id),
                day=day_text(b.day, locale),
                text=bk.escape(bk.truncate(" ".join(b.text.split()), BLOCKER_CHARS)),
            )
            for b in d.blockers
        ]
        blocks.append(_section(t(locale, "digests.blockers.title"), lines, locale, "digest_blockers"))
    if d.kudos:
        lines = [t(locale, "digests.kudos.line", who=mention(user), count=n) for user, n in d.kudos]
        blocks.append(_section(t(locale, "digests.kudos.title"), lines, locale, "digest_kudos"))
    if d.competitors:
        lines = [
            t(
                locale,
                "digests.competitors.line",
                name=bk.escape(name) if name else t(locale, "digests.competitors.unnamed"),
                count=n,
            )
            for name, n in d.competitors
        ]
        blocks.append(_section(t(locale, "digests.competitors.title"), lines, locale, "digest_competitors"))
    if goals:
        lines = [_goal_owner(row, locale) + goal_line(row, locale) for row in goals[:15]]
        blocks.append(_section(t(locale, "digests.goals.title"), lines, locale, "digest_goals"))
    return text, blocks


def _goal_owner(row: Attainment, locale: str | None) -> str:
    return mention(row.slack_user_id) + " " if row.slack_user_id else t(locale, "digests.goals.team") + " "
