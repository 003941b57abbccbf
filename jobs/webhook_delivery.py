"""`webhook-delivery`: send the outbox's due webhook deliveries (bot/kit/webhook_sender.py; the server
also sends right after each commit)."""

from __future__ import annotations

import aiohttp

from bot.kit.webhook_sender import deliver_due
from jobs.base import JobContext, JobSpec
from storage import webhooks


async def webhook_delivery(ctx: JobContext) -> int:
    async with aiohttp.ClientSession() as http:
        return await deliver_due(
            ctx.services.db, ctx.services.claimant, http, policy=webhooks.RetryPolicy(),
            client_for=ctx.services.client_for, workspace_id=ctx.workspace.id, now=ctx.now,
        )  # fmt: skip


JOB = JobSpec(
    name="webhook-delivery",
    function=webhook_delivery,
    cadence="day",
    cron={"minute": "*"},
    description="Send due webhook deliveries and retries (every minute; the server also sends at once).",
    claim_period=False,
)
