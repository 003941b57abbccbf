"""The digest's open pipeline and workload, read in one statement (storage.metrics.open_book), count
exactly what the separate per-number definitions count: checked by hand on the boundaries (closed
deals, departed members and bots, other workspaces, an expected close of today or none) and against
a plain Python count over every row."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from storage import metrics
from storage.metrics import RepLoad, StageAmount
from storage.models import OPEN_STAGES, Customer, Deal, Member
from tests.factories import CustomerFactory, DealFactory, MemberFactory, WorkspaceFactory, persist

TODAY = dt.date(2026, 11, 24)
YESTERDAY, TOMORROW = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)
CLOSED_AT = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
PEOPLE = {  # slack id: (bot, deleted)
    "U1": (False, False),
    "U2": (False, False),
    "U3": (False, False),  # only overdue follow-ups
    "U4": (False, False),  # open deals, none late, no follow-ups
    "UGONE": (False, True),  # left: their deals are in the pipeline, not in the workload
    "UBOT": (True, False),
}


async def seed(db) -> tuple[int, int]:
    """Two workspaces; the second has a member with the same Slack id as the first's U1."""
    async with db.session() as session:
        ws, other = await persist(session, WorkspaceFactory(team_id="T1", name="one"),
                                  WorkspaceFactory(team_id="T2", name="two"))  # fmt: skip
        members = {
            user: MemberFactory(workspace=ws, slack_user_id=user, is_bot=bot, deleted=deleted)
            for user, (bot, deleted) in PEOPLE.items()
        }
        stranger = MemberFactory(workspace=other, slack_user_id="U1")
        await persist(session, *members.values(), stranger)
        acme, globex = await persist(session, CustomerFactory(workspace=ws, name="Acme"),
                                     CustomerFactory(workspace=other, name="Globex"))  # fmt: skip

        def deal(owner: Member, stage: str, minor: int, expected: dt.date | None = None, *,
                 currency: str = "USD", customer: Customer = acme, reopened: bool = False) -> Deal:  # fmt: skip
            closed = stage in ("won", "lost") or reopened  # a reopened deal may keep its closed_at
            return DealFactory(owner=owner, customer=customer, amount_minor=minor, currency=currency, stage=stage,
                               expected_close=expected, closed_at=CLOSED_AT if closed else None)  # fmt: skip

        u1, u2, u3, u4 = members["U1"], members["U2"], members["U3"], members["U4"]
        await persist(session,
            deal(u1, "lead", 100, YESTERDAY),  # late
            deal(u1, "lead", 200, TODAY),  # due today: not late
            deal(u1, "qualified", 300, None),  # no expected close: not late
            deal(u1, "proposal", 400, YESTERDAY, currency="EUR"),  # late
            deal(u1, "won", 10_000, YESTERDAY),  # closed: in neither
            deal(u1, "lost", 20_000, YESTERDAY),  # closed: in neither
            deal(u2, "negotiation", 500, dt.date(2026, 1, 1)),  # late
            deal(u2, "negotiation", 600, TOMORROW),
            deal(u2, "lead", 700, YESTERDAY, currency="EUR"),  # late
            deal(u2, "negotiation", 50, YESTERDAY, reopened=True),  # open with a closed_at: counted, late
            deal(u4, "qualified", 800, TOMORROW),
            deal(members["UGONE"], "proposal", 900, YESTERDAY),  # pipeline only
            deal(members["UBOT"], "lead", 1_000, YESTERDAY),  # pipeline only
            deal(stranger, "lead", 50_000, YESTERDAY, customer=globex),  # other workspace
        )  # fmt: skip
        await persist(session,
            CustomerFactory(workspace=ws, name="c1", owner=u1, next_follow_up=YESTERDAY),
            CustomerFactory(workspace=ws, name="c2", owner=u1, next_follow_up=TODAY),
            CustomerFactory(workspace=ws, name="c3", owner=u3, next_follow_up=dt.date(2026, 10, 1)),
            CustomerFactory(workspace=ws, name="c4", owner=u3, next_follow_up=YESTERDAY),
            CustomerFactory(workspace=ws, name="c5", owner=u2, next_follow_up=None),
            CustomerFactory(workspace=ws, name="c6", owner=None, next_follow_up=YESTERDAY),
            CustomerFactory(workspace=ws, name="c7", owner=members["UGONE"], next_follow_up=YESTERDAY),
            CustomerFactory(workspace=other, name="c8", owner=stranger, next_follow_up=YESTERDAY),
        )  # fmt: skip
    return ws.id, other.id


PIPELINE = [
    StageAmount("lead", "EUR", 1, 700),
    StageAmount("lead", "USD", 3, 1_300),  # U1's two and the bot's
    StageAmount("qualified", "USD", 2, 1_100),
    StageAmount("proposal", "EUR", 1, 400),
    StageAmount("proposal", "USD", 1, 900),  # the departed member's
    StageAmount("negotiation", "USD", 3, 1_150),  # U2's, one reopened
]
WORKLOAD = [
    RepLoad("U1", open_deals=4, overdue_follow_ups=1, past_expected_close=2),  # before U2: more overdue
    RepLoad("U2", open_deals=4, overdue_follow_ups=0, past_expected_close=3),
    RepLoad("U4", open_deals=1, overdue_follow_ups=0, past_expected_close=0),
    RepLoad("U3", open_deals=0, overdue_follow_ups=2, past_expected_close=0),
]


async def test_pipeline_and_workload_on_the_boundaries(db):
    ws, other = await seed(db)
    async with db.session() as session:
        assert await metrics.pipeline_by_stage(session, ws) == PIPELINE
        assert await metrics.workload(session, ws, TODAY) == WORKLOAD
        assert await metrics.open_book(session, ws, TODAY) == (PIPELINE, WORKLOAD)
        # the other workspace sees only its own deal and follow-up
        assert await metrics.open_book(session, other, TODAY) == (
            [StageAmount("lead", "USD", 1, 50_000)],
            [RepLoad("U1", open_deals=1, overdue_follow_ups=1, past_expected_close=1)],
        )
        # a day later, the deal and the follow-up due today are late too
        later = await metrics.workload(session, ws, TOMORROW)
        assert later[0] == RepLoad("U1", open_deals=4, overdue_follow_ups=2, past_expected_close=3)
        assert await metrics.open_book(session, ws + other + 1, TODAY) == ([], [])


async def test_the_digest_carries_the_same_numbers(db):
    ws, _other = await seed(db)
    async with db.session() as session:
        digest = await metrics.manager_digest(session, ws, "USD", "weekly", TODAY, "UTC")
    assert (digest.pipeline, digest.workload) == (PIPELINE, WORKLOAD)


async def test_open_book_matches_a_plain_count_of_every_row(db):
    ws, _other = await seed(db)
    open_stages = [s.value for s in OPEN_STAGES]
    async with db.session() as session:
        members = {m.id: m for m in await session.scalars(select(Member))}
        deals = [d for d in await session.scalars(select(Deal)) if d.workspace_id == ws]
        customers = [c for c in await session.scalars(select(Customer)) if c.workspace_id == ws]
        got = await metrics.open_book(session, ws, TODAY)

    pipeline: dict[tuple[str, str], list[int]] = {}
    loads: dict[str, RepLoad] = {}
    for d in deals:
        if d.stage not in open_stages:
            continue
        totals = pipeline.setdefault((d.stage, d.currency), [0, 0])
        totals[0] += 1
        totals[1] += d.amount_minor
        owner = members[d.owner_id]
        if not owner.deleted and not owner.is_bot:
            load = loads.setdefault(owner.slack_user_id, RepLoad(owner.slack_user_id))
            load.open_deals += 1
            load.past_expected_close += d.expected_close is not None and d.expected_close < TODAY
    for c in customers:
        owner = members.get(c.owner_id)
        if owner and not owner.deleted and not owner.is_bot and c.next_follow_up and c.next_follow_up < TODAY:
            loads.setdefault(owner.slack_user_id, RepLoad(owner.slack_user_id)).overdue_follow_ups += 1
    expected_pipeline = sorted(
        (StageAmount(stage, currency, n, total) for (stage, currency), (n, total) in pipeline.items()),
        key=lambda s: (metrics.FUNNEL.index(s.stage), s.currency),
    )
    expected_loads = sorted(
        loads.values(),
        key=lambda r: (-r.open_deals, -r.overdue_follow_ups, -r.past_expected_close, r.slack_user_id),
    )
    assert got == (expected_pipeline, expected_loads)
