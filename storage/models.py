"""Tables. Every row belongs to a workspace, and every query filters on it."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    func,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores UTC, always hands back aware UTC datetimes (SQLite would otherwise drop the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; dealbell stores aware UTC times only")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Stage(enum.StrEnum):
    LEAD = "lead"
    QUALIFIED = "qualified"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    WON = "won"
    LOST = "lost"

    @property
    def is_open(self) -> bool:
        return self not in (Stage.WON, Stage.LOST)

    @property
    def next(self) -> Stage | None:
        """The stage a 'move forward' button leads to; None once the deal is closed."""
        order = (*OPEN_STAGES, Stage.WON)
        return order[order.index(self) + 1] if self.is_open else None


OPEN_STAGES = (Stage.LEAD, Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION)


class Role(enum.StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ACCOUNT_MANAGER = "account-manager"
    AFTER_SALES = "after-sales"


DEFAULT_VALUES = ("teamwork", "customer-first", "ownership", "innovation")
SEGMENTS = ("potential", "new", "existing", "vip")
DEFAULT_CADENCES = {"potential": 7, "new": 14, "existing": 30, "vip": 7}


class Workspace(Base):
    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("team_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    # '' rather than NULL, so the unique constraint also holds for non-enterprise workspaces.
    enterprise_id: Mapped[str] = mapped_column(String(32), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    locale: Mapped[str] = mapped_column(String(16), default="en_US")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    kudos_emoji: Mapped[str] = mapped_column(String(64), default="clap", server_default="clap")
    kudos_allowance: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    kudos_value_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # NULL until a manager edits the list: the defaults apply.
    kudos_values: Mapped[list[str] | None] = mapped_column(JSON)
    # {"potential": 7, …} days between contacts; NULL: DEFAULT_CADENCES.
    segment_cadences: Mapped[dict[str, int] | None] = mapped_column(JSON)
    # ISO weekdays the team works, Monday = 0; NULL: Monday to Friday.
    workdays: Mapped[list[int] | None] = mapped_column(JSON)
    points_per_kudos: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    charts_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Set when Slack says the app was uninstalled (its tokens are gone): jobs skip it; a re-install clears it.
    uninstalled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Months after which feedback and standup answers are deleted (job `retention`); NULL: kept (0024).
    retention_months: Mapped[int | None] = mapped_column(Integer)

    channels: Mapped[list[WorkspaceChannel]] = relationship(back_populates="workspace", lazy="selectin")

    @property
    def values(self) -> list[str]:
        # An empty list (left by `values remove` before it kept the last value) counts as unset.
        return list(self.kudos_values) if self.kudos_values else list(DEFAULT_VALUES)

    @property
    def working_weekdays(self) -> list[int]:
        return list(self.workdays) if self.workdays is not None else [0, 1, 2, 3, 4]

    def cadence_days(self, segment: str) -> int:
        return {**DEFAULT_CADENCES, **(self.segment_cadences or {})}.get(segment, DEFAULT_CADENCES["new"])

    def channel(self, kind: str) -> str | None:
        return next((c.channel_id for c in self.channels if c.kind == kind), None)


class WorkspaceChannel(Base):
    """Where a kind of post goes: wins, kudos, leaderboard, ideas, team."""

    __tablename__ = "workspace_channels"
    __table_args__ = (UniqueConstraint("workspace_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    updated_by: Mapped[str] = mapped_column(String(32), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    workspace: Mapped[Workspace] = relationship(back_populates="channels")


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("workspace_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    slack_user_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200), default="")
    real_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(32), default=Role.REP.value)
    timezone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(16))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    profile_refreshed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    duties: Mapped[str] = mapped_column(Text, default="", server_default="")
    title: Mapped[str | None] = mapped_column(String(120))  # honorary title, e.g. "Sales Champion"
    ooo_from: Mapped[dt.date | None] = mapped_column(Date)  # out of office, inclusive range
    ooo_until: Mapped[dt.date | None] = mapped_column(Date)
    last_lead_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # round-robin among equals
    onboarded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the welcome DM was sent
    # "en" or "zh-CN" chosen with /dealbell language; NULL: follow the Slack locale
    language: Mapped[str | None] = mapped_column(String(16))
    home_opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # refresh App Home only if used
    # The member's own choices (/dealbell privacy, 0024): left out of public leaderboards and weekly
    # posts (managers' digests and their own Home still count them); kudos to them announced by DM.
    hidden_from_boards: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    kudos_by_dm: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # ISO code of amounts typed without one (/dealbell currency CNY); NULL: the workspace's (0026)
    currency: Mapped[str | None] = mapped_column(String(3))

    def out_of_office(self, day: dt.date) -> bool:
        return (
            self.ooo_from is not None
            and self.ooo_until is not None
            and self.ooo_from <= day <= self.ooo_until
        )

    @property
    def is_workspace_admin(self) -> bool:
        return self.is_admin or self.is_owner

    @property
    def is_manager(self) -> bool:
        """Managers and workspace admins may change team settings."""
        return self.role == Role.MANAGER.value or self.is_workspace_admin


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name_key"),
        # customers_due_for_follow_up: one owner's customers due by a day, per workspace.
        Index("ix_customers_workspace_owner_follow_up", "workspace_id", "owner_id", "next_follow_up"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    # casefolded name: customers are found case-insensitively the same way on both databases.
    name_key: Mapped[str] = mapped_column(String(200))
    segment: Mapped[str] = mapped_column(String(32), default="new")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    source: Mapped[str | None] = mapped_column(String(64))  # where a lead came from: web, referral…
    last_contact_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    next_follow_up: Mapped[dt.date | None] = mapped_column(Date, index=True)


class Deal(Base):
    __tablename__ = "deals"
    __table_args__ = (
        # What makes a double-submitted modal or a retried command land once.
        UniqueConstraint("workspace_id", "source_key"),
        # covering: revenue won, the open pipeline and the workload read this index alone (0017)
        Index(
            "ix_deals_workspace_stage_closed",
            "workspace_id",
            "stage",
            "closed_at",
            "owner_id",
            "currency",
            "amount_minor",
            "expected_close",
        ),
        # covering: the workload's open deals past their expected close, per owner (0018)
        Index("ix_deals_workspace_owner_stage", "workspace_id", "owner_id", "stage", "expected_close"),
        Index("ix_deals_workspace_customer", "workspace_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    title: Mapped[str] = mapped_column(String(300), default="")
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    stage: Mapped[str] = mapped_column(String(16), default=Stage.LEAD.value)
    expected_close: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lost_reason: Mapped[str | None] = mapped_column(String(300))
    competitor: Mapped[str | None] = mapped_column(String(200))
    source_key: Mapped[str | None] = mapped_column(String(120))
    celebrated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    celebration_channel: Mapped[str | None] = mapped_column(String(32))
    celebration_ts: Mapped[str | None] = mapped_column(String(32))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # a lead the assignee accepted
    # The furthest stage of lead → qualified → proposal → negotiation → won (0–4) the stage history
    # shows, 0 if none: kept by storage/deals.py, which writes all history, so the digest's
    # conversion need not read the history (0018). NULL: not kept, read the history instead.
    funnel_reached: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Where a deal fed from outside (a CSV's external_id, the API, a CRM) lives there: an upsert key,
    # unique per workspace (0024).
    external_source: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(200))

    owner: Mapped[Member] = relationship(lazy="joined")
    customer: Mapped[Customer] = relationship(lazy="joined")


class DealStageChange(Base):
    __tablename__ = "deal_stage_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(16))
    to_stage: Mapped[str] = mapped_column(String(16))
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # where the move came from when not from a person in Slack: "hubspot", "pipedrive", "salesforce" (0029)
    via: Mapped[str | None] = mapped_column(String(32))


class DealCongratulation(Base):
    __tablename__ = "deal_congratulations"
    __table_args__ = (UniqueConstraint("deal_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobRun(Base):
    """The exactly-once claim: one row per (job, workspace, period); whoever inserts it runs the job."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "workspace_id", "period_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(String(64))
    claimed_by: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="running")
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)


class ProcessedEvent(Base):
    """Events API deliveries already handled, so Slack's retries are answered but not re-applied."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), default="")
    event_type: Mapped[str] = mapped_column(String(64), default="")
    processed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class KudosGive(Base):
    """One act of giving (a command, a modal, a reaction): the card, and the kudos rows under it."""

    __tablename__ = "kudos_gives"
    __table_args__ = (UniqueConstraint("workspace_id", "source_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    giver_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    message: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))  # command, modal, reaction
    # trigger id, view id, or channel+message+reactor for a reaction: what makes a retry land once
    source_key: Mapped[str] = mapped_column(String(200))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    giver: Mapped[Member] = relationship(lazy="joined")
    tags: Mapped[list[KudosGiveValue]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="KudosGiveValue.id"
    )

    @property
    def values(self) -> list[str]:
        return [tag.value for tag in self.tags]


class KudosGiveValue(Base):
    """The workspace values a give was tagged with (#teamwork …); zero or more per give."""

    __tablename__ = "kudos_give_values"
    __table_args__ = (UniqueConstraint("give_id", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    give_id: Mapped[int] = mapped_column(ForeignKey("kudos_gives.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(64))


class KudosReactionState(Base):
    """The latest add or removal Slack reported for one kudos reaction (message × reactor × emoji).

    Slack may deliver a removal before its add, or both at once; each event is applied only if it is
    newer (`version`, the event's event_ts) than the last one seen, so the kudos ends as the reaction
    ended. A removal seen first stays here as a tombstone that its late add cannot get past.
    """

    __tablename__ = "kudos_reaction_states"
    __table_args__ = (UniqueConstraint("workspace_id", "source_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    source_key: Mapped[str] = mapped_column(String(200))  # the give's source_key for the reaction
    version: Mapped[str] = mapped_column(String(32))  # event_ts of the latest event applied
    present: Mapped[bool] = mapped_column(Boolean)  # whether that event added the reaction
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Kudos(Base):
    """One kudos from one giver to one receiver; co-givers ("Me too") add rows to the same give."""

    __tablename__ = "kudos"
    __table_args__ = (
        UniqueConstraint("give_id", "giver_id", "receiver_id"),
        Index("ix_kudos_workspace_giver_created", "workspace_id", "giver_id", "created_at"),
        Index("ix_kudos_workspace_receiver_created", "workspace_id", "receiver_id", "created_at"),
        # kudos received in a period, for everyone: leaderboards, digests, App Home (0017)
        Index("ix_kudos_workspace_created", "workspace_id", "created_at", "receiver_id"),
        # ledger keys name kudos ids: SQLite must never hand a deleted row's id to a new kudos
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    give_id: Mapped[int] = mapped_column(ForeignKey("kudos_gives.id", ondelete="CASCADE"))
    giver_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    receiver_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedbackRequest(Base):
    """A manager asking peers for feedback on someone."""

    __tablename__ = "feedback_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    manager_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Feedback(Base):
    """Private feedback. Anonymous feedback keeps no sender id, only a keyed, salted hash of it."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("workspace_id", "source_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    receiver_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    about_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    sender_hash: Mapped[str | None] = mapped_column(String(128))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_requests.id", ondelete="SET NULL"))
    source_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


ACTIVITY_KINDS = ("call", "meeting", "email", "demo", "visit", "note", "customer-feedback")


class Activity(Base):
    """A touch with a customer: it updates the customer's last contact and next follow-up."""

    __tablename__ = "activities"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source_key"),
        Index("ix_activities_workspace_customer_at", "workspace_id", "customer_id", "occurred_at"),
        Index("ix_activities_workspace_member_at", "workspace_id", "member_id", "occurred_at"),
        # activities logged in a period, for everyone: the activities leaderboard (0017)
        Index("ix_activities_workspace_occurred", "workspace_id", "occurred_at", "member_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    csat: Mapped[int | None] = mapped_column(Integer)  # customer satisfaction 1–5
    next_follow_up: Mapped[dt.date | None] = mapped_column(Date)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    source_key: Mapped[str] = mapped_column(String(200))


class CompetitorNote(Base):
    __tablename__ = "competitor_notes"
    __table_args__ = (Index("ix_competitor_notes_workspace_key", "workspace_id", "competitor_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    competitor: Mapped[str] = mapped_column(String(200))
    competitor_key: Mapped[str] = mapped_column(String(200))  # casefolded, whitespace collapsed
    note: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


IDEA_STATUSES = ("new", "planned", "done")


class Idea(Base):
    __tablename__ = "ideas"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source_key"),
        Index("ix_ideas_workspace_created", "workspace_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="new")
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    source_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[Member] = relationship(lazy="joined")


class IdeaVote(Base):
    __tablename__ = "idea_votes"
    __table_args__ = (UniqueConstraint("idea_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Training(Base):
    """A training session or a team event, with RSVPs, reminders and attendance."""

    __tablename__ = "trainings"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source_key"),
        Index("ix_trainings_workspace_starts", "workspace_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="training")  # training or event
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))  # the organiser's, in which the time was typed
    organiser_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    attendance_taken_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    source_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    organiser: Mapped[Member] = relationship(lazy="joined")


class TrainingRsvp(Base):
    __tablename__ = "training_rsvps"
    __table_args__ = (UniqueConstraint("training_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    going: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrainingAttendance(Base):
    __tablename__ = "training_attendance"
    __table_args__ = (UniqueConstraint("training_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Holiday(Base):
    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("workspace_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(120), default="")


DEFAULT_STANDUP_QUESTIONS = (
    "What did you close or move yesterday?",
    "What is your plan today?",
    "Any blockers?",
)


class Standup(Base):
    """An async standup: who, where, which questions, which days, at what local time."""

    __tablename__ = "standups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="Standup")
    channel_id: Mapped[str] = mapped_column(String(32))
    questions: Mapped[list[str]] = mapped_column(JSON)
    weekdays: Mapped[list[int]] = mapped_column(JSON)  # Monday = 0
    at: Mapped[str] = mapped_column(String(5))  # "09:00", local
    member_zones: Mapped[bool] = mapped_column(Boolean, default=False)  # each participant's own zone
    reminder_minutes: Mapped[int] = mapped_column(Integer, default=30)
    cutoff_minutes: Mapped[int] = mapped_column(Integer, default=120)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class StandupParticipant(Base):
    __tablename__ = "standup_participants"
    __table_args__ = (UniqueConstraint("standup_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    standup_id: Mapped[int] = mapped_column(ForeignKey("standups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    skip_next: Mapped[bool] = mapped_column(Boolean, default=False)
    # the local date a prompt was skipped (skip_next consumed): `/standup now` does not ask again that day
    skipped_on: Mapped[dt.date | None] = mapped_column(Date)


class StandupRun(Base):
    """One day's standup: when it was prompted and where its summary lives."""

    __tablename__ = "standup_runs"
    __table_args__ = (UniqueConstraint("standup_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    standup_id: Mapped[int] = mapped_column(ForeignKey("standups.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)  # the local date it is for
    prompted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    summary_channel: Mapped[str | None] = mapped_column(String(32))
    summary_ts: Mapped[str | None] = mapped_column(String(32))
    summarized_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class StandupAnswer(Base):
    __tablename__ = "standup_answers"
    __table_args__ = (UniqueConstraint("run_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    run_id: Mapped[int] = mapped_column(ForeignKey("standup_runs.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    answers: Mapped[list[str]] = mapped_column(JSON)
    blockers: Mapped[str] = mapped_column(Text, default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # arrived after the summary
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class StandupPrompt(Base):
    """A participant asked on a run's day: when (for the reminder), and the DM to update once answered."""

    __tablename__ = "standup_prompts"
    __table_args__ = (
        UniqueConstraint("run_id", "member_id"),
        # the reminder job: this workspace's prompts of the last hours
        Index("ix_standup_prompts_workspace_prompted", "workspace_id", "prompted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    run_id: Mapped[int] = mapped_column(ForeignKey("standup_runs.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    prompted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    channel_id: Mapped[str | None] = mapped_column(String(32))  # the DM, once posted
    message_ts: Mapped[str | None] = mapped_column(String(32))
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class FollowUpSnooze(Base):
    """A deal's follow-up reminder put off until a date (its owner's); the deal itself, its expected
    close and so the forecast, is not touched: changing a close date is an explicit edit."""

    __tablename__ = "follow_up_snoozes"
    __table_args__ = (UniqueConstraint("workspace_id", "deal_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    until: Mapped[dt.date] = mapped_column(Date)  # the reminder comes back on this day
    snoozed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    snoozed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# Leaderboards and digests: the conversion funnel reads the deals created in the last 90 days.
# covering: the conversion cohort (deals created in 90 days) and how far each got (0018)
Index("ix_deals_workspace_created", Deal.workspace_id, Deal.created_at, Deal.funnel_reached, Deal.id)


class PointsEntry(Base):
    """The append-only points ledger: a member's balance is the sum of their entries."""

    __tablename__ = "points_ledger"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source_key"),
        Index("ix_points_ledger_workspace_member", "workspace_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))  # kudos, kudos-undone, award, redemption, refund…
    reference: Mapped[str] = mapped_column(String(120), default="")  # e.g. "kudos:12", "award:3"
    source_key: Mapped[str] = mapped_column(String(200))  # one entry per movement, whoever retries
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Award(Base):
    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("workspace_id", "source_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    title: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int] = mapped_column(Integer, default=0)
    awarded_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    source_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Nomination(Base):
    """A candidate the monthly job computed for an award, awaiting a manager's Announce or Skip."""

    __tablename__ = "nominations"
    __table_args__ = (UniqueConstraint("workspace_id", "month", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))  # "2026-11"
    kind: Mapped[str] = mapped_column(String(32))  # sales-champion, team-player, innovation
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    detail: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, announced, skipped
    award_id: Mapped[int | None] = mapped_column(ForeignKey("awards.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CatalogueItem(Base):
    __tablename__ = "catalogue_items"
    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    cost: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Redemption(Base):
    __tablename__ = "redemptions"
    __table_args__ = (UniqueConstraint("workspace_id", "source_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("catalogue_items.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    cost: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, approved, declined
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    source_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


GOAL_METRICS = ("revenue", "deals", "activities", "kudos")


class Goal(Base):
    """An individual goal (member_id set) or the team's (member_id NULL) for a period."""

    __tablename__ = "goals"
    __table_args__ = (
        Index("ix_goals_workspace_period", "workspace_id", "period_kind", "period_start"),
        # one target per (person or team, metric, period): setting it again replaces it
        UniqueConstraint(
            "workspace_id",
            "member_key",
            "metric",
            "period_kind",
            "period_start",
            name="uq_goals_subject_period",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # member_id, or 0 for the team's goal: NULLs never clash in a unique constraint
    member_key: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    metric: Mapped[str] = mapped_column(String(16))
    target: Mapped[int] = mapped_column(BigInteger)  # minor units for revenue, a count otherwise
    currency: Mapped[str | None] = mapped_column(String(3))
    period_kind: Mapped[str] = mapped_column(String(16))  # month, quarter, year
    period_start: Mapped[dt.date] = mapped_column(Date)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Contest(Base):
    __tablename__ = "contests"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source_key"),
        Index("ix_contests_workspace_ends", "workspace_id", "ends_on"),  # the announcements job
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)  # inclusive
    prize: Mapped[str] = mapped_column(String(200), default="")
    team_role: Mapped[str | None] = mapped_column(String(32))  # a team-of-role contest, else individual
    channel_id: Mapped[str | None] = mapped_column(String(32))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    source_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# A deal fed from outside is found again by its key there (0024).
Index(
    "uq_deals_workspace_id_external_source_external_id",
    Deal.workspace_id,
    Deal.external_source,
    Deal.external_id,
    unique=True,
)


class ApiToken(Base):
    """A workspace's REST API token: only the SHA-256 of the secret is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(8))  # read, write
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, to tell tokens apart
    created_by: Mapped[str] = mapped_column(String(32), default="")  # Slack user id, or "cli"
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ApiIdempotencyKey(Base):
    """The first answer to a POST or PATCH sent with an Idempotency-Key, replayed to its repeats."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))  # method, path and body
    status: Mapped[int] = mapped_column(Integer, default=0)
    response: Mapped[Any | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookEndpoint(Base):
    """Where a workspace's events are sent, signed with `secret`."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[list[str]] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class WebhookEvent(Base):
    """The outbox: one row per domain event, written in the transaction of the change."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str] = mapped_column(String(40), unique=True)  # what receivers dedupe on
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookDelivery(Base):
    """One event to one endpoint: its attempts so far, the next one's time, and who holds it."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id"),
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, delivered, dead
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)  # HTTP status of the last attempt
    last_error: Mapped[str | None] = mapped_column(String(200))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- OAuth (multi-workspace installs) -------------------------------------------------------------
# The tables slack_sdk's AsyncSQLAlchemyInstallationStore and AsyncSQLAlchemyOAuthStateStore read and
# write, declared here (storage imports no Slack library) so Alembic creates them with the rest.
# tests/test_installations.py checks they still match slack_sdk's own definitions.
# Naive DateTime columns, as slack_sdk writes naive UTC times to them.


def _bot_token_columns() -> list[Column[Any]]:
    """The workspace and bot-token columns both slack_sdk tables carry, in its order."""
    return [
        Column("team_id", String(32)),
        Column("team_name", String(200)),
        Column("bot_token", Text),  # encrypted (storage/secrets.py): longer than slack_sdk's String(200)
        Column("bot_id", String(32)),
        Column("bot_user_id", String(32)),
        Column("bot_scopes", String(1000)),
        Column("bot_refresh_token", Text),
        Column("bot_token_expires_at", DateTime),
    ]


slack_installations = Table(
    "slack_installations",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("enterprise_url", String(200)),
    *_bot_token_columns(),
    Column("user_id", String(32), nullable=False),
    Column("user_token", Text),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", Text),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_installations_idx", "client_id", "enterprise_id", "team_id", "user_id", "installed_at"),
)

slack_bots = Table(
    "slack_bots",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    *_bot_token_columns(),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

slack_oauth_states = Table(
    "slack_oauth_states",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)


class HomePersonalFirst(Base):
    """A manager who chose their own numbers before the team's on the App Home (the Home's toggle);
    without a row, a manager's Home shows the team first (0021). A table of its own, not a members
    column: choosing is a row in, switching back a row out, so a double click changes nothing."""

    __tablename__ = "home_personal_first"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- Audit log (storage/audit.py writes it; nothing updates or deletes it) ------------------------


class AuditEntry(Base):
    """One manager's or admin's action: who, when, what, and the rows it changed (before/after).
    No foreign keys: the log outlives the members it names (and tells of a workspace's purge)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_workspace_at", "workspace_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_member_id: Mapped[int | None] = mapped_column(Integer)
    actor_user_id: Mapped[str] = mapped_column(String(32))  # a Slack user id, or "cli"
    authority: Mapped[str] = mapped_column(String(16))  # manager, admin, cli
    action: Mapped[str] = mapped_column(String(100))  # e.g. team.set_role, exports.deals
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DealHistory(Base):
    """Every change to a deal: who, when, which field, before -> after (storage/deals.py writes it).

    `deal_id` is not a foreign key: a deleted deal is deleted (so no total counts it), and its
    history stays, with a `snapshot` of the row to restore it from (`/deal undo`). One action's
    changes share a `batch`; `undone_at` marks a batch taken back."""

    __tablename__ = "deal_history"
    __table_args__ = (
        Index("ix_deal_history_workspace_deal", "workspace_id", "deal_id", "id"),
        Index("ix_deal_history_workspace_member", "workspace_id", "changed_by_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    deal_id: Mapped[int] = mapped_column(Integer)
    batch: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(
        String(16)
    )  # create, stage, edit, reassign, reopen, delete, undo, ...
    field: Mapped[str | None] = mapped_column(String(32))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class DealSettings(Base):
    """A workspace's deal rules, one row when a manager set one (no row: the defaults)."""

    __tablename__ = "deal_settings"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    # Wins above this (minor units of the workspace currency) are celebrated once a manager approves; NULL: off.
    approval_minor: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class TvScreen(Base):
    """The office screen's read-only link of a workspace (/tv/<token>, issue 22): at most one per
    workspace, created and revoked by an admin. Only the token's SHA-256 is kept: the link is the
    secret, and a database dump must not open it (0028)."""

    __tablename__ = "tv_screens"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlackOutbox(Base):
    """A Slack post that must not be lost, written in the transaction of the change it announces and
    delivered (and retried) until Slack accepts it, by the `slack-outbox` job and right after commit.
    A row is claimed before it is sent (claimed_by/claimed_at, a lease), so one replica sends it."""

    __tablename__ = "slack_outbox"
    __table_args__ = (
        UniqueConstraint("workspace_id", "dedupe_key"),
        Index("ix_slack_outbox_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # what it posts: "celebration", "celebration_update", ...
    dedupe_key: Mapped[str] = mapped_column(String(120))
    subject_id: Mapped[int | None] = mapped_column(Integer)  # the deal (or other row) it is about
    channel: Mapped[str | None] = mapped_column(String(32))  # where, when the kind does not decide
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # pending (to send), held (awaiting approval), sent, gone (Slack will not take it), cancelled
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    posted_channel: Mapped[str | None] = mapped_column(String(32))
    posted_ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CrmConnection(Base):
    """A workspace's link to one CRM account (issue 20): its credentials (encrypted by storage/crm_secrets.py,
    never shown again), its mappings, the reconciliation cursor and the health the admin is told about."""

    __tablename__ = "crm_connections"
    __table_args__ = (
        UniqueConstraint("workspace_id", "kind"),
        Index("ix_crm_connections_account", "kind", "account"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # hubspot, pipedrive, salesforce
    account: Mapped[str] = mapped_column(
        String(64)
    )  # HubSpot portal id, Pipedrive company id, Salesforce org id
    base_url: Mapped[str] = mapped_column(String(300))
    credentials: Mapped[str] = mapped_column(Text)  # Fernet token of a JSON object
    owner_map: Mapped[dict[str, str] | None] = mapped_column(JSON)  # CRM owner id → Slack user id
    stage_map: Mapped[dict[str, str] | None] = mapped_column(JSON)  # CRM stage id → dealbell stage
    pipelines: Mapped[list[str] | None] = mapped_column(JSON)  # the pipelines that count; None: all
    cursor: Mapped[str | None] = mapped_column(String(64))  # last CRM modified time reconciled
    last_sync_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    retry_after: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # backing off until then
    admin_told_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the one DM per failing spell
    deals_synced: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CrmDealLink(Base):
    """One CRM deal as dealbell last applied it: the CRM's modified time (older events are refused
    against it) and, while its owner is unmapped, the deal kept here instead of credited to a guess."""

    __tablename__ = "crm_deal_links"
    __table_args__ = (UniqueConstraint("connection_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("crm_connections.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    owner_key: Mapped[str | None] = mapped_column(String(64))  # the CRM owner id
    owner_email: Mapped[str | None] = mapped_column(String(254))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    # the deal, while its owner is unmapped; SQL NULL once credited (none_as_null: `IS NULL` finds it)
    pending: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
