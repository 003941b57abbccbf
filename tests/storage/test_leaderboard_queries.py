"""The leaderboard aggregates (storage.leaderboard) count per member id before joining the members,
and revenue and deals won come from one query: checked against a plain Python count over every row,
on the boundaries (the window's start counts, its end does not; lost and open deals; departed
members and bots; other workspaces, including a member there with the same Slack id), and the
boards built together against each built alone."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from storage import leaderboard
from storage.models import Activity, Customer, Deal, Kudos, Member, Workspace
from tests.factories import (
    ActivityFactory,
    CustomerFactory,
    DealFactory,
    MemberFactory,
    WorkspaceFactory,
    give_kudos,
    persist,
)

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
WINDOW = (START, END)
PREVIOUS = (dt.datetime(2026, 10, 1, tzinfo=dt.UTC), START)
PEOPLE = {  # slack id: (bot, deleted)
    **{f"U{n}": (False, False) for n in range(1, 9)},
    "UGONE": (False, True),
    "UBOT": (True, False),
}
# on and around both windows' edges, and well inside them
MOMENTS = [
    START,
    START - dt.timedelta(microseconds=1),
    END,
    END - dt.timedelta(microseconds=1),
    PREVIOUS[0],
    PREVIOUS[0] - dt.timedelta(seconds=1),
    START + dt.timedelta(days=3),
    START + dt.timedelta(days=17, hours=5),
    PREVIOUS[0] + dt.timedelta(days=9),
    END + dt.timedelta(days=2),
]


async def seed(db) -> tuple[Workspace, Workspace]:
    """Two workspaces; the second has a member with the same Slack id as the first's U1, who owns a
    deal, gives and gets kudos and logs an activity in the first (as a shared channel could)."""
    rng = random.Random(7)
    async with db.session() as session:
        ws, other = await persist(session, WorkspaceFactory(team_id="T1", name="one"),
                                  WorkspaceFactory(team_id="T2", name="two"))  # fmt: skip
        members = [
            MemberFactory(workspace=ws, slack_user_id=user, is_bot=bot, deleted=deleted)
            for user, (bot, deleted) in PEOPLE.items()
        ]
        stranger = MemberFactory(workspace=other, slack_user_id="U1")
        everyone = await persist(session, *members, stranger)
        customers = await persist(session, *(CustomerFactory(workspace=w, name="Acme") for w in (ws, other)))
        for n in range(160):
            workspace = ws if n % 9 else other
            owner = stranger if workspace is other or n % 23 == 0 else rng.choice(members)
            stage = rng.choice(("won", "won", "won", "lost", "lead", "negotiation"))
            session.add(
                DealFactory(owner=owner, customer=customers[workspace is other],
                            amount_minor=rng.randint(1, 50) * 1_000,
                            currency=rng.choice(("USD", "USD", "EUR", "GBP")), stage=stage,
                            closed_at=rng.choice(MOMENTS) if stage != "lead" else None)
            )  # fmt: skip
        for n in range(120):
            workspace = ws if n % 11 else other
            giver = rng.choice(everyone)
            at = rng.choice(MOMENTS)
            receivers = rng.sample([m for m in everyone if m is not giver], rng.randint(1, 3))
            await give_kudos(session, giver, receivers, workspace=workspace, created_at=at)
        for n in range(120):
            workspace = ws if n % 7 else other
            session.add(
                ActivityFactory(customer=customers[workspace is other], member=rng.choice(everyone),
                                occurred_at=rng.choice(MOMENTS))
            )  # fmt: skip
    return ws, other


async def plain_counts(db, workspace_id: int, window: leaderboard.Window) -> dict[str, Any]:
    """Every metric, counted in Python over every row, as the GROUP BY on Slack ids counted."""
    start, end = window
    async with db.session() as session:
        members = {m.id: m for m in await session.scalars(select(Member))}
        deals = list(await session.scalars(select(Deal).where(Deal.workspace_id == workspace_id)))
        kudos = list(await session.scalars(select(Kudos).where(Kudos.workspace_id == workspace_id)))
        activities = list(
            await session.scalars(select(Activity).where(Activity.workspace_id == workspace_id))
        )

    def present(member_id: int) -> str | None:
        member = members[member_id]
        return None if member.deleted or member.is_bot else member.slack_user_id

    revenue: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    won: dict[str, int] = defaultdict(int)
    per_currency: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for deal in deals:
        user = present(deal.owner_id)
        if user and deal.stage == "won" and deal.closed_at and start <= deal.closed_at < end:
            revenue[deal.currency][user] += deal.amount_minor
            per_currency[deal.currency][user] += 1
            won[user] += 1
    received: dict[str, int] = defaultdict(int)
    for row in kudos:
        user = present(row.receiver_id)
        if user and start <= row.created_at < end:
            received[user] += 1
    logged: dict[str, int] = defaultdict(int)
    for activity in activities:
        user = present(activity.member_id)
        if user and start <= activity.occurred_at < end:
            logged[user] += 1
    return {
        "revenue": {currency: dict(totals) for currency, totals in revenue.items()},
        "deals": dict(won),
        "kudos": dict(received),
        "activities": dict(logged),
        "won_totals": {
            currency: {user: (amount, per_currency[currency][user]) for user, amount in totals.items()}
            for currency, totals in revenue.items()
        },
    }


async def test_aggregates_match_a_plain_count_of_every_row(db):
    ws, other = await seed(db)
    for workspace in (ws, other):
        for window in (WINDOW, PREVIOUS):
            expected = await plain_counts(db, workspace.id, window)
            async with db.session() as session:
                got = {
                    "revenue": await leaderboard.revenue_won(session, workspace.id, window),
                    "deals": await leaderboard.deals_won(session, workspace.id, window),
                    "kudos": await leaderboard.kudos_received(session, workspace.id, window),
                    "activities": await leaderboard.activities_logged(session, workspace.id, window),
                }
                won = await leaderboard.won_totals(session, workspace.id, window)
            assert got == {k: v for k, v in expected.items() if k != "won_totals"}
            assert won == expected["won_totals"]
            assert leaderboard.revenue_of(won) == expected["revenue"]
            assert leaderboard.deals_of(won) == expected["deals"]
    # the data covers what it should: several currencies and something in every metric
    expected = await plain_counts(db, ws.id, WINDOW)
    assert len(expected["revenue"]) >= 2 and all(expected[m] for m in leaderboard.METRICS)


async def test_the_stranger_with_the_same_slack_id_adds_up_under_it(db):
    ws, _other = await seed(db)
    async with db.session() as session:
        stranger = await session.scalar(select(Member).where(Member.workspace_id != ws.id))
        assert stranger is not None and stranger.slack_user_id == "U1"
        acme = await session.scalar(select(Customer).where(Customer.workspace_id == ws.id))
        session.add(DealFactory(owner=stranger, customer=acme, amount_minor=7, stage="won", closed_at=START))
    expected = await plain_counts(db, ws.id, WINDOW)
    async with db.session() as session:
        assert await leaderboard.revenue_won(session, ws.id, WINDOW) == expected["revenue"]
        assert await leaderboard.deals_won(session, ws.id, WINDOW) == expected["deals"]


async def test_boards_together_equal_each_board_alone(db):
    ws, _other = await seed(db)
    async with db.session() as session:
        together = await leaderboard.boards(session, ws, leaderboard.METRICS, WINDOW, PREVIOUS)
        alone = [await leaderboard.board(session, ws, m, WINDOW, PREVIOUS) for m in leaderboard.METRICS]
    assert together == alone
    assert [b.metric for b in together] == list(leaderboard.METRICS)
    expected, before = await plain_counts(db, ws.id, WINDOW), await plain_counts(db, ws.id, PREVIOUS)
    for board in together:
        now, then = ((c["revenue"].get("USD", {}) if board.metric == "revenue" else c[board.metric])
                     for c in (expected, before))  # fmt: skip
        assert board.rows == leaderboard.rank(
            now.items(), leaderboard.ranks(then.items()), limit=leaderboard.TOP
        )
    revenue = together[0]
    assert revenue.currency == "USD" and set(revenue.others) <= {"EUR", "GBP"} and revenue.others
