"""Slack steps shared by the standup listeners and jobs: ask, remind, post and update the summary.

Jobs decide what is due and claim it (jobs/standups.py); listeners handle people's clicks and
submissions. Both go through here to talk to Slack, so a prompt looks and is recorded the same
whether the schedule or `/standup now` sent it.
"""

from __future__ import annotations

import datetime as dt
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import delivery
from bot.kit.views import standups as render
from storage import standups
from storage.db import Database
from storage.models import Member, Standup, StandupRun, Workspace
from storage.standups import RunReport, SavedAnswer

log = logging.getLogger(__name__)


def locale_of(member: Member, workspace: Workspace) -> str | None:
    return member.locale or workspace.locale


async def send_prompt(
    client: AsyncWebClient,
    db: Database,
    workspace: Workspace,
    standup: Standup,
    run: StandupRun,
    member: Member,
    now: dt.datetime,
) -> None:
    """DM the member the day's prompt, then record that (and where) they were asked."""
    text, blocks = render.prompt(standup, run, locale_of(member, workspace))
    posted = await client.chat_postMessage(channel=member.slack_user_id, text=text, blocks=blocks)
    async with db.session() as session:
        await standups.record_prompt(
            session, workspace.id, run.id, member.id, now, posted.get("channel"), posted.get("ts")
        )


async def prompt_now(
    client: AsyncWebClient, db: Database, workspace: Workspace, chosen: list[Standup], now: dt.datetime
) -> int:
    """`/standup now`: ask every participant of `chosen` who is not out of office today; returns how many."""
    async with db.session() as session:
        due = await standups.prompts_now(session, workspace, chosen, now)
    sent = 0
    for item in due:
        try:
            async with db.session() as session:
                run = await standups.ensure_run(session, workspace.id, item.standup.id, item.day, now)
            await send_prompt(client, db, workspace, item.standup, run, item.member, now)
        except Exception as exc:  # one unreachable person does not stop the others
            log.warning("standup prompt %s not sent: %s", item.key, type(exc).__name__)
            continue
        sent += 1
    return sent


async def send_reminder(
    client: AsyncWebClient, workspace: Workspace, standup: Standup, run: StandupRun, member: Member
) -> None:
    text, blocks = render.reminder(standup, run, locale_of(member, workspace))
    await client.chat_postMessage(channel=member.slack_user_id, text=text, blocks=blocks)


async def report_of(db: Database, workspace: Workspace, run_id: int) -> RunReport | None:
    async with db.session() as session:
        return await standups.run_report(session, workspace.id, run_id)


async def post_summary(
    client: AsyncWebClient, db: Database, workspace: Workspace, run_id: int, now: dt.datetime
) -> RunReport | None:
    """Post the run's summary in the standup's channel and remember where (summarized at `now`, the
    job's clock); the report it shows.

    Answers saved while it was being posted are caught by drawing it again once it is recorded.
    When the bot cannot post there, the standup's creator is told and the run still counts as
    summarized (the managers still hear of the blockers).
    """
    report = await report_of(db, workspace, run_id)
    if report is None or report.run.summarized_at is not None:
        return report  # gone, or a retry after the summary went out: not posted twice
    text, blocks = render.summary(report, workspace.locale)
    async with db.session() as session:
        creator = await session.get(Member, report.standup.created_by_id)
    posted = await delivery.post_or_tell(
        client,
        report.standup.channel_id,
        text,
        blocks,
        tell=creator,
        locale=locale_of(creator, workspace) if creator else None,
        what="standup summary",
    )
    if posted is None:
        async with db.session() as session:
            await standups.record_summary(session, workspace.id, run_id, None, None, now)
        return report
    async with db.session() as session:
        await standups.record_summary(session, workspace.id, run_id, posted["channel"], posted["ts"], now)
    fresh = await report_of(db, workspace, run_id)
    if fresh is not None and render.summary(fresh, workspace.locale) != (text, blocks):
        await refresh_summary(client, db, workspace, run_id)
    return fresh or report


async def refresh_summary(client: AsyncWebClient, db: Database, workspace: Workspace, run_id: int) -> bool:
    """Draw a posted summary again (a late or edited answer); False when none was posted."""
    report = await report_of(db, workspace, run_id)
    if report is None or not (report.run.summary_channel and report.run.summary_ts):
        return False
    text, blocks = render.summary(report, workspace.locale)
    await client.chat_update(
        channel=report.run.summary_channel, ts=report.run.summary_ts, text=text, blocks=blocks
    )
    return True


async def mark_answered(
    client: AsyncWebClient, workspace: Workspace, member: Member, saved: SavedAnswer
) -> None:
    """Turn the prompt DM into a thank-you with an Edit button."""
    prompt = saved.prompt
    if prompt is None or not (prompt.channel_id and prompt.message_ts):
        return
    text, blocks = render.answered(saved.standup, saved.run, saved.answer.late, locale_of(member, workspace))
    try:
        await client.chat_update(channel=prompt.channel_id, ts=prompt.message_ts, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.info("standup prompt not updated: %s", exc.response.get("error"))
