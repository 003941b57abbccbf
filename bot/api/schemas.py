"""What the REST API takes and gives: pydantic models, from which the OpenAPI document is generated.

Request models are loose on purpose where the domain checks (names, amounts, lengths): a refusal then
comes from storage with the message `/deal` or `/kudos` gives, not from pydantic in other words.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from storage.models import GOAL_METRICS, Stage

PERIODS = ("week", "month", "quarter", "year")
LEADERBOARD_METRICS = ("revenue", "deals", "kudos", "activities")
MAX_PAGE = 100
DEFAULT_PAGE = 50
Id = Field(ge=1, le=2**31 - 1)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """RFC 9457 problem details: every error has this shape (application/problem+json)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    code: str | None = Field(None, description="the refusal's catalogue key, stable across languages")


class PersonRef(BaseModel):
    slack_id: str | None
    name: str | None


class Money(BaseModel):
    minor: int = Field(description="integer minor units of the currency (cents)")
    currency: str


class DealOut(BaseModel):
    id: int
    title: str
    customer: str
    owner: PersonRef
    amount: Money
    stage: Stage
    expected_close: dt.date | None
    external_source: str | None
    external_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None


class StageChangeOut(BaseModel):
    from_stage: Stage | None
    to_stage: Stage
    changed_by: str | None
    changed_at: dt.datetime


class DealDetail(DealOut):
    history: list[StageChangeOut]


class DealPage(BaseModel):
    items: list[DealOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last")


class DealQuery(Strict):
    stage: Stage | None = None
    owner: str | None = Field(None, description="the owner's Slack user id", max_length=32)
    customer: str | None = Field(None, max_length=200)
    updated_since: dt.datetime | None = None
    cursor: str | None = Field(None, max_length=40)
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE)


class DealPath(Strict):
    id: int = Id


class DealCreate(Strict):
    """The `/deal` form's fields; `external_source` + `external_id` make it an upsert."""

    owner: str = Field(description="the owner's Slack user id (a member dealbell knows)", max_length=32)
    customer: str
    amount: str = Field(description="as typed in Slack: `12500`, `12.5k`, `$12,500`, `4000 eur`")
    currency: str | None = Field(None, description="ISO code for an amount typed without one")
    title: str = ""
    stage: Stage = Stage.LEAD
    expected_close: dt.date | None = None
    notes: str = ""
    external_source: str | None = Field(None, min_length=1, max_length=64)
    external_id: str | None = Field(None, min_length=1, max_length=200)


class DealPatch(Strict):
    """Winning celebrates the deal exactly as `/deal won` does."""

    stage: Stage | None = None
    amount: str | None = None
    expected_close: dt.date | None = None


class MemberOut(BaseModel):
    id: int
    slack_id: str
    name: str
    role: str
    title: str | None
    zone: str | None


class MemberList(BaseModel):
    items: list[MemberOut]


class KudosOut(BaseModel):
    id: int
    give_id: int
    giver: PersonRef
    receiver: PersonRef
    message: str
    values: list[str]
    created_at: dt.datetime


class KudosPage(BaseModel):
    items: list[KudosOut]
    next_cursor: str | None


class KudosQuery(Strict):
    period: Literal["week", "month", "quarter", "year", "all"] = "all"
    receiver: str | None = Field(None, max_length=32)
    giver: str | None = Field(None, max_length=32)
    cursor: str | None = Field(None, max_length=40)
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE)


class KudosCreate(Strict):
    """From a named Slack user, with the same daily allowance and rules as `/kudos`."""

    giver: str = Field(description="the giver's Slack user id", max_length=32)
    receivers: list[str] = Field(max_length=20)
    message: str
    values: list[str] = Field(default_factory=list, max_length=10)


class KudosGiven(BaseModel):
    give_id: int
    created: bool
    items: list[KudosOut]
    allowance_left: int


class PeriodQuery(Strict):
    period: Literal["week", "month", "quarter", "year"] = "month"


class LeaderboardPath(Strict):
    metric: Literal["revenue", "deals", "kudos", "activities"]


class LeaderboardRow(BaseModel):
    rank: int
    slack_id: str
    value: int = Field(description="minor units for revenue, a count otherwise")


class Leaderboard(BaseModel):
    metric: str
    period: str
    start: dt.date
    end: dt.date = Field(description="exclusive")
    currency: str | None
    rows: list[LeaderboardRow]


class MemberPath(Strict):
    member: str = Field(description="a Slack user id", min_length=1, max_length=32)


class PointsMovement(BaseModel):
    delta: int
    reason: str
    created_at: dt.datetime


class PointsOut(BaseModel):
    member: str
    balance: int
    recent: list[PointsMovement]


class GoalOut(BaseModel):
    id: int
    member: str | None = Field(description="Slack user id; null for the team's goal")
    metric: Literal["revenue", "deals", "activities", "kudos"]
    target: int
    actual: int
    currency: str | None
    period: str
    period_start: dt.date
    done: bool


class GoalList(BaseModel):
    items: list[GoalOut]


assert set(GOAL_METRICS) == {"revenue", "deals", "activities", "kudos"}

MODELS: tuple[type[BaseModel], ...] = (
    Problem, DealOut, DealDetail, DealPage, DealCreate, DealPatch, MemberList, KudosPage, KudosCreate,
    KudosGiven, Leaderboard, PointsOut, GoalList,
)  # fmt: skip
