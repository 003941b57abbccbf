"""The endpoints of /api/v1: each parses nothing itself and calls the domain operation the Slack
command calls (storage.deals, storage.kudos, …), then draws the answer from the schemas."""

from __future__ import annotations

import uuid
from typing import Any

from bot.api import schemas as s
from bot.api.core import Answer, Call, Endpoint
from bot.kit.outbox import deliver_soon
from storage import api_reads, deals, external_deals, goals, kudos, leaderboard, points, webhooks
from storage.errors import UserError
from storage.models import Deal, Member, Stage, utcnow
from storage.money import AmountError, Money, parse_amount
from storage.periods import Period, workspace_zone
from storage.workspaces import get_member


def deal_out(deal: Deal) -> s.DealOut:
    return s.DealOut.model_validate(webhooks.deal_record(deal))


def person(member: Member) -> s.PersonRef:
    return s.PersonRef(slack_id=member.slack_user_id, name=member.real_name or member.name)


async def member_named(call: Call, slack_id: str) -> Member:
    member = await get_member(call.session, call.workspace.id, slack_id)
    if member is None or member.deleted:
        raise UserError("api.error.unknown_member", user=slack_id)
    return member


def money_of(amount: str, currency: str) -> Money:
    """The amount as `/deal` reads it, refused with the same message."""
    try:
        return parse_amount(amount, currency)
    except AmountError as error:
        raise UserError(f"amount.error.{error.reason}", amount=amount) from None


def celebration(call: Call, deal: Deal, owner: Member) -> Any:
    """After the commit: the win's celebration, queued in the deal's transaction (the Slack outbox)
    as `/deal won` queues it, delivered now; the outbox job retries it if Slack is away."""

    async def post() -> None:
        client = call.api.client_for(call.workspace)
        await deliver_soon(call.api.db, client, call.workspace, deal.id)

    return post


# --- deals ---------------------------------------------------------------------------------------


async def list_deals(call: Call) -> Answer:
    q: s.DealQuery = call.query
    since = q.updated_since
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=utcnow().tzinfo)
    where = api_reads.DealFilter(q.stage.value if q.stage else None, q.owner, q.customer, since)
    rows, more = await api_reads.deals_page(
        call.session, call.workspace.id, where, api_reads.decode_cursor(q.cursor), q.limit
    )
    cursor = api_reads.encode_cursor(rows[-1].id) if more else None
    return Answer(200, s.DealPage(items=[deal_out(d) for d in rows], next_cursor=cursor))


async def found_deal(call: Call, deal_id: int) -> Deal:
    deal = await deals.get_deal(call.session, call.workspace.id, deal_id)
    if deal is None:
        raise deals.DealError("deal.error.not_found")
    return deal


async def get_deal(call: Call) -> Answer:
    deal = await found_deal(call, call.path.id)
    history = await api_reads.deal_history(call.session, call.workspace.id, deal.id)
    changes = [
        s.StageChangeOut(from_stage=c.from_stage, to_stage=c.to_stage, changed_by=by, changed_at=c.changed_at)
        for c, by in history
    ]
    return Answer(200, s.DealDetail(**deal_out(deal).model_dump(), history=changes))


async def create_deal(call: Call) -> Answer:
    body: s.DealCreate = call.body
    if (body.external_source is None) != (body.external_id is None):
        raise UserError("api.error.external_pair")
    owner = await member_named(call, body.owner)
    money = money_of(body.amount, body.currency or call.workspace.currency)
    new = deals.NewDeal(
        customer=body.customer, money=money, title=body.title, stage=body.stage,
        expected_close=body.expected_close, notes=body.notes,
    )  # fmt: skip
    if body.external_source and body.external_id:
        done = await external_deals.upsert_external_deal(
            call.session, call.workspace.id, owner, body.external_source, body.external_id, new
        )
        deal, created, won_now = done.deal, done.created, done.won_now
    else:
        deal, created = await deals.create_deal(
            call.session, call.workspace.id, owner, new, f"api:{uuid.uuid4().hex}"
        )
        won_now = created and deal.stage == Stage.WON
    after = celebration(call, deal, deal.owner) if won_now else None
    return Answer(201 if created else 200, deal_out(deal), after)


async def patch_deal(call: Call) -> Answer:
    body: s.DealPatch = call.body
    deal = await found_deal(call, call.path.id)
    money = money_of(body.amount, deal.currency) if body.amount is not None else None
    done = await external_deals.update_external_deal(
        call.session, call.workspace.id, deal, body.stage, money, body.expected_close
    )
    after = celebration(call, done.deal, done.deal.owner) if done.won_now else None
    return Answer(200, deal_out(done.deal), after)


# --- people and kudos ----------------------------------------------------------------------------


async def list_members(call: Call) -> Answer:
    rows = await api_reads.members(call.session, call.workspace.id)
    items = [
        s.MemberOut(
            id=m.id,
            slack_id=m.slack_user_id,
            name=m.real_name or m.name,
            role=m.role,
            title=m.title,
            zone=m.timezone,
        )
        for m in rows
    ]
    return Answer(200, s.MemberList(items=items))


def kudos_out(row: api_reads.KudosRow) -> s.KudosOut:
    return s.KudosOut(
        id=row.kudos.id, give_id=row.give.id, giver=person(row.giver), receiver=person(row.receiver),
        message=row.give.message, values=row.give.values, created_at=row.kudos.created_at,
    )  # fmt: skip


async def list_kudos(call: Call) -> Answer:
    q: s.KudosQuery = call.query
    since = None
    if q.period != "all":
        zone = workspace_zone(call.workspace)
        since = Period.containing(q.period, utcnow(), zone).utc_bounds(zone)[0]
    rows, more = await api_reads.kudos_page(
        call.session, call.workspace.id, since=since, receiver=q.receiver, giver=q.giver,
        after_id=api_reads.decode_cursor(q.cursor), limit=q.limit,
    )  # fmt: skip
    cursor = api_reads.encode_cursor(rows[-1].kudos.id) if more else None
    return Answer(200, s.KudosPage(items=[kudos_out(r) for r in rows], next_cursor=cursor))


async def give_kudos(call: Call) -> Answer:
    body: s.KudosCreate = call.body
    giver = await member_named(call, body.giver)
    receivers = [await member_named(call, slack_id) for slack_id in body.receivers]
    result = await kudos.give_kudos(
        call.session, call.workspace, giver, receivers, message=body.message, values=body.values,
        source="api", source_key=f"api:{uuid.uuid4().hex}", channel_id=None, now=utcnow(),
    )  # fmt: skip
    rows = await api_reads.kudos_of_give(call.session, call.workspace.id, result.give.id)
    given = s.KudosGiven(
        give_id=result.give.id, created=result.created, items=[kudos_out(r) for r in rows],
        allowance_left=result.allowance.left,
    )  # fmt: skip
    return Answer(201 if result.created else 200, given)


# --- boards, points, goals -----------------------------------------------------------------------


async def get_leaderboard(call: Call) -> Answer:
    q: s.PeriodQuery = call.query
    zone = workspace_zone(call.workspace)
    now = utcnow()
    period = Period.containing(q.period, now, zone)
    start, end = period.utc_bounds(zone)
    board = await leaderboard.board(
        call.session, call.workspace, call.path.metric, (start, min(end, now)),
        period.previous().utc_bounds(zone), limit=100,
    )  # fmt: skip
    rows = [s.LeaderboardRow(rank=r.rank, slack_id=r.key, value=r.value) for r in board.rows]
    return Answer(200, s.Leaderboard(metric=board.metric, period=q.period, start=period.start, end=period.end,
                                     currency=board.currency, rows=rows))  # fmt: skip


async def get_points(call: Call) -> Answer:
    member = await member_named(call, call.path.member)
    balance = await points.balance(call.session, call.workspace.id, member.id)
    recent = await points.history(call.session, call.workspace.id, member.id, limit=20)
    moves = [s.PointsMovement(delta=e.delta, reason=e.reason, created_at=e.created_at) for e in recent]
    return Answer(200, s.PointsOut(member=member.slack_user_id, balance=balance, recent=moves))


async def list_goals(call: Call) -> Answer:
    rows = await goals.goal_attainment(call.session, call.workspace, utcnow())
    items = [
        s.GoalOut(
            id=r.goal.id,
            member=r.slack_user_id,
            metric=r.metric,
            target=r.target,
            actual=r.actual,
            currency=r.goal.currency,
            period=r.goal.period_kind,
            period_start=r.goal.period_start,
            done=r.done,
        )
        for r in rows
    ]
    return Answer(200, s.GoalList(items=items))


ENDPOINTS = (
    Endpoint("GET", "/deals", list_deals, "List deals (keyset pages, oldest first)", s.DealPage,
             query_model=s.DealQuery, tag="deals"),
    Endpoint("POST", "/deals", create_deal, "Log a deal, or upsert it by external_source + external_id",
             s.DealOut, scope="write", status=201, body_model=s.DealCreate, tag="deals"),
    Endpoint("GET", "/deals/{id}", get_deal, "One deal with its stage history", s.DealDetail,
             path_model=s.DealPath, tag="deals"),
    Endpoint("PATCH", "/deals/{id}", patch_deal, "Change a deal's stage, amount or expected close",
             s.DealOut, scope="write", path_model=s.DealPath, body_model=s.DealPatch, tag="deals"),
    Endpoint("GET", "/members", list_members, "The workspace's people", s.MemberList, tag="people"),
    Endpoint("GET", "/kudos", list_kudos, "Kudos given (never anonymous feedback)", s.KudosPage,
             query_model=s.KudosQuery, tag="kudos"),
    Endpoint("POST", "/kudos", give_kudos, "Give kudos from a named Slack user", s.KudosGiven,
             scope="write", status=201, body_model=s.KudosCreate, tag="kudos"),
    Endpoint("GET", "/leaderboards/{metric}", get_leaderboard, "A leaderboard for a period", s.Leaderboard,
             path_model=s.LeaderboardPath, query_model=s.PeriodQuery, tag="boards"),
    Endpoint("GET", "/points/{member}", get_points, "A member's points balance and recent movements",
             s.PointsOut, path_model=s.MemberPath, tag="boards"),
    Endpoint("GET", "/goals", list_goals, "The current goals and their progress", s.GoalList, tag="boards"),
)  # fmt: skip
