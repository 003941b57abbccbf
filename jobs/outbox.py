"""`slack-outbox`: deliver the Slack posts written in the outbox (a win's celebration first) that no
listener delivered right after its commit: Slack was down, the process died, the database failed."""

from __future__ import annotations

from bot.kit.outbox import deliver_due
from jobs.base import JobContext, JobSpec


async def deliver_outbox(ctx: JobContext) -> int:
    return await deliver_due(
        ctx.services.db,
        ctx.services.client_for(ctx.workspace),
        ctx.workspace,
        now=ctx.now,
        claimant=f"outbox:{ctx.services.claimant}",
    )


JOB = JobSpec(
    name="slack-outbox",
    function=deliver_outbox,
    cadence="day",
    cron={"minute": "*"},
    claim_period=False,  # every minute; each row is claimed on its own (storage/outbox.py)
    description="Deliver Slack posts not yet accepted (celebrations, their corrections, approval requests) (every minute).",
)
