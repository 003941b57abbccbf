"""Workflow Builder steps (Bolt custom functions): the commands' rules, run by a workflow.

Each step completes with its outputs or fails with a readable error (functions.completeSuccess /
completeError); it writes once per `function_execution_id`, the step's source key, so a redelivered
or re-run execution finds what the first one wrote. The workspace's language words the errors.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_bolt.context.complete.async_complete import AsyncComplete
from slack_bolt.context.fail.async_fail import AsyncFail
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit.command_text import date_of
from bot.kit.outbox import deliver_soon
from bot.kit.views import leaderboard as leaderboard_render
from handlers.customers.render import command_name
from handlers.kudos.listeners import announce, receivers_for
from handlers.replies import error_text
from storage import activities, customers, deals, kudos, leaderboard
from storage.errors import UserError
from storage.events import mark_event_processed
from storage.models import OPEN_STAGES, Member, Stage, utcnow
from storage.money import AmountError, parse_amount
from storage.periods import Period

log = logging.getLogger(__name__)
STEP_STAGES = (*OPEN_STAGES, Stage.WON)


class StepError(UserError):
    """A step's input that the command would refuse too."""


def _execution(body: dict[str, Any]) -> str:
    return body["event"]["function_execution_id"]


async def _person(client: AsyncWebClient, context: AsyncBoltContext, user_id: str) -> Member:
    """The member a user input names (looked up with users.info when first seen)."""
    found = await receivers_for(client, context["db"], context["workspace"], [user_id])
    return found[0]


def _home_link(body: dict[str, Any]) -> str:
    """Where the deal is shown: the app's Home tab (a deep link Slack opens in the client)."""
    return f"slack://app?team={body.get('team_id', '')}&id={body.get('api_app_id', '')}&tab=home"


async def _fail(fail: AsyncFail, context: AsyncBoltContext, error: UserError) -> None:
    await fail(error=error_text(context["workspace"].locale, error))


async def log_deal(
    ack: AsyncAck,
    body: dict[str, Any],
    inputs: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    complete: AsyncComplete,
    fail: AsyncFail,
) -> None:
    """ "Log a deal": customer, amount, currency, stage, owner → deal_id, deal_link."""
    await ack()
    workspace = context["workspace"]
    try:
        money = parse_amount(str(inputs.get("amount") or ""), inputs.get("currency") or workspace.currency)
        stage_value = (inputs.get("stage") or Stage.LEAD.value).lower()
        if stage_value not in {s.value for s in STEP_STAGES}:
            raise StepError("deal.error.bad_stage", stage=stage_value, stages=", ".join(STEP_STAGES))
        owner = await _person(client, context, inputs.get("owner") or "")
        new = deals.NewDeal(customer=" ".join(str(inputs.get("customer") or "").split()), money=money,
                            stage=Stage(stage_value))  # fmt: skip
        if not new.customer:
            raise StepError("deal.error.customer_missing.form")
        async with context["db"].session() as session:
            deal, created = await deals.create_deal(
                session, workspace.id, owner, new, source_key=f"function:{_execution(body)}"
            )
    except AmountError as error:
        await _fail(fail, context, StepError(f"amount.error.{error.reason}", amount=inputs.get("amount")))
        return
    except UserError as error:
        await _fail(fail, context, error)
        return
    await complete(outputs={"deal_id": str(deal.id), "deal_link": _home_link(body)})
    if created and deal.stage == Stage.WON:  # queued with the deal (the Slack outbox): delivered now
        await deliver_soon(context["db"], client, workspace, deal.id)


async def give_kudos(
    ack: AsyncAck,
    body: dict[str, Any],
    inputs: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    complete: AsyncComplete,
    fail: AsyncFail,
) -> None:
    """ "Give kudos": giver, receivers, message, value → kudos_id; the giver's allowance applies."""
    await ack()
    db, workspace = context["db"], context["workspace"]
    value = inputs.get("value") or ""
    try:
        giver = await _person(client, context, inputs.get("giver") or "")
        receivers = await receivers_for(client, db, workspace, list(inputs.get("receivers") or []))
        async with db.session() as session:
            result = await kudos.give_kudos(
                session, workspace, giver, receivers, message=str(inputs.get("message") or ""),
                values=[value.lstrip("#")] if value else [], source="workflow",
                source_key=f"function:{_execution(body)}", channel_id=None, now=utcnow(),
            )  # fmt: skip
    except UserError as error:
        await _fail(fail, context, error)
        return
    await complete(outputs={"kudos_id": str(result.give.id)})
    if result.created:
        await announce(client, db, workspace, result.give, fallback_channel=None, people=(receivers, []))


async def post_leaderboard(
    ack: AsyncAck,
    body: dict[str, Any],
    inputs: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    complete: AsyncComplete,
    fail: AsyncFail,
) -> None:
    """ "Post this week's leaderboard" to a channel: the Friday post's boards, up to now, once per run."""
    await ack()
    db, workspace = context["db"], context["workspace"]
    channel, now, zone = str(inputs.get("channel") or ""), utcnow(), workspace.timezone
    period = Period.containing("week", now, zone)
    start, end = period.utc_bounds(zone)
    async with db.session() as session:
        if not await mark_event_processed(session, f"function:{_execution(body)}", workspace.team_id, "step"):
            await complete(outputs={})  # this run already posted
            return
        boards = await leaderboard.boards(session, workspace, leaderboard.WEEKLY_METRICS, (start, min(end, now)),
                                          period.previous().utc_bounds(zone), public=True)  # fmt: skip
    today = now.astimezone(ZoneInfo(zone)).date()
    text, blocks = leaderboard_render.weekly(boards, period, today, zone, workspace.locale)
    try:
        await client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except SlackApiError as exc:
        error = StepError("workflows.error.not_posted", channel=channel, reason=exc.response.get("error", ""))
        await _fail(fail, context, error)
        return
    await complete(outputs={})


async def add_follow_up(
    ack: AsyncAck,
    body: dict[str, Any],
    inputs: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    complete: AsyncComplete,
    fail: AsyncFail,
) -> None:
    """ "Add a customer follow-up": a /log entry (kind, note) for a known customer, next follow-up date."""
    await ack()
    db, workspace = context["db"], context["workspace"]
    name = " ".join(str(inputs.get("customer") or "").split())
    try:
        member = await _person(client, context, inputs.get("user") or "")
        next_date = _date(inputs.get("next_follow_up"))
        async with db.session() as session:
            customer = await customers.find_customer(session, workspace.id, name)
            if customer is None:
                raise StepError("customers.error.unknown_customer", name=name, command=command_name(name))
            result = await activities.record_activity(
                session, workspace, member, customer.id, kind=str(inputs.get("kind") or "note").lower(),
                note=str(inputs.get("note") or ""), next_follow_up=next_date,
                source_key=f"function:{_execution(body)}",
            )  # fmt: skip
    except UserError as error:
        await _fail(fail, context, error)
        return
    follow_up = result.activity.next_follow_up
    await complete(outputs={"next_follow_up": follow_up.isoformat() if follow_up else ""})


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    day = date_of(str(value))
    if day is None:
        raise StepError("deal.error.bad_date", value=value)
    return day
