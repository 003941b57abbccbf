"""`retention`: delete feedback and standup answers older than the workspace's retention setting.

Off by default; `/dealbell retention 12` keeps 12 months. Runs daily at 03:40 in the workspace's
zone, as of the run's `now` (its clock: `dealbell jobs run retention --at …` replays a day), and
deletes in one transaction. Deleting again deletes nothing more, so a second run is harmless.
"""

from __future__ import annotations

import logging

from jobs.base import JobContext, JobSpec
from storage.member_data import delete_expired

log = logging.getLogger(__name__)

NAME = "retention"


async def delete_old_personal_data(ctx: JobContext) -> int:
    async with ctx.services.db.session() as session:
        deleted = await delete_expired(session, ctx.workspace, ctx.now)
    if any(deleted.values()):
        log.info("%s for %s: deleted %s", NAME, ctx.workspace.team_id, deleted)
    return sum(deleted.values())


JOB = JobSpec(
    name=NAME,
    function=delete_old_personal_data,
    cadence="day",
    cron={"hour": 3, "minute": 40},
    description="Delete feedback and standup answers older than the workspace's retention setting (daily 03:40).",
)
