"""Workflow Builder steps (Bolt custom functions): the commands' rules, run by a workflow.

Each step completes with its outputs or fails with a readable error (functions.completeSuccess /
completeError); it writes once per `function_execution_id`, the step's source key, so a redelivered
or re-run execution finds what the first one wrote. The workspace's language words the errors.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_bolt.context.complete.async_complete import AsyncComplete
from slack_bolt.context.fail.async_fail import AsyncFail
from slack_sdk.web.async_client import AsyncWebClient

from handlers.deals.listeners import celebrate
from handlers.kudos.listeners import announce, receivers_for
from handlers.replies import error_text
from storage import deals, kudos
from storage.errors import UserError
from storage.models import OPEN_STAGES, Member, Stage, utcnow
from storage.money import AmountError, parse_amount

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
    if created and deal.stage == Stage.WON:
        await celebrate(client, context["db"], workspace, deal, fallback_channel=None, user=owner)


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
