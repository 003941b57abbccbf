"""Test rows, built with factory_boy: each factory derives what the app itself would have written
(a customer's name_key, a deal's workspace from its customer and its closed_at from its stage, a kudos
row's giver and moment from its give) so a test states only what it is about.

Factories build objects and never touch a database: the sessions are SQLAlchemy *async* sessions,
which factory_boy cannot drive. Write them with `persist` (add, flush, and the ids are there):

    async with db.session() as session:
        [ws] = await persist(session, WorkspaceFactory())
        [ana] = await persist(session, MemberFactory(workspace=ws))
        [acme] = await persist(session, CustomerFactory(workspace=ws, name="Acme"))
        await persist(session, DealFactory(owner=ana, customer=acme, stage="won"))

Parents are passed as persisted objects (`workspace=`, `owner=`, `customer=`, …): their ids are read
when the child is built, so persist a parent before building its children. Any derived field can
still be given outright (`workspace_id=`, `closed_at=None`, …).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

import factory
from sqlalchemy.ext.asyncio import AsyncSession

from storage.deals import customer_key, funnel_index
from storage.models import (
    Activity,
    Base,
    CatalogueItem,
    Customer,
    Deal,
    DealStageChange,
    Feedback,
    Goal,
    Holiday,
    Idea,
    IdeaVote,
    Kudos,
    KudosGive,
    Member,
    Nomination,
    Redemption,
    Stage,
    Standup,
    StandupAnswer,
    StandupRun,
    Training,
    TrainingRsvp,
    Workspace,
    utcnow,
)
from storage.rewards import name_key as catalogue_key

Row = TypeVar("Row", bound=Base)
CLOSED = (Stage.WON, Stage.LOST)


async def persist(session: AsyncSession, *rows: Row) -> list[Row]:
    """Add the rows and flush, so their ids (and column defaults) are set; returns them in order."""
    session.add_all(rows)
    await session.flush()
    return list(rows)


async def give_kudos(
    session: AsyncSession, giver: Member, receivers: Iterable[Member], **give: Any
) -> KudosGive:
    """One give from `giver` with a kudos row for each receiver, written as storage.kudos writes them:
    the rows carry the give's workspace, giver and moment. `give` overrides KudosGiveFactory's fields."""
    [made] = await persist(session, KudosGiveFactory(giver=giver, **give))
    await persist(session, *(KudosFactory(give=made, receiver=receiver) for receiver in receivers))
    return made


def id_of(row: Base | None, what: str) -> int:
    """A parent's id, which a child row needs: an unsaved parent has none yet."""
    if row is None:
        raise ValueError(f"give the {what} (or its id) to build this row")
    if row.id is None:  # type: ignore[attr-defined]
        raise ValueError(f"persist the {what} before building rows that point at it")
    return row.id  # type: ignore[attr-defined]


def optional_id(row: Base | None, what: str) -> int | None:
    return None if row is None else id_of(row, what)


def workspace_of(o: Any, *parents: str) -> int:
    """The workspace given outright, else that of the first parent given (in the order named)."""
    if o.workspace is not None:
        return id_of(o.workspace, "workspace")
    for parent in parents:
        row = getattr(o, parent)
        if row is not None:
            return row.workspace_id
    raise ValueError(f"give the workspace (or one of: {', '.join(parents)}) to build this row")


class WorkspaceFactory(factory.Factory):
    class Meta:
        model = Workspace

    team_id = factory.Sequence(lambda n: f"TF{n:04d}")
    name = factory.LazyAttribute(lambda o: f"Workspace {o.team_id}")
    currency = "USD"


class MemberFactory(factory.Factory):
    class Meta:
        model = Member

    class Params:
        workspace = None

    workspace_id = factory.LazyAttribute(lambda o: id_of(o.workspace, "workspace"))
    slack_user_id = factory.Sequence(lambda n: f"UF{n:04d}")


class CustomerFactory(factory.Factory):
    """`owner=` sets the owner and, unless `workspace=` is given, the workspace."""

    class Meta:
        model = Customer

    class Params:
        workspace = None
        owner = None

    workspace_id = factory.LazyAttribute(lambda o: workspace_of(o, "owner"))
    name = factory.Sequence(lambda n: f"Customer {n}")
    name_key = factory.LazyAttribute(lambda o: customer_key(o.name))
    owner_id = factory.LazyAttribute(lambda o: optional_id(o.owner, "owner"))


def closed_at_for(o: Any) -> dt.datetime | None:
    return utcnow() if Stage(o.stage) in CLOSED else None


class DealFactory(factory.Factory):
    """A deal of `owner` with `customer`, in the customer's workspace (an owner may be a member of
    another workspace, as through a shared channel). Closed (won or lost) deals get closed_at = now
    unless given. funnel_reached stays NULL (as for rows written before migration 0018: the digest
    reads the stage history) unless `funnel_kept=True`, which sets it as create_deal does."""

    class Meta:
        model = Deal

    class Params:
        workspace = None
        owner = None
        customer = None
        funnel_kept = factory.Trait(
            funnel_reached=factory.LazyAttribute(lambda o: funnel_index(Stage(o.stage)))
        )

    workspace_id = factory.LazyAttribute(lambda o: workspace_of(o, "customer", "owner"))
    owner_id = factory.LazyAttribute(lambda o: id_of(o.owner, "owner"))
    customer_id = factory.LazyAttribute(lambda o: id_of(o.customer, "customer"))
    amount_minor = 100_000
    currency = "USD"
    stage = Stage.LEAD.value
    closed_at = factory.LazyAttribute(closed_at_for)
    source_key = factory.Sequence(lambda n: f"factory:deal:{n}")

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["stage"] = Stage(kwargs["stage"]).value  # a Stage or its name; an unknown one fails here
        return kwargs


class DealStageChangeFactory(factory.Factory):
    """A step in `deal`'s history to its current stage, by its owner, unless told otherwise."""

    class Meta:
        model = DealStageChange

    class Params:
        deal = None
        changed_by = None

    workspace_id = factory.LazyAttribute(lambda o: o.deal.workspace_id)
    deal_id = factory.LazyAttribute(lambda o: id_of(o.deal, "deal"))
    from_stage = None
    to_stage = factory.LazyAttribute(lambda o: o.deal.stage)
    changed_by_id = factory.LazyAttribute(
        lambda o: id_of(o.changed_by, "changer") if o.changed_by is not None else o.deal.owner_id
    )


class KudosGiveFactory(factory.Factory):
    """A give by `giver`, in the giver's workspace unless `workspace=` says otherwise."""

    class Meta:
        model = KudosGive

    class Params:
        workspace = None
        giver = None

    workspace_id = factory.LazyAttribute(lambda o: workspace_of(o, "giver"))
    giver_id = factory.LazyAttribute(lambda o: id_of(o.giver, "giver"))
    source = "command"
    source_key = factory.Sequence(lambda n: f"factory:give:{n}")


class KudosFactory(factory.Factory):
    """One receiver's row under a persisted `give`: its workspace, giver and moment are the give's."""

    class Meta:
        model = Kudos

    class Params:
        give = None
        receiver = None

    workspace_id = factory.LazyAttribute(lambda o: o.give.workspace_id)
    give_id = factory.LazyAttribute(lambda o: id_of(o.give, "give"))
    giver_id = factory.LazyAttribute(lambda o: o.give.giver_id)
    receiver_id = factory.LazyAttribute(lambda o: id_of(o.receiver, "receiver"))
    created_at = factory.LazyAttribute(lambda o: o.give.created_at)


class ActivityFactory(factory.Factory):
    """A call by `member` with `customer`, in the customer's workspace."""

    class Meta:
        model = Activity

    class Params:
        workspace = None
        member = None
        customer = None

    workspace_id = factory.LazyAttribute(lambda o: workspace_of(o, "customer", "member"))
    customer_id = factory.LazyAttribute(lambda o: id_of(o.customer, "customer"))
    member_id = factory.LazyAttribute(lambda o: id_of(o.member, "member"))
    kind = "call"
    source_key = factory.Sequence(lambda n: f"factory:activity:{n}")


class GoalFactory(factory.Factory):
    """`member`'s goal (the team's when no member is given), set by `set_by`, for this month."""

    class Meta:
        model = Goal

    class Params:
        workspace = None
        member = None
        set_by = None

    workspace_id = factory.LazyAttribute(lambda o: workspace_of(o, "set_by"))
    member_id = factory.LazyAttribute(lambda o: optional_id(o.member, "member"))
    member_key = factory.LazyAttribute(lambda o: o.member_id or 0)
    set_by_id = factory.LazyAttribute(lambda o: id_of(o.set_by, "setter"))
    metric = "deals"
    target = 10
    currency = factory.LazyAttribute(lambda o: "USD" if o.metric == "revenue" else None)
    period_kind = "month"
    period_start = factory.LazyFunction(lambda: utcnow().date().replace(day=1))


class FeedbackFactory(factory.Factory):
    """Feedback to `receiver` from `sender`; anonymous (no sender kept) when no sender is given."""

    class Meta:
        model = Feedback

    class Params:
        receiver = None
        sender = None

    workspace_id = factory.LazyAttribute(lambda o: o.receiver.workspace_id)
    receiver_id = factory.LazyAttribute(lambda o: id_of(o.receiver, "receiver"))
    sender_id = factory.LazyAttribute(lambda o: optional_id(o.sender, "sender"))
    anonymous = factory.LazyAttribute(lambda o: o.sender is None)
    text = "Good work"
    source_key = factory.Sequence(lambda n: f"factory:feedback:{n}")


class IdeaFactory(factory.Factory):
    class Meta:
        model = Idea

    class Params:
        author = None

    workspace_id = factory.LazyAttribute(lambda o: o.author.workspace_id)
    author_id = factory.LazyAttribute(lambda o: id_of(o.author, "author"))
    text = factory.Sequence(lambda n: f"Idea {n}")
    source_key = factory.Sequence(lambda n: f"factory:idea:{n}")


class IdeaVoteFactory(factory.Factory):
    class Meta:
        model = IdeaVote

    class Params:
        idea = None
        member = None

    workspace_id = factory.LazyAttribute(lambda o: o.idea.workspace_id)
    idea_id = factory.LazyAttribute(lambda o: id_of(o.idea, "idea"))
    member_id = factory.LazyAttribute(lambda o: id_of(o.member, "member"))


class HolidayFactory(factory.Factory):
    class Meta:
        model = Holiday

    class Params:
        workspace = None

    workspace_id = factory.LazyAttribute(lambda o: id_of(o.workspace, "workspace"))
    name = "holiday"


class TrainingFactory(factory.Factory):
    """A session organised by `organiser`, in their workspace, tomorrow."""

    class Meta:
        model = Training

    class Params:
        organiser = None

    workspace_id = factory.LazyAttribute(lambda o: o.organiser.workspace_id)
    organiser_id = factory.LazyAttribute(lambda o: id_of(o.organiser, "organiser"))
    kind = "training"
    title = factory.Sequence(lambda n: f"Session {n}")
    starts_at = factory.LazyFunction(lambda: utcnow() + dt.timedelta(days=1))
    timezone = "UTC"
    source_key = factory.Sequence(lambda n: f"factory:training:{n}")


class TrainingRsvpFactory(factory.Factory):
    class Meta:
        model = TrainingRsvp

    class Params:
        training = None
        member = None

    workspace_id = factory.LazyAttribute(lambda o: o.training.workspace_id)
    training_id = factory.LazyAttribute(lambda o: id_of(o.training, "training"))
    member_id = factory.LazyAttribute(lambda o: id_of(o.member, "member"))
    going = True


class NominationFactory(factory.Factory):
    class Meta:
        model = Nomination

    class Params:
        member = None

    workspace_id = factory.LazyAttribute(lambda o: o.member.workspace_id)
    member_id = factory.LazyAttribute(lambda o: id_of(o.member, "member"))
    month = factory.LazyFunction(lambda: f"{utcnow():%Y-%m}")
    kind = "sales-champion"


class CatalogueItemFactory(factory.Factory):
    class Meta:
        model = CatalogueItem

    class Params:
        workspace = None

    workspace_id = factory.LazyAttribute(lambda o: id_of(o.workspace, "workspace"))
    name = factory.Sequence(lambda n: f"Gift {n}")
    name_key = factory.LazyAttribute(lambda o: catalogue_key(o.name))
    cost = 10


class RedemptionFactory(factory.Factory):
    """`member` redeeming `item` at its cost, in the item's workspace, pending a manager."""

    class Meta:
        model = Redemption

    class Params:
        item = None
        member = None

    workspace_id = factory.LazyAttribute(lambda o: o.item.workspace_id)
    item_id = factory.LazyAttribute(lambda o: id_of(o.item, "item"))
    member_id = factory.LazyAttribute(lambda o: id_of(o.member, "member"))
    cost = factory.LazyAttribute(lambda o: o.item.cost)
    status = "pending"
    source_key = factory.Sequence(lambda n: f"factory:redemption:{n}")


class StandupFactory(factory.Factory):
    """A weekday standup at 09:00 created by `created_by`, in their workspace."""

    class Meta:
        model = Standup

    class Params:
        created_by = None

    workspace_id = factory.LazyAttribute(lambda o: o.created_by.workspace_id)
    created_by_id = factory.LazyAttribute(lambda o: id_of(o.created_by, "creator"))
    channel_id = factory.Sequence(lambda n: f"CSTAND{n:04d}")
    questions = factory.LazyFunction(lambda: ["What is your plan today?"])
    weekdays = factory.LazyFunction(lambda: [0, 1, 2, 3, 4])
    at = "09:00"
    source_key = factory.Sequence(lambda n: f"factory:standup:{n}")


class StandupRunFactory(factory.Factory):
    """Today's run of `standup`."""

    class Meta:
        model = StandupRun

    class Params:
        standup = None

    workspace_id = factory.LazyAttribute(lambda o: o.standup.workspace_id)
    standup_id = factory.LazyAttribute(lambda o: id_of(o.standup, "standup"))
    day = factory.LazyFunction(lambda: utcnow().date())


class StandupAnswerFactory(factory.Factory):
    class Meta:
        model = StandupAnswer

    class Params:
        run = None
        member = None

    workspace_id = factory.LazyAttribute(lambda o: o.run.workspace_id)
    run_id = factory.LazyAttribute(lambda o: id_of(o.run, "run"))
    member_id = factory.LazyAttribute(lambda o: id_of(o.member, "member"))
    answers = factory.LazyFunction(lambda: ["x"])
