"""`refresh-member-profiles`: nightly, re-read every known member from users.info.

Requests never call users.info for members already known; this job keeps names, time zones,
locales and admin flags current instead.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from jobs.base import JobContext, JobSpec
from storage.workspaces import Profile, list_members, save_member

log = logging.getLogger(__name__)


async def refresh_member_profiles(ctx: JobContext) -> int:
    """Refresh each member's profile; returns how many were refreshed."""
    workspace, services = ctx.workspace, ctx.services
    client = services.client_for(workspace)
    async with services.db.session() as session:
        members = await list_members(session, workspace.id)
    refreshed = 0
    for member in members:
        try:
            response = await client.users_info(user=member.slack_user_id, include_locale=True)
        except SlackApiError as exc:
            log.warning("users.info failed during refresh: %s", exc.response.get("error"))
            continue
        async with services.db.session() as session:
            await save_member(
                session,
                workspace.id,
                member.slack_user_id,
                Profile.from_users_info(response["user"]),
                now=ctx.now,
            )
        refreshed += 1
    return refreshed


JOB = JobSpec(
    name="refresh-member-profiles",
    function=refresh_member_profiles,
    cadence="day",
    cron={"hour": 3, "minute": 15},
    description="Re-read members' names, time zones, locales and admin flags from Slack (daily 03:15).",
)
