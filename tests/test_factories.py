"""The test factories derive what the app would have written: checked field by field, and by writing
a small graph to both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from storage.models import Deal, Kudos, Stage
from tests.factories import (
    ActivityFactory,
    CustomerFactory,
    DealFactory,
    DealStageChangeFactory,
    GoalFactory,
    IdeaFactory,
    IdeaVoteFactory,
    KudosGiveFactory,
    MemberFactory,
    WorkspaceFactory,
    give_kudos,
    persist,
)

AT = dt.datetime(2026, 11, 5, 3, tzinfo=dt.UTC)


def saved(row, id_: int):
    """A row as if persisted: factories read parents' ids only."""
    row.id = id_
    return row


def team():
    workspace = saved(WorkspaceFactory(), 7)
    ana = saved(MemberFactory(workspace=workspace), 11)
    acme = saved(CustomerFactory(workspace=workspace, name="  Acme   Corp "), 13)
    return workspace, ana, acme


def test_unique_keys_come_from_sequences():
    workspaces = WorkspaceFactory.build_batch(3)
    assert len({w.team_id for w in workspaces}) == 3
    workspace = saved(workspaces[0], 1)
    assert len({m.slack_user_id for m in MemberFactory.build_batch(3, workspace=workspace)}) == 3
    _, ana, acme = team()
    deals = DealFactory.build_batch(3, owner=ana, customer=acme)
    assert len({d.source_key for d in deals}) == 3 and all(d.source_key for d in deals)


def test_a_customers_name_key_is_the_one_storage_looks_up():
    _, ana, acme = team()
    assert acme.name_key == "acme corp" and acme.workspace_id == 7 and acme.owner_id is None
    owned = CustomerFactory(owner=ana, name="ÉCLAIR Ltd")
    assert (owned.name_key, owned.owner_id, owned.workspace_id) == ("éclair ltd", 11, 7)


def test_a_deal_takes_its_ids_from_its_owner_and_customer():
    _, ana, acme = team()
    deal = DealFactory(owner=ana, customer=acme)
    assert (deal.workspace_id, deal.owner_id, deal.customer_id) == (7, 11, 13)
    assert (deal.currency, deal.amount_minor, deal.stage) == ("USD", 100_000, "lead")
    # a member of another workspace (a shared channel) owns a deal in the customer's workspace
    stranger = saved(MemberFactory(workspace_id=99), 12)
    assert DealFactory(owner=stranger, customer=acme).workspace_id == 7


@pytest.mark.parametrize(
    ("stage", "closed"),
    [(Stage.WON, True), ("lost", True), ("lead", False), (Stage.NEGOTIATION, False)],
)
def test_closed_at_follows_the_stage_unless_given(stage, closed):
    _, ana, acme = team()
    deal = DealFactory(owner=ana, customer=acme, stage=stage)
    assert (deal.closed_at is not None) == closed
    assert DealFactory(owner=ana, customer=acme, stage=stage, closed_at=AT).closed_at == AT
    assert DealFactory(owner=ana, customer=acme, stage=stage, closed_at=None).closed_at is None


def test_a_stage_is_stored_as_its_name_and_checked():
    _, ana, acme = team()
    deal = DealFactory(owner=ana, customer=acme, stage=Stage.WON)
    assert deal.stage == "won" and type(deal.stage) is str
    with pytest.raises(ValueError, match="'closed'"):
        DealFactory(owner=ana, customer=acme, stage="closed")


def test_funnel_reached_is_kept_only_when_asked():
    _, ana, acme = team()
    assert DealFactory(owner=ana, customer=acme, stage="proposal").funnel_reached is None
    kept = [DealFactory(owner=ana, customer=acme, stage=s, funnel_kept=True).funnel_reached for s in Stage]
    assert kept == [0, 1, 2, 3, 4, 0]  # lead … won; lost is not a step


def test_children_name_their_parents_and_refuse_unsaved_ones():
    workspace, ana, acme = team()
    deal = saved(DealFactory(owner=ana, customer=acme, stage="won"), 17)
    change = DealStageChangeFactory(deal=deal)
    assert (change.workspace_id, change.deal_id, change.to_stage, change.changed_by_id) == (7, 17, "won", 11)
    activity = ActivityFactory(member=ana, customer=acme)
    assert (activity.workspace_id, activity.member_id, activity.customer_id, activity.kind) == (
        7,
        11,
        13,
        "call",
    )
    give = KudosGiveFactory(giver=ana)
    assert (give.workspace_id, give.giver_id, give.source) == (7, 11, "command")
    assert KudosGiveFactory(giver=ana, workspace=saved(WorkspaceFactory(), 8)).workspace_id == 8
    idea = saved(IdeaFactory(author=ana), 19)
    vote = IdeaVoteFactory(idea=idea, member=ana)
    assert (idea.workspace_id, idea.author_id, vote.workspace_id, vote.idea_id, vote.member_id) == (
        7,
        11,
        7,
        19,
        11,
    )
    goal = GoalFactory(set_by=ana, member=ana, metric="revenue")
    assert (goal.member_key, goal.currency) == (11, "USD")
    assert (GoalFactory(set_by=ana).member_key, GoalFactory(set_by=ana).currency) == (0, None)
    with pytest.raises(ValueError, match="persist the owner"):
        DealFactory(owner=MemberFactory(workspace=workspace), customer=acme)
    with pytest.raises(ValueError, match="give the owner"):
        DealFactory(customer=acme)


async def test_a_graph_written_with_persist(db):
    async with db.session() as session:
        [ws] = await persist(session, WorkspaceFactory())
        ana, li = await persist(session, *MemberFactory.build_batch(2, workspace=ws))
        [acme] = await persist(session, CustomerFactory(workspace=ws, name="Acme"))
        [won, _open] = await persist(
            session,
            DealFactory(owner=ana, customer=acme, stage="won", closed_at=AT),
            DealFactory(owner=li, customer=acme, stage="qualified"),
        )
        await persist(session, DealStageChangeFactory(deal=won), ActivityFactory(member=li, customer=acme))
        give = await give_kudos(session, ana, [li, ana], created_at=AT, message="thanks")
    async with db.session() as session:
        deals = list(await session.scalars(select(Deal).order_by(Deal.id)))
        kudos = list(await session.scalars(select(Kudos).order_by(Kudos.id)))
        assert await session.scalar(select(func.count()).select_from(Deal)) == 2
    assert [(d.stage, d.closed_at, d.owner_id, d.customer_id) for d in deals] == [
        ("won", AT, ana.id, acme.id),
        ("qualified", None, li.id, acme.id),
    ]
    assert [(k.give_id, k.giver_id, k.receiver_id, k.created_at, k.workspace_id) for k in kudos] == [
        (give.id, ana.id, li.id, AT, ws.id),
        (give.id, ana.id, ana.id, AT, ws.id),
    ]


async def test_kudos_rows_share_a_defaulted_gives_moment(db):
    async with db.session() as session:
        [ws] = await persist(session, WorkspaceFactory())
        ana, li = await persist(session, *MemberFactory.build_batch(2, workspace=ws))
        give = await give_kudos(session, ana, [li])
    async with db.session() as session:
        [row] = await session.scalars(select(Kudos))
    assert give.created_at is not None and row.created_at == give.created_at
