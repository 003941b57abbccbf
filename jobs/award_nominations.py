"""`award-nominations`: on the first workday of the month, nominate last month's leaders to the managers.

The cron fires on the first seven days of the month, Monday to Friday, at 09:00 in the workspace's
zone; the function acts only on the month's first workday (a workspace workday that is not a
holiday). It then claims (job, workspace, month) in `job_runs`, so the nominations are computed
and the managers DMed once a month, however many processes fire on that day.

The claim is taken here rather than by the runner (`claim_period=False`): a runner claim taken on
a day that is not the first workday (a holiday on the 1st) would use up the month's claim.

Each manager's card is claimed on its own as well ("award-nomination", "<month>:<manager>"): when
one DM fails, the month's claim is marked failed for a retry, which sends only the missing cards.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from bot.kit.views.rewards import nominations_card
from jobs.base import JobContext, JobServices, JobSpec, Period, claim, finish
from storage import rewards
from storage.models import Member, Workspace
from storage.workspaces import managers

log = logging.getLogger(__name__)

NAME = "award-nominations"
CARD = "award-nomination"  # the claim of each manager's card


class CardsNotSent(Exception):
    """Some manager's card failed (and was marked so): the month's claim fails too, for a retry."""


async def send_award_nominations(ctx: JobContext) -> int:
    """Nominate and DM each manager one card; returns how many managers were sent the card."""
    workspace, services, now = ctx.workspace, ctx.services, ctx.now
    zone = workspace.timezone or "UTC"
    today = now.astimezone(ZoneInfo(zone)).date()
    month = Period.containing("month", now, zone)
    async with services.db.session() as session:
        first = await rewards.first_workday(session, workspace, month.start)
    if today != first:
        return 0
    run_id = await claim(services, NAME, workspace.id, month.key)
    if run_id is None:
        return 0  # this month's nominations were sent (or are being sent) elsewhere
    try:
        sent = await _nominate_and_tell(workspace, month.previous(), services, now)
    except Exception as exc:
        await finish(services, run_id, exc)
        raise
    await finish(services, run_id)
    return sent


async def _nominate_and_tell(
    workspace: Workspace, last_month: Period, services: JobServices, now: dt.datetime
) -> int:
    async with services.db.session() as session:
        nominations = await rewards.nominate(session, workspace, last_month, now)
        people: dict[int, Member] = {}
        for nomination in nominations:
            person = await rewards.get_member_by_id(session, workspace.id, nomination.member_id)
            if person is not None:
                people[person.id] = person
        deciders = await managers(session, workspace.id)
    if not nominations:
        log.info("%s for %s %s: nobody to nominate", NAME, workspace.team_id, last_month.key)
        return 0
    client = services.client_for(workspace)
    sent, failed = 0, 0
    for manager in deciders:
        key = f"{last_month.key}:{manager.slack_user_id}"
        card_claim = await claim(services, CARD, workspace.id, key)
        if card_claim is None:
            continue  # this manager has the card already
        text, blocks = nominations_card(nominations, people, manager.locale or workspace.locale)
        try:
            await client.chat_postMessage(channel=manager.slack_user_id, text=text, blocks=blocks)
        except Exception as exc:  # one unreachable manager does not stop the others
            log.warning("%s card %s not sent: %s", NAME, key, type(exc).__name__)
            await finish(services, card_claim, exc)
            failed += 1
            continue
        await finish(services, card_claim)
        sent += 1
    if failed:
        raise CardsNotSent(f"{failed} of {len(deciders)} cards not sent")
    return sent


JOB = JobSpec(
    name=NAME,
    function=send_award_nominations,
    cadence="month",
    cron={"day": "1-7", "hour": 9, "minute": 0},  # the function acts on the first workday only
    claim_period=False,  # claimed per (workspace, month) by the function, on the first workday only
    description="On the first workday of the month, DM the managers last month's award nominations.",
)
