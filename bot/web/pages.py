"""The dashboard's pages: each is a list of tables read from the digests' and boards' own aggregates
(storage.metrics, storage.leaderboard, storage.scorecards), rendered as HTML or as one table's CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit.format import money, percent, stage_name
from bot.kit.i18n import t
from bot.web.html import link
from storage import leaderboard, metrics, scorecards
from storage.csv_format import CsvFile, amount_cell, text_cell
from storage.dashboard import (
    closed_against_competitors,
    created_per_window,
    hidden_from_public_boards,
    kudos_between,
    kudos_by_value,
)
from storage.models import Member, Workspace
from storage.periods import Period, workspace_zone

KINDS = ("week", "month", "quarter", "year", "custom")
TREND_WEEKS = 52
MAX_CUSTOM_DAYS = 366 * 2


@dataclass
class Viewer:
    workspace: Workspace
    member: Member

    @property
    def locale(self) -> str | None:
        return self.member.language or self.member.locale

    @property
    def manager(self) -> bool:
        return bool(self.member.is_manager)


@dataclass
class Section:
    key: str  # the CSV's name: /app/<page>.csv?table=<key>
    title: str
    columns: Sequence[str]
    rows: list[Sequence[object]] = field(default_factory=list)
    csv_columns: Sequence[str] | None = None  # the Slack export's columns, where there is one
    csv_rows: list[Sequence[str]] | None = None
    chart: bool = False
    sortable: bool = False
    figures: list[tuple[str, str, str]] = field(default_factory=list)  # (data key, label, value)
    meters: list[tuple[str, Decimal | None]] = field(default_factory=list)  # (label, percent)

    def csv(self) -> bytes:
        file = CsvFile(self.csv_columns or self.columns)
        for row in self.csv_rows if self.csv_rows is not None else self.rows:
            file.write([str(cell) for cell in row])
        return file.encoded()


class BadPeriod(ValueError):
    pass


def chosen_period(kind: str, at: str, start: str, end: str, now: dt.datetime, zone: str) -> Period:
    """The period a page shows: the week/month/quarter/year containing `at` (today by default), or
    a custom range of local days [start, end]."""
    try:
        if kind == "custom":
            first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
            if not first <= last or (last - first).days > MAX_CUSTOM_DAYS:
                raise BadPeriod(kind)
            return Period("custom", first, last + dt.timedelta(days=1))
        moment = dt.datetime.combine(dt.date.fromisoformat(at), dt.time(12), dt.UTC) if at else now
        return Period.containing(kind if kind in KINDS else "month", moment, zone if not at else "UTC")
    except ValueError as exc:
        raise BadPeriod(kind) from exc


def previous_of(period: Period) -> Period:
    if period.kind != "custom":
        return period.previous()
    length = period.end - period.start
    return Period("custom", period.start - length, period.start)


def _names(members: dict[str, tuple[str, str]], user: str) -> str:
    real, handle = members.get(user, ("", ""))
    return real or handle or user


def _money_rows(amounts: dict[str, int], locale: str | None) -> str:
    return " + ".join(money(v, c, locale) for c, v in sorted(amounts.items())) or "0"


# --- the pages ---------------------------------------------------------------------------------------


async def overview(session: AsyncSession, viewer: Viewer, period: Period) -> list[Section]:
    """The team's period: the digest's numbers (metrics.*) for any period, and goal attainment."""
    workspace, locale = viewer.workspace, viewer.locale
    zone = workspace_zone(workspace)
    window, previous = period.utc_bounds(zone), previous_of(period).utc_bounds(zone)
    closed, closed_before = (
        await metrics.closed_in(session, workspace.id, window),
        await metrics.closed_in(session, workspace.id, previous),
    )
    growth = metrics.revenue_growth(closed, closed_before, workspace.currency)
    deals = metrics.deals_growth(closed, closed_before)
    today = dt.datetime.now(dt.UTC).date()
    pipeline, _loads = await metrics.open_book(session, workspace.id, today, follow_ups=False)
    cycle = await metrics.average_cycle_days(session, workspace.id, window)
    figures = [
        ("won-count", t(locale, "dashboard.won"), str(metrics.count_of(closed, "won"))),
        ("lost-count", t(locale, "dashboard.lost"), str(metrics.count_of(closed, "lost"))),
        ("win-rate", t(locale, "dashboard.win_rate"), percent(metrics.win_rate(closed))),
        ("cycle-days", t(locale, "dashboard.cycle"), "—" if cycle is None else str(cycle)),
        ("deals-growth", t(locale, "dashboard.deals_growth"), percent(deals.percent, signed=True)),
    ]
    revenue = Section(
        "revenue", t(locale, "dashboard.revenue"),
        [t(locale, "dashboard.col.currency"), t(locale, "dashboard.col.won"), t(locale, "dashboard.col.growth")],
        figures=figures,
    )  # fmt: skip
    for currency, g in growth.items():
        revenue.rows.append([currency, money(g.now, currency, locale), percent(g.percent, signed=True)])
    revenue.csv_rows = [[c, amount_cell(g.now, c), str(g.percent or "")] for c, g in growth.items()]
    stages = Section(
        "pipeline", t(locale, "dashboard.pipeline"),
        [t(locale, "dashboard.col.stage"), t(locale, "dashboard.col.currency"), t(locale, "dashboard.col.deals"),
         t(locale, "dashboard.col.amount")],
        chart=True,
    )  # fmt: skip
    for s in pipeline:
        stages.rows.append(
            [stage_name(s.stage, locale), s.currency, s.count, money(s.amount_minor, s.currency, locale)]
        )
    stages.csv_rows = [
        [s.stage, s.currency, str(s.count), amount_cell(s.amount_minor, s.currency)] for s in pipeline
    ]
    return [revenue, stages, await goals(session, viewer, period)]


async def goals(session: AsyncSession, viewer: Viewer, period: Period) -> Section:
    """Goal attainment per rep: the scorecards' goal_percent (for calendar periods)."""
    locale = viewer.locale
    section = Section("goals", t(locale, "dashboard.goals"), [t(locale, "dashboard.col.member"), "%"])
    if period.kind == "custom":
        return section
    cards = await _cards(session, viewer, period)
    for card in cards:
        if card.goal_percent is not None:
            name = card.member.real_name or card.member.name
            section.rows.append([name, percent(card.goal_percent)])
            section.meters.append((name, card.goal_percent))
    return section


async def _cards(session: AsyncSession, viewer: Viewer, period: Period) -> list[scorecards.Scorecard]:
    members = await scorecards.scored_members(session, viewer.workspace.id)
    moment = dt.datetime.combine(period.start, dt.time(12), dt.UTC)
    cards = await scorecards.scorecards(session, viewer.workspace, members, period.kind, moment)
    return scorecards.ranked(cards, viewer.workspace.currency)


def _card_row(card: scorecards.Scorecard, rank: int, currency: str, locale: str | None) -> list[object]:
    return [rank, card.member.real_name or card.member.name, money(card.revenue.get(currency, 0), currency, locale),
            percent(card.goal_percent), card.deals_won, card.deals_lost, percent(card.win_rate),
            card.activities, "—" if card.csat is None else str(card.csat), card.kudos, card.feedback]  # fmt: skip


def _card_columns(locale: str | None) -> list[str]:
    keys = (
        "rank",
        "member",
        "revenue",
        "goal",
        "won",
        "lost",
        "win_rate",
        "activities",
        "csat",
        "kudos",
        "feedback",
    )
    return [t(locale, f"dashboard.col.{key}") for key in keys]


async def reps(session: AsyncSession, viewer: Viewer, period: Period) -> list[Section]:
    """Every rep's scorecard (as /scorecard team, same CSV columns) and their workload."""
    locale, currency = viewer.locale, viewer.workspace.currency
    kind = "month" if period.kind == "custom" else period.kind
    period = Period(kind, period.start, period.end)
    cards = await _cards(session, viewer, period)
    table = Section("scorecards", t(locale, "dashboard.reps"), _card_columns(locale), sortable=True,
                    csv_columns=scorecards.TEAM_COLUMNS)  # fmt: skip
    table.rows = [
        [*_card_row(card, rank, currency, locale)[:1],
         _RepLink(card.member.slack_user_id, card.member.real_name or card.member.name),
         *_card_row(card, rank, currency, locale)[2:]]
        for rank, card in enumerate(cards, 1)
    ]  # fmt: skip
    table.csv_rows = _csv_rows(scorecards.team_csv(cards, currency))
    today = dt.datetime.now(dt.UTC).date()
    _pipeline, loads = await metrics.open_book(session, viewer.workspace.id, today)
    names = await leaderboard.member_names(
        session, viewer.workspace.id, [load.slack_user_id for load in loads]
    )
    load = Section("workload", t(locale, "dashboard.workload"),
                   [t(locale, "dashboard.col.member"), t(locale, "dashboard.col.open"),
                    t(locale, "dashboard.col.overdue"), t(locale, "dashboard.col.past_close")], sortable=True)  # fmt: skip
    load.rows = [
        [_names(names, r.slack_user_id), r.open_deals, r.overdue_follow_ups, r.past_expected_close]
        for r in loads
    ]
    return [table, load]


def _csv_rows(data: bytes) -> list[Sequence[str]]:
    """The rows of a CSV storage wrote (the Slack export's), to serve as they are."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]


@dataclass(frozen=True)
class _RepLink:
    """A rep's name in a table, linking to their page."""

    user_id: str
    name: str

    def __html__(self) -> str:
        return str(link(f"/app/reps/{self.user_id}", self.name))

    def __str__(self) -> str:
        return self.name


async def rep(session: AsyncSession, viewer: Viewer, member: Member, period: Period) -> list[Section]:
    """One rep's scorecard (their own page, or a manager's view of it)."""
    locale, currency = viewer.locale, viewer.workspace.currency
    kind = "month" if period.kind == "custom" else period.kind
    moment = dt.datetime.combine(period.start, dt.time(12), dt.UTC)
    card = await scorecards.scorecard(session, viewer.workspace, member, kind, moment)
    section = Section("scorecard", member.real_name or member.name, _card_columns(locale))
    section.rows = [_card_row(card, 1, currency, locale)]
    section.csv_columns = scorecards.TEAM_COLUMNS
    section.csv_rows = _csv_rows(scorecards.team_csv([card], currency))
    if card.goal_percent is not None:
        section.meters.append((t(locale, "dashboard.goals"), card.goal_percent))
    return [section, await rep_trend(session, viewer, member, period)]


async def boards(session: AsyncSession, viewer: Viewer, period: Period) -> list[Section]:
    """The public leaderboards (as /leaderboard): revenue, deals won, kudos; opted-out members unnamed
    for everyone but managers."""
    workspace, locale = viewer.workspace, viewer.locale
    zone = workspace_zone(workspace)
    window, previous = period.utc_bounds(zone), previous_of(period).utc_bounds(zone)
    hidden = set() if viewer.manager else await hidden_from_public_boards(session, workspace.id)
    found = await leaderboard.boards(session, workspace, ("revenue", "deals", "kudos"), window, previous)
    users = [row.key for b in found for row in b.rows]
    names = await leaderboard.member_names(session, workspace.id, users)
    out = []
    for b in found:
        section = Section(f"board-{b.metric}", t(locale, f"dashboard.board.{b.metric}"),
                          [t(locale, "dashboard.col.rank"), t(locale, "dashboard.col.member"),
                           t(locale, "dashboard.col.value")], chart=True)  # fmt: skip
        for row in b.rows:
            if row.key in hidden:
                continue
            value = (
                money(row.value, b.currency, locale) if b.metric == "revenue" and b.currency else row.value
            )
            section.rows.append([row.rank, _names(names, row.key), value])
        out.append(section)
    return out


def trend_weeks(period: Period) -> list[Period]:
    """The 52 ISO weeks up to the one holding the period's last day."""
    last_day = dt.datetime.combine(period.end - dt.timedelta(days=1), dt.time(12), dt.UTC)
    last = Period.containing("week", last_day, "UTC")
    return [
        Period("week", last.start - dt.timedelta(weeks=back), last.start - dt.timedelta(weeks=back - 1))
        for back in range(TREND_WEEKS - 1, -1, -1)
    ]


async def trends(session: AsyncSession, viewer: Viewer, period: Period) -> list[Section]:
    """Revenue won (leaderboard.won_per_window, as the weekly chart) and pipeline created per week, for
    the 52 weeks up to the period's end."""
    workspace, locale = viewer.workspace, viewer.locale
    currency, zone = workspace.currency, workspace_zone(workspace)
    weeks = trend_weeks(period)
    windows = [w.utc_bounds(zone) for w in weeks]
    won = await leaderboard.won_per_window(session, workspace.id, currency, windows)
    created = await created_per_window(session, workspace.id, currency, windows)
    section = Section("revenue-weeks", t(locale, "dashboard.trends"),
                      [t(locale, "dashboard.col.week"), t(locale, "dashboard.col.created"), t(locale, "dashboard.col.won")],
                      chart=True)  # fmt: skip
    rows = list(zip(weeks, created, won, strict=True))
    section.rows = [[w.key, money(c, currency, locale), money(v, currency, locale)] for w, c, v in rows]
    section.csv_rows = [[w.key, amount_cell(c, currency), amount_cell(v, currency)] for w, c, v in rows]
    return [section]


async def rep_trend(session: AsyncSession, viewer: Viewer, member: Member, period: Period) -> Section:
    """One rep's revenue won per week (leaderboard.won_per_window for their deals)."""
    workspace, locale = viewer.workspace, viewer.locale
    weeks = trend_weeks(period)
    windows = [w.utc_bounds(workspace_zone(workspace)) for w in weeks]
    won = await leaderboard.won_per_window(
        session, workspace.id, workspace.currency, windows, owner_id=member.id
    )
    section = Section("revenue-weeks", t(locale, "dashboard.rep_trend"),
                      [t(locale, "dashboard.col.week"), t(locale, "dashboard.col.won")], chart=True)  # fmt: skip
    section.rows = [[w.key, money(v, workspace.currency, locale)] for w, v in zip(weeks, won, strict=True)]
    section.csv_rows = [[w.key, amount_cell(v, workspace.currency)] for w, v in zip(weeks, won, strict=True)]
    return section


async def funnel(session: AsyncSession, viewer: Viewer, period: Period) -> list[Section]:
    """Stage conversion of the cohort, as the digest defines it (metrics.conversion_rates)."""
    workspace, locale = viewer.workspace, viewer.locale
    window = period.utc_bounds(workspace_zone(workspace))
    rates = await metrics.conversion_rates(session, workspace.id, metrics.cohort_for(window))
    section = Section("funnel", t(locale, "dashboard.funnel"),
                      [t(locale, "dashboard.col.from"), t(locale, "dashboard.col.to"), t(locale, "dashboard.col.reached"),
                       t(locale, "dashboard.col.dropped"), t(locale, "dashboard.col.rate")], chart=True)  # fmt: skip
    for c in rates:
        section.rows.append([stage_name(c.from_stage, locale), stage_name(c.to_stage, locale),
                             f"{c.reached_to}/{c.reached_from}", c.reached_from - c.reached_to, percent(c.rate)])  # fmt: skip
    section.csv_rows = [[c.from_stage, c.to_stage, f"{c.reached_to}/{c.reached_from}",
                         str(c.reached_from - c.reached_to), str(c.rate or "")] for c in rates]  # fmt: skip
    return [section]


async def recognition(session: AsyncSession, viewer: Viewer, period: Period) -> list[Section]:
    """Kudos received in the period (the boards' kudos_received); opted-out members only for managers."""
    workspace, locale = viewer.workspace, viewer.locale
    window = period.utc_bounds(workspace_zone(workspace))
    counts = await leaderboard.kudos_received(session, workspace.id, window)
    hidden = set() if viewer.manager else await hidden_from_public_boards(session, workspace.id)
    names = await leaderboard.member_names(session, workspace.id, counts)
    section = Section("kudos", t(locale, "dashboard.recognition"),
                      [t(locale, "dashboard.col.member"), t(locale, "dashboard.col.kudos")], chart=True, sortable=True)  # fmt: skip
    ranked = sorted(
        ((u, n) for u, n in counts.items() if u not in hidden), key=lambda item: (-item[1], item[0])
    )
    section.rows = [[_names(names, u), n] for u, n in ranked]
    section.csv_rows = [[text_cell(_names(names, u)), str(n)] for u, n in ranked]
    pairs = {
        pair: n
        for pair, n in (await kudos_between(session, workspace.id, window)).items()
        if not set(pair) & hidden
    }
    names = await leaderboard.member_names(session, workspace.id, {user for pair in pairs for user in pair})
    flow = Section("kudos-flow", t(locale, "dashboard.kudos_flow"),
                   [t(locale, "dashboard.col.giver"), t(locale, "dashboard.col.receiver"), t(locale, "dashboard.col.kudos")],
                   sortable=True)  # fmt: skip
    ordered = sorted(pairs.items(), key=lambda item: (-item[1], item[0]))
    flow.rows = [[_names(names, g), _names(names, r), n] for (g, r), n in ordered]
    flow.csv_rows = [[g, r, str(n)] for (g, r), n in ordered]
    values = Section("kudos-values", t(locale, "dashboard.kudos_values"),
                     [t(locale, "dashboard.col.value_name"), t(locale, "dashboard.col.kudos")], chart=True)  # fmt: skip
    values.rows = [[value, n] for value, n in await kudos_by_value(session, workspace.id, window)]
    values.csv_rows = [[text_cell(value), str(n)] for value, n in values.rows]
    return [section, flow, values]


async def competitors(session: AsyncSession, viewer: Viewer, period: Period) -> list[Section]:
    """Deals lost per competitor in the period (the digest's metrics.lost_by_competitor)."""
    workspace, locale = viewer.workspace, viewer.locale
    window = period.utc_bounds(workspace_zone(workspace))
    lost = await metrics.lost_by_competitor(session, workspace.id, window)
    section = Section("competitors", t(locale, "dashboard.competitors"),
                      [t(locale, "dashboard.col.competitor"), t(locale, "dashboard.col.lost")], chart=True)  # fmt: skip
    section.rows = [[name or t(locale, "dashboard.unnamed"), n] for name, n in lost]
    section.csv_rows = [[text_cell(name or ""), str(n)] for name, n in lost]
    against = await closed_against_competitors(session, workspace.id, window)
    rates = Section("win-rate", t(locale, "dashboard.win_rate_against"),
                    [t(locale, "dashboard.col.competitor"), t(locale, "dashboard.col.won"), t(locale, "dashboard.col.lost"),
                     t(locale, "dashboard.col.win_rate")], sortable=True)  # fmt: skip
    rows = sorted(against.items(), key=lambda item: (-sum(item[1]), item[0].lower()))
    rates.rows = [
        [name, won, lost_n, percent(metrics.ratio(won, won + lost_n))] for name, (won, lost_n) in rows
    ]
    rates.csv_rows = [[text_cell(name), str(won), str(lost_n), str(metrics.ratio(won, won + lost_n) or "")]
                      for name, (won, lost_n) in rows]  # fmt: skip
    return [section, rates]


# page → (builder, managers only)
PAGES: dict[str, tuple[Callable, bool]] = {
    "overview": (overview, True),
    "boards": (boards, False),
    "trends": (trends, True),
    "funnel": (funnel, True),
    "reps": (reps, True),
    "recognition": (recognition, False),
    "competitors": (competitors, True),
}
