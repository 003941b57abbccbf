"""Manager digests: each number against a hand-computed value, and the DM's timing per manager zone.

The seeded workspace is in Asia/Shanghai (UTC+8). The reference day W is Monday 2026-11-23 there,
[2026-11-22 16:00Z, 2026-11-23 16:00Z); P, the day before, is [2026-11-21 16:00Z, 2026-11-22 16:00Z).

    deal  owner  amount     created           stage history                       closed
    A     ana    $10,000    11-13 16:00Z      lead qualified proposal won         11-23 04:00Z  (9.5 days)
    B     li     $5,000     11-20 04:00Z      lead qualified won                  11-23 10:00Z  (3.25 days)
    C     sam    €2,000     11-21 16:00Z      proposal won                        11-23 12:00Z  (1.833 days)
    D     sam    $3,000     11-10             lead qualified proposal negotiation lost 11-23 06:00Z  Globex
    E     ana    $1,000     11-15             lead lost                           11-23 07:00Z  "globex "
    F     li     $2,000     11-16             lead qualified lost                 11-23 08:00Z  (none named)
    G     ana    $8,000     11-01             lead won                            11-22 03:00Z  (in P)
    H     li     $4,000     10-01             lead won                            11-21 20:00Z  (in P)
    I     sam    $700       11-23 15:00Z      lead won                            11-23 16:00Z  (the next day)
    J     ana    $20,000    11-18             lead (open, expected close 11-20)
    K     ana    $5,000     11-19             lead qualified proposal (open, expected 12-31)
    L     li     ¥100,000   06-01             lead qualified proposal negotiation (open, expected 11-23)
    M     sam    $1,500     11-22             proposal (open)

Funnel cohort (created in the 90 days before W's end: all but L, 12 deals), furthest stage reached:
A B C G H I won; D negotiation; K M proposal; F qualified; E J lead. So reached lead 12, qualified
10, proposal 9, negotiation 7, won 6: 83.3%, 90.0%, 77.8%, 85.7%.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import time_machine
from sqlalchemy import select

from bot.slack import make_client
from jobs import JOBS
from jobs.base import JobContext, JobServices
from jobs.digests import send_daily_digests, send_weekly_digests
from jobs.runner import run_job
from storage import metrics
from storage.db import Database
from storage.metrics import Blocker, Conversion, Growth, RepLoad, StageAmount
from storage.models import Customer, JobRun, Member, StandupRun, Workspace
from storage.workspaces import Profile, WorkspaceDefaults, ensure_workspace, save_member, update_workspace
from tests.factories import (
    CustomerFactory,
    DealFactory,
    DealStageChangeFactory,
    HolidayFactory,
    StandupAnswerFactory,
    StandupFactory,
    StandupRunFactory,
    give_kudos,
    persist,
)

W = (dt.datetime(2026, 11, 22, 16, tzinfo=dt.UTC), dt.datetime(2026, 11, 23, 16, tzinfo=dt.UTC))
P = (dt.datetime(2026, 11, 21, 16, tzinfo=dt.UTC), dt.datetime(2026, 11, 22, 16, tzinfo=dt.UTC))
TODAY = dt.date(2026, 11, 24)
TUESDAY_0830_SHANGHAI = dt.datetime(2026, 11, 24, 0, 30, tzinfo=dt.UTC)
TUESDAY_0830_NEW_YORK = dt.datetime(2026, 11, 24, 13, 30, tzinfo=dt.UTC)
PEOPLE = {  # slack id: (name, zone, role, admin, bot, deleted)
    "U0001": ("boss", "Asia/Shanghai", "rep", True, False, False),  # a workspace admin: a manager
    "U0006": ("nora", "America/New_York", "manager", False, False, False),
    "U0002": ("ana", "Asia/Shanghai", "rep", False, False, False),
    "U0003": ("li", "Asia/Shanghai", "rep", False, False, False),
    "U0004": ("sam", "Asia/Shanghai", "rep", False, False, False),
    "UBOT2": ("helper", "UTC", "rep", True, True, False),  # an admin bot: no digest
    "U0009": ("gone", "Asia/Shanghai", "manager", False, False, True),  # a manager who left: none
}


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


class Seeded:
    workspace: Workspace
    members: dict[str, Member]
    customer: Customer


async def seed(app) -> Seeded:
    s = Seeded()
    for user, (name, zone, _role, admin, bot, deleted) in PEOPLE.items():
        app.fake.add_user(user, name=name, tz=zone, is_admin=admin, is_bot=bot, deleted=deleted)
    async with app.db.session() as session:
        workspace = await ensure_workspace(
            session, "T0001", defaults=WorkspaceDefaults(timezone="Asia/Shanghai")
        )
        s.workspace = await update_workspace(session, workspace, timezone="Asia/Shanghai", currency="USD")
        s.members = {}
        for user, (name, zone, role, admin, bot, deleted) in PEOPLE.items():
            profile = Profile(
                name=name, timezone=zone, locale="en-US", is_admin=admin, is_bot=bot, deleted=deleted
            )
            member = await save_member(session, s.workspace.id, user, profile)
            member.role = role
            s.members[user] = member
        [s.customer] = await persist(session, CustomerFactory(workspace=s.workspace, name="Acme"))
    return s


async def add_deal(app, s: Seeded, owner: str, minor: int, stages: str, created: str, closed: str | None = None,
                   *, currency: str = "USD", expected: str | None = None, competitor: str | None = None) -> None:  # fmt: skip
    path = stages.split()
    member = s.members[owner]
    async with app.db.session() as session:
        [deal] = await persist(session, DealFactory(
            owner=member, customer=s.customer, amount_minor=minor, currency=currency, stage=path[-1],
            created_at=utc(created), closed_at=utc(closed) if closed else None,
            expected_close=dt.date.fromisoformat(expected) if expected else None, competitor=competitor,
        ))  # fmt: skip
        await persist(session, *(
            DealStageChangeFactory(deal=deal, from_stage=previous, to_stage=stage,
                                   changed_at=utc(closed) if closed and stage in ("won", "lost") else utc(created))
            for previous, stage in zip([None, *path], path, strict=False)
        ))  # fmt: skip


async def add_customer(app, s: Seeded, name: str, owner: str | None, follow_up: str | None) -> None:
    async with app.db.session() as session:
        await persist(
            session,
            CustomerFactory(
                workspace=s.workspace,
                name=name,
                owner=s.members[owner] if owner else None,
                next_follow_up=dt.date.fromisoformat(follow_up) if follow_up else None,
            ),
        )


async def add_kudos(app, s: Seeded, receiver: str, at: str, times: int) -> None:
    async with app.db.session() as session:
        for _ in range(times):
            await give_kudos(session, s.members["U0001"], [s.members[receiver]], created_at=utc(at))


async def add_blockers(app, s: Seeded, answers: list[tuple[str, str, str]]) -> None:
    async with app.db.session() as session:
        [standup] = await persist(session, StandupFactory(
            created_by=s.members["U0001"], channel_id="C0STAND", questions=["Blockers?"], weekdays=[0, 1], at="09:00"
        ))  # fmt: skip
        runs: dict[str, StandupRun] = {}
        for user, day, blockers in answers:
            if day not in runs:
                [runs[day]] = await persist(
                    session, StandupRunFactory(standup=standup, day=dt.date.fromisoformat(day))
                )
            await persist(session, StandupAnswerFactory(run=runs[day], member=s.members[user], answers=[blockers],
                                                        blockers=blockers))  # fmt: skip


async def seed_data(app) -> Seeded:
    s = await seed(app)
    await add_deal(
        app, s, "U0002", 1_000_000, "lead qualified proposal won", "2026-11-13T16:00", "2026-11-23T04:00"
    )
    await add_deal(app, s, "U0003", 500_000, "lead qualified won", "2026-11-20T04:00", "2026-11-23T10:00")
    await add_deal(
        app, s, "U0004", 200_000, "proposal won", "2026-11-21T16:00", "2026-11-23T12:00", currency="EUR"
    )
    await add_deal(app, s, "U0004", 300_000, "lead qualified proposal negotiation lost", "2026-11-10T00:00",
                   "2026-11-23T06:00", competitor="Globex")  # fmt: skip
    await add_deal(
        app, s, "U0002", 100_000, "lead lost", "2026-11-15T00:00", "2026-11-23T07:00", competitor="globex "
    )
    await add_deal(app, s, "U0003", 200_000, "lead qualified lost", "2026-11-16T00:00", "2026-11-23T08:00")
    await add_deal(app, s, "U0002", 800_000, "lead won", "2026-11-01T00:00", "2026-11-22T03:00")
    await add_deal(app, s, "U0003", 400_000, "lead won", "2026-10-01T00:00", "2026-11-21T20:00")
    await add_deal(app, s, "U0004", 70_000, "lead won", "2026-11-23T15:00", "2026-11-23T16:00")
    await add_deal(app, s, "U0002", 2_000_000, "lead", "2026-11-18T00:00", expected="2026-11-20")
    await add_deal(
        app, s, "U0002", 500_000, "lead qualified proposal", "2026-11-19T00:00", expected="2026-12-31"
    )
    await add_deal(app, s, "U0003", 10_000_000, "lead qualified proposal negotiation", "2026-06-01T00:00",
                   currency="CNY", expected="2026-11-23")  # fmt: skip
    await add_deal(app, s, "U0004", 150_000, "proposal", "2026-11-22T00:00")
    # follow-ups: overdue before the 24th for ana (Acme2), sam (Crux) and li (Echo); not Bolt (today) or Dyna
    await add_customer(app, s, "Acme2", "U0002", "2026-11-20")
    await add_customer(app, s, "Bolt", "U0002", "2026-11-24")
    await add_customer(app, s, "Crux", "U0004", "2026-11-01")
    await add_customer(app, s, "Dyna", "U0003", None)
    await add_customer(app, s, "Echo", "U0003", "2026-11-23")
    # kudos on W: li 3, ana 2, sam 1; on P ana 4 (not counted)
    await add_kudos(app, s, "U0003", "2026-11-23T02:00", 3)
    await add_kudos(app, s, "U0002", "2026-11-23T03:00", 2)
    await add_kudos(app, s, "U0004", "2026-11-23T04:00", 1)
    await add_kudos(app, s, "U0002", "2026-11-22T04:00", 4)
    await add_blockers(app, s, [
        ("U0002", "2026-11-23", "Waiting on <legal> & pricing"),
        ("U0003", "2026-11-23", ""),
        ("U0004", "2026-11-23", "   "),
        ("U0004", "2026-11-22", "an old blocker"),
    ])  # fmt: skip
    return s


# --- the numbers ---------------------------------------------------------------------------------


async def test_each_metric_against_hand_computed_values(app):
    s = await seed_data(app)
    ws = s.workspace.id
    async with app.db.session() as session:
        assert await metrics.pipeline_by_stage(session, ws) == [
            StageAmount("lead", "USD", 1, 2_000_000),
            StageAmount("proposal", "USD", 2, 650_000),
            StageAmount("negotiation", "CNY", 1, 10_000_000),
        ]
        closed = await metrics.closed_in(session, ws, W)
        assert closed == [
            StageAmount("won", "EUR", 1, 200_000),
            StageAmount("won", "USD", 2, 1_500_000),
            StageAmount("lost", "USD", 3, 600_000),
        ]
        before = await metrics.closed_in(session, ws, P)
        assert before == [StageAmount("won", "USD", 2, 1_200_000)]
        assert metrics.win_rate(closed) == Decimal("50.0")
        assert metrics.revenue_growth(closed, before, "USD") == {
            "USD": Growth(1_500_000, 1_200_000),
            "EUR": Growth(200_000, 0),
        }
        assert [g.percent for g in metrics.revenue_growth(closed, before, "USD").values()] == [
            Decimal("25.0"),
            None,
        ]
        assert metrics.deals_growth(closed, before).percent == Decimal("50.0")
        assert await metrics.conversion_rates(session, ws, metrics.cohort_for(W)) == [
            Conversion("lead", "qualified", 12, 10),
            Conversion("qualified", "proposal", 10, 9),
            Conversion("proposal", "negotiation", 9, 7),
            Conversion("negotiation", "won", 7, 6),
        ]
        assert [c.rate for c in await metrics.conversion_rates(session, ws, metrics.cohort_for(W))] == [
            Decimal("83.3"), Decimal("90.0"), Decimal("77.8"), Decimal("85.7"),
        ]  # fmt: skip
        assert await metrics.average_cycle_days(session, ws, W) == Decimal("4.9")  # (9.5 + 3.25 + 1.833) / 3
        assert await metrics.average_cycle_days(session, ws, P) == Decimal("36.5")  # (21.125 + 51.833) / 2
        assert await metrics.average_cycle_days(session, ws, (W[1], W[1] + dt.timedelta(hours=1))) == Decimal(
            "0.0"
        )  # I: one hour
        assert await metrics.average_cycle_days(session, ws, (P[0] - dt.timedelta(days=1), P[0])) is None
        assert await metrics.workload(session, ws, TODAY) == [
            RepLoad("U0002", open_deals=2, overdue_follow_ups=1, past_expected_close=1),
            RepLoad("U0003", open_deals=1, overdue_follow_ups=1, past_expected_close=1),
            RepLoad("U0004", open_deals=1, overdue_follow_ups=1, past_expected_close=0),
        ]
        assert await metrics.standup_blockers(session, ws, dt.date(2026, 11, 23), TODAY) == [
            Blocker("U0002", dt.date(2026, 11, 23), "Waiting on <legal> & pricing")
        ]
        assert await metrics.top_kudos(session, ws, W) == [("U0003", 3), ("U0002", 2), ("U0004", 1)]
        assert await metrics.lost_by_competitor(session, ws, W) == [("Globex", 2), (None, 1)]
        assert await metrics.lost_by_competitor(session, ws, P) == []


def section(blocks: list[dict], block_id: str) -> list[str]:
    return next(b["text"]["text"] for b in blocks if b.get("block_id") == block_id).split("\n")


def dms(app) -> list[dict]:
    return [c.args for c in app.fake.calls_to("chat.postMessage") if c.args["channel"].startswith("U")]


async def test_the_daily_digest_dm(app):
    s = await seed_data(app)
    with time_machine.travel(TUESDAY_0830_SHANGHAI, tick=False):
        assert await send_daily_digests(JobContext.at(s.workspace, TUESDAY_0830_SHANGHAI, app.services)) == 1
    [dm] = dms(app)
    assert dm["channel"] == "U0001"
    assert dm["text"] == "Your daily sales digest for Nov 23, 2026"
    blocks = dm["blocks"]
    assert len(blocks) < 50
    assert blocks[0]["text"]["text"] == "Daily sales digest · Nov 23, 2026"
    assert section(blocks, "digest_pipeline")[1:] == [
        "Lead: 1 · $20,000.00", "Proposal: 2 · $6,500.00", "Negotiation: 1 · CN¥100,000.00",
    ]  # fmt: skip
    assert section(blocks, "digest_results")[1:] == [
        "Won: *3* · $15,000.00, €2,000.00", "Lost: *3* · $6,000.00",
    ]  # fmt: skip
    assert section(blocks, "digest_growth") == [
        ":chart_with_upwards_trend: *Growth vs the day before*",
        "Revenue won (USD): $15,000.00 (before: $12,000.00) · *+25.0%*",
        "Revenue won (EUR): €2,000.00 (before: €0.00) · *—*",
        "Deals won: 3 (before: 2) · *+50.0%*",
        "Win rate: *50.0%* (3 won of 6 closed)",
        "Average sales cycle: *4.9* days",
    ]
    assert section(blocks, "digest_conversion")[1:] == [
        "Lead → Qualified: *83.3%* (10/12)", "Qualified → Proposal: *90.0%* (9/10)",
        "Proposal → Negotiation: *77.8%* (7/9)", "Negotiation → Won: *85.7%* (6/7)",
    ]  # fmt: skip
    assert section(blocks, "digest_workload")[1:] == [
        "<@U0002>: 2 open · 1 overdue follow-up · 1 past expected close",
        "<@U0003>: 1 open · 1 overdue follow-up · 1 past expected close",
        "<@U0004>: 1 open · 1 overdue follow-up · 0 past expected close",
    ]
    assert section(blocks, "digest_blockers")[1:] == [
        "<@U0002> (Nov 23, 2026): Waiting on &lt;legal&gt; &amp; pricing"
    ]
    assert section(blocks, "digest_kudos")[1:] == ["<@U0003> · 3", "<@U0002> · 2", "<@U0004> · 1"]
    assert section(blocks, "digest_competitors")[1:] == ["Globex: 2", "no competitor named: 1"]


async def test_the_weekly_digest_covers_last_iso_week(app):
    s = await seed_data(app)
    monday = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)  # 08:00 in Shanghai
    with time_machine.travel(monday, tick=False):
        assert await send_weekly_digests(JobContext.at(s.workspace, monday, app.services)) == 1
    [dm] = dms(app)
    assert (dm["channel"], dm["text"]) == (
        "U0001",
        "Your weekly sales digest for Nov 23, 2026 – Nov 29, 2026",
    )
    assert section(dm["blocks"], "digest_results")[1] == "Won: *4* · $15,700.00, €2,000.00"  # now with I
    growth = section(dm["blocks"], "digest_growth")
    assert growth[0] == ":chart_with_upwards_trend: *Growth vs the week before*"
    assert growth[1] == "Revenue won (USD): $15,700.00 (before: $12,000.00) · *+30.8%*"
    assert growth[3] == "Deals won: 4 (before: 2) · *+100.0%*"
    assert "digest_blockers" in str(dm["blocks"])  # ana's blocker of the 23rd is in last week


async def test_an_empty_workspace_digest_says_none(app):
    s = await seed(app)
    with time_machine.travel(TUESDAY_0830_SHANGHAI, tick=False):
        assert await send_daily_digests(JobContext.at(s.workspace, TUESDAY_0830_SHANGHAI, app.services)) == 1
    blocks = dms(app)[0]["blocks"]
    assert section(blocks, "digest_pipeline")[1:] == ["_None._"]
    assert section(blocks, "digest_growth")[1:4] == [
        "Deals won: 0 (before: 0) · *—*",
        "Win rate: *—* (0 won of 0 closed)",
        "Average sales cycle: —",
    ]
    assert not {"digest_blockers", "digest_kudos", "digest_competitors"} & {b.get("block_id") for b in blocks}


# --- the timing ----------------------------------------------------------------------------------


async def run_daily(app, s: Seeded, at: dt.datetime, services: JobServices | None = None) -> int:
    return await send_daily_digests(JobContext.at(s.workspace, at, services or app.services))


async def run_weekly(app, s: Seeded, at: dt.datetime) -> int:
    return await send_weekly_digests(JobContext.at(s.workspace, at, app.services))


async def test_daily_at_0830_in_each_managers_zone_on_workdays_only(app):
    s = await seed(app)
    minutes = dt.timedelta(minutes=5)
    assert await run_daily(app, s, TUESDAY_0830_SHANGHAI - minutes) == 0
    assert await run_daily(app, s, TUESDAY_0830_SHANGHAI) == 1  # boss, in Shanghai; 19:30 Monday in New York
    assert await run_daily(app, s, TUESDAY_0830_SHANGHAI + minutes) == 0
    assert await run_daily(app, s, TUESDAY_0830_NEW_YORK - minutes) == 0
    assert await run_daily(app, s, TUESDAY_0830_NEW_YORK) == 1  # nora, in New York
    assert await run_daily(app, s, TUESDAY_0830_NEW_YORK + 2 * minutes) == 0
    assert [dm["channel"] for dm in dms(app)] == ["U0001", "U0006"]
    assert dms(app)[1]["text"] == "Your daily sales digest for Nov 23, 2026"  # her yesterday

    saturday = dt.datetime(2026, 11, 28, 0, 30, tzinfo=dt.UTC)
    for day in range(2):  # Saturday and Sunday, in both zones
        for at in (saturday, saturday + dt.timedelta(hours=13)):
            assert await run_daily(app, s, at + dt.timedelta(days=day)) == 0
    assert await run_daily(app, s, saturday + dt.timedelta(days=2)) == 1  # Monday in Shanghai
    assert len(dms(app)) == 3
    claims = await claim_keys(app, "manager-digest-daily")
    assert claims == ["U0001:2026-11-24", "U0006:2026-11-24", "U0001:2026-11-30"]


async def test_holidays_and_out_of_office_skip_the_daily(app):
    s = await seed(app)
    async with app.db.session() as session:
        await persist(
            session, HolidayFactory(workspace=s.workspace, day=dt.date(2026, 11, 24), name="Team day")
        )
        nora = await session.get(Member, s.members["U0006"].id)
        nora.ooo_from, nora.ooo_until = dt.date(2026, 11, 23), dt.date(2026, 11, 27)
    assert await run_daily(app, s, TUESDAY_0830_SHANGHAI) == 0
    assert await run_daily(app, s, TUESDAY_0830_NEW_YORK) == 0
    assert await run_daily(app, s, TUESDAY_0830_SHANGHAI + dt.timedelta(days=1)) == 1  # Wednesday: boss
    assert [dm["channel"] for dm in dms(app)] == ["U0001"]


async def test_weekly_on_monday_0800_in_each_managers_zone(app):
    s = await seed(app)
    monday_shanghai = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)
    monday_new_york = dt.datetime(2026, 11, 30, 13, 0, tzinfo=dt.UTC)
    assert await run_weekly(app, s, monday_shanghai - dt.timedelta(minutes=5)) == 0
    assert await run_weekly(app, s, monday_shanghai) == 1
    assert await run_weekly(app, s, monday_shanghai + dt.timedelta(minutes=30)) == 0
    assert await run_weekly(app, s, monday_new_york) == 1
    assert await run_weekly(app, s, monday_shanghai + dt.timedelta(days=1)) == 0  # Tuesday
    assert await run_weekly(app, s, TUESDAY_0830_SHANGHAI - dt.timedelta(minutes=30)) == 0
    assert [(dm["channel"], dm["text"]) for dm in dms(app)] == [
        ("U0001", "Your weekly sales digest for Nov 23, 2026 – Nov 29, 2026"),
        ("U0006", "Your weekly sales digest for Nov 23, 2026 – Nov 29, 2026"),
    ]


async def claim_keys(app, job: str) -> list[str]:
    async with app.db.session() as session:
        return list(
            await session.scalars(select(JobRun.period_key).where(JobRun.job == job).order_by(JobRun.id))
        )


async def test_two_processes_send_each_manager_one_digest_a_day(app, database_url):
    s = await seed(app)
    other_db = Database(database_url)  # another process: its own engine and connections
    try:
        other = JobServices(db=other_db, client_for=lambda _ws: make_client(app.settings), claimant="other")
        for at in (TUESDAY_0830_SHANGHAI, TUESDAY_0830_SHANGHAI + dt.timedelta(minutes=5)):
            with time_machine.travel(at, tick=False):
                sent = await asyncio.gather(
                    *(
                        run_job(JOBS["manager-digest-daily"], s.workspace, services, as_scheduled=True)
                        for services in (app.services, other, app.services)
                    )
                )
            assert sum(o.result for o in sent) == (1 if at == TUESDAY_0830_SHANGHAI else 0)
            assert {o.status for o in sent} == {"ran"}
    finally:
        await other_db.dispose()
    assert [dm["channel"] for dm in dms(app)] == ["U0001"]
    async with app.db.session() as session:
        claims = list(await session.scalars(select(JobRun).where(JobRun.job == "manager-digest-daily")))
    assert [(c.period_key, c.status) for c in claims] == [("U0001:2026-11-24", "done")]


async def test_a_digest_slack_refused_is_sent_by_the_next_run(app):
    s = await seed(app)
    app.fake.fail_next("chat.postMessage", "internal_error")
    assert await run_daily(app, s, TUESDAY_0830_SHANGHAI) == 0
    assert await run_daily(app, s, TUESDAY_0830_SHANGHAI + dt.timedelta(minutes=5)) == 1
    assert await run_daily(app, s, TUESDAY_0830_SHANGHAI + dt.timedelta(minutes=10)) == 0
    assert [dm["channel"] for dm in dms(app)] == ["U0001", "U0001"]  # the first try failed


def test_the_specs_run_every_five_minutes_and_claim_per_manager():
    for name in ("manager-digest-daily", "manager-digest-weekly"):
        spec = JOBS[name]
        assert (spec.cron, spec.claim_period, spec.cadence) == ({"minute": "*/5"}, False, "day")


async def test_the_digest_shows_goal_attainment_when_goals_exist(app):
    import time_machine
    from sqlalchemy import select

    from jobs.digests import send_digests
    from storage.models import Workspace

    app.fake.add_user("U0001", tz="UTC", is_admin=True)  # a workspace admin counts as a manager
    with time_machine.travel(dt.datetime(2026, 11, 25, 8, 31, tzinfo=dt.UTC), tick=False):  # a Wednesday
        reply = await app.send.command("/goal", "set team deals 10 month", user="U0001")
        assert reply.status == 200
        async with app.db.session() as session:
            workspace = await session.scalar(select(Workspace))
        now = dt.datetime(2026, 11, 25, 8, 31, tzinfo=dt.UTC)
        assert await send_digests("manager-digest-daily", JobContext.at(workspace, now, app.services)) == 1
    dm = (await app.fake.wait_for("chat.postMessage"))[-1].args
    shown = str(dm["blocks"])
    assert "Goal attainment" in shown and "Team:" in shown
    assert "0 of 10" in shown and "per workday left: 2.5" in shown  # Wed 25, Thu, Fri, Mon 30
