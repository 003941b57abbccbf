"""`award-nominations`: last month's leaders nominated to the managers on the month's first workday.

The data is seeded around the month's edges in Shanghai (UTC+8), so a count in UTC would pick
other winners: the hand-computed ones are li (revenue), ana (kudos) and sam (the top idea).
"""

from __future__ import annotations

import asyncio
import datetime as dt

import time_machine
from sqlalchemy import select, update

from jobs import JOBS
from jobs.award_nominations import send_award_nominations
from jobs.base import JobContext, JobServices
from jobs.runner import run_job
from storage import points
from storage.db import Database
from storage.models import Award, Deal, JobRun, Member, Nomination, Workspace
from storage.workspaces import get_workspace
from tests.factories import (
    CustomerFactory,
    DealFactory,
    HolidayFactory,
    IdeaFactory,
    IdeaVoteFactory,
    KudosFactory,
    KudosGiveFactory,
    persist,
)

FIRST_WORKDAY = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)  # Tuesday 1 December, 09:00 in Shanghai
SECOND_WORKDAY = dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)
NOMINATIONS = JOBS["award-nominations"]


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


async def workspace_with_people(app) -> tuple[Workspace, dict[str, Member]]:
    app.fake.add_user("U0001", is_admin=True)
    for user in ("U0001", "U0002", "U0003", "U0004"):
        await app.send.command("/reward", "points", user=user)
    await app.send.command("/team", "role <@U0005|mo> manager")
    async with app.db.session() as session:
        await session.execute(update(Workspace).values(timezone="Asia/Shanghai", currency="USD"))
        people = {m.slack_user_id: m for m in await session.scalars(select(Member))}
    async with app.db.session() as session:
        workspace = await get_workspace(session, "T0001")
    return workspace, people


async def seed_november(app) -> tuple[Workspace, dict[str, Member]]:
    workspace, people = await workspace_with_people(app)
    ana, li, sam = people["U0002"], people["U0003"], people["U0004"]
    async with app.db.session() as session:
        [acme] = await persist(session, CustomerFactory(workspace=workspace, name="Acme"))

        def deal(owner: Member, amount: int, currency: str, stage: str, closed: str) -> Deal:
            return DealFactory(owner=owner, customer=acme, amount_minor=amount, currency=currency, stage=stage,
                               closed_at=utc(closed))  # fmt: skip

        await persist(
            session,
            deal(ana, 800_000, "USD", "won", "2026-11-10T04:00"),
            deal(ana, 500_000, "USD", "won", "2026-11-30T17:00"),  # 1 Dec 01:00 in Shanghai
            deal(ana, 2_000_000, "USD", "lost", "2026-11-12T04:00"),
            deal(li, 1_000_000, "USD", "won", "2026-11-20T04:00"),
            deal(li, 900_000, "USD", "won", "2026-10-31T15:00"),  # 31 Oct 23:00 in Shanghai
            deal(sam, 5_000_000, "EUR", "won", "2026-11-15T04:00"),  # another currency: not ranked
        )
        kudos_at = [
            (ana, "2026-11-03T04:00"),
            (ana, "2026-11-04T04:00"),
            (ana, "2026-10-31T17:00"),  # 1 Nov 01:00 in Shanghai
            (ana, "2026-10-31T18:00"),
            (sam, "2026-11-05T04:00"),
            (sam, "2026-11-06T04:00"),
            (sam, "2026-11-07T04:00"),
            (li, "2026-11-30T17:30"),  # December in Shanghai
        ]
        # each kudos row has its own moment; the gives keep theirs (now), as these rows were seeded
        gives = await persist(session, *(KudosGiveFactory(giver=people["U0001"]) for _ in kudos_at))
        await persist(session, *(
            KudosFactory(give=give, receiver=receiver, created_at=utc(at))
            for give, (receiver, at) in zip(gives, kudos_at, strict=True)
        ))  # fmt: skip
        ideas = await persist(
            session,
            IdeaFactory(author=sam, text="Shared demo <scripts>", created_at=utc("2026-11-05T04:00")),
            IdeaFactory(author=li, text="Win-loss reviews", created_at=utc("2026-11-06T04:00")),
            IdeaFactory(author=ana, text="Later idea", created_at=utc("2026-11-30T18:00")),
        )
        votes = [(ideas[0], ana), (ideas[0], li), (ideas[1], ana)] + [
            (ideas[2], m) for m in (li, sam, people["U0001"])
        ]
        await persist(session, *(IdeaVoteFactory(idea=i, member=m) for i, m in votes))
    return workspace, people


def manager_cards(app) -> list:
    return [
        c for c in app.fake.calls_to("chat.postMessage")
        if c.args["channel"] in ("U0001", "U0005") and "Award nominations" in str(c.args.get("blocks"))
    ]  # fmt: skip


async def run_at(moment: dt.datetime, workspace: Workspace, services: JobServices) -> int:
    return await send_award_nominations(JobContext.at(workspace, moment, services, "month"))


def button(call, action_id: str, nth: int) -> str:
    values = [
        element["value"]
        for block in call.args["blocks"]
        for element in block.get("elements", [])
        if isinstance(element, dict) and element.get("action_id") == action_id
    ]
    return values[nth]


async def test_the_first_workday_nominates_last_months_leaders_to_each_manager_once(app):
    workspace, _ = await seed_november(app)
    assert await run_at(FIRST_WORKDAY - dt.timedelta(days=1), workspace, app.services) == 0  # 30 Nov
    assert await run_at(FIRST_WORKDAY, workspace, app.services) == 2
    assert await run_at(FIRST_WORKDAY + dt.timedelta(minutes=5), workspace, app.services) == 0
    assert await run_at(SECOND_WORKDAY, workspace, app.services) == 0
    cards = manager_cards(app)
    assert sorted(c.args["channel"] for c in cards) == ["U0001", "U0005"]
    shown = str(cards[0].args["blocks"])
    assert "Award nominations: November 2026" in shown
    assert "*Sales Champion*: <@U0003>, $10,000.00 won" in shown
    assert "*Team Player*: <@U0002>, 4 kudos received" in shown
    assert "*Innovation*: <@U0004>, “Shared demo &lt;scripts&gt;” (2 upvotes)" in shown
    async with app.db.session() as session:
        rows = list(await session.scalars(select(Nomination).order_by(Nomination.id)))
        runs = list(await session.scalars(select(JobRun).where(JobRun.job == "award-nominations")))
    assert [(n.month, n.kind, n.status) for n in rows] == [
        ("2026-11", "sales-champion", "open"),
        ("2026-11", "team-player", "open"),
        ("2026-11", "innovation", "open"),
    ]
    assert [(r.period_key, r.status) for r in runs] == [("2026-12", "done")]


async def test_a_holiday_on_the_first_moves_the_nominations_to_the_next_workday(app):
    workspace, _ = await seed_november(app)
    async with app.db.session() as session:
        await persist(
            session, HolidayFactory(workspace=workspace, day=dt.date(2026, 12, 1), name="Founders' day")
        )
    assert await run_at(FIRST_WORKDAY, workspace, app.services) == 0
    assert await run_at(SECOND_WORKDAY, workspace, app.services) == 2
    assert len(manager_cards(app)) == 2


async def test_a_quiet_month_sends_nothing_and_two_processes_claim_once(app, database_url):
    workspace, _ = await workspace_with_people(app)
    assert await run_at(FIRST_WORKDAY, workspace, app.services) == 0
    assert manager_cards(app) == []
    # January: two processes fire at once through the runner; one claims the month
    other_db = Database(database_url)
    try:
        other = JobServices(db=other_db, client_for=app.services.client_for, claimant="other")
        moment = dt.datetime(2027, 1, 1, 1, 0, tzinfo=dt.UTC)  # Friday 1 January, 09:00 in Shanghai
        await seed_a_december_deal(app, workspace)
        with time_machine.travel(moment, tick=False):
            outcomes = await asyncio.gather(
                *(
                    run_job(NOMINATIONS, workspace, s, as_scheduled=True, now=moment)
                    for s in (app.services, other)
                )
            )
    finally:
        await other_db.dispose()
    assert sorted(o.result for o in outcomes) == [0, 2]
    assert len(manager_cards(app)) == 2
    async with app.db.session() as session:
        assert [n.month for n in await session.scalars(select(Nomination))] == ["2026-12"]


async def seed_a_december_deal(app, workspace: Workspace) -> None:
    async with app.db.session() as session:
        li = await session.scalar(select(Member).where(Member.slack_user_id == "U0003"))
        [initech] = await persist(session, CustomerFactory(workspace=workspace, name="Initech"))
        await persist(
            session,
            DealFactory(
                owner=li, customer=initech, amount_minor=100, stage="won", closed_at=utc("2026-12-10T04:00")
            ),
        )


async def test_announce_awards_once_and_skip_marks_skipped_and_both_redraw_the_card(app):
    workspace, people = await seed_november(app)
    await app.send.command("/dealbell", "channels team <#C0TEAM|team>")
    await run_at(FIRST_WORKDAY, workspace, app.services)
    boss, mo = sorted(manager_cards(app), key=lambda c: c.args["channel"])
    sales = button(boss, "rewards_nomination_announce", 0)
    team_player = button(mo, "rewards_nomination_skip", 1)

    await app.send.action("rewards_nomination_announce", sales, user="U0002")  # not a manager
    await asyncio.gather(*[app.send.action("rewards_nomination_announce", sales) for _ in range(2)])
    await app.send.action(
        "rewards_nomination_announce", button(mo, "rewards_nomination_announce", 0), user="U0005"
    )
    await app.send.action("rewards_nomination_skip", team_player, user="U0005")
    await app.fake.wait_for("response_url", count=3)
    await app.fake.settle()

    texts = [c.args.get("text", "") for c in app.fake.calls_to("response_url")]
    assert sum("Only managers" in t for t in texts) == 1
    assert sum("already decided" in t for t in texts) == 2
    cards = [c for c in app.fake.calls_to("chat.postMessage") if c.args["channel"] == "C0TEAM"]
    assert len(cards) == 1
    assert cards[0].args["text"] == ":trophy: <@U0003> is our *Sales Champion*!"
    assert "For the most revenue won in November 2026" in str(cards[0].args["blocks"])
    async with app.db.session() as session:
        awards = list(await session.scalars(select(Award)))
        rows = {n.kind: n for n in await session.scalars(select(Nomination))}
        li = await session.scalar(select(Member).where(Member.slack_user_id == "U0003"))
        li_points = await points.balance(session, workspace.id, li.id)
    assert [(a.member_id, a.title, a.points) for a in awards] == [(people["U0003"].id, "Sales Champion", 50)]
    assert (rows["sales-champion"].status, rows["sales-champion"].award_id) == ("announced", awards[0].id)
    assert (rows["team-player"].status, rows["innovation"].status) == ("skipped", "open")
    assert li.title == "Sales Champion" and li_points == 50
    last = app.fake.calls_to("chat.update")[-1].args
    shown = str(last["blocks"])
    assert ":white_check_mark: Announced" in shown and "Skipped" in shown
    assert sum(e.get("action_id") == "rewards_nomination_announce" for b in last["blocks"] for e in b.get("elements", [])
               if isinstance(e, dict)) == 1  # fmt: skip
