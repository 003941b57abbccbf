"""Deliver the Slack outbox (storage/outbox.py): claim a due row, render it from what the database
holds now, send it, mark it. Listeners call `deliver_due` right after their commit (latency), the
`slack-outbox` job every minute (the retry): a row is claimed before it is sent, so one process sends
it, and a failure (Slack down, a rate limit past its retries, the database right after commit) leaves
it pending for the next try rather than lost.

A post rendered at delivery time says what is true then: a celebration of a deal corrected before
it went out shows the corrected amount; an update of a deleted deal's post says it was withdrawn.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit import delivery
from bot.kit.views import deal_posts
from storage import deal_history, deals, outbox
from storage.db import Database
from storage.models import Member, SlackOutbox, Workspace, utcnow

log = logging.getLogger(__name__)

# Who holds a claim: this process (a replica, the CLI, a test's app).
CLAIMANT = f"outbox:{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Post:
    channel: str
    text: str
    blocks: list[dict[str, Any]]
    ts: str | None = None  # set: update this message instead of posting
    tell: Member | None = None  # who hears it when the bot cannot post in `channel`
    deal_id: int | None = None  # a celebration: the deal records where it was posted


Renderer = Callable[[AsyncSession, Workspace, SlackOutbox], Awaitable[Post | None]]


async def _celebration(session: AsyncSession, workspace: Workspace, row: SlackOutbox) -> Post | None:
    deal = await deals.get_deal(session, workspace.id, row.subject_id or 0)
    channel = workspace.channel("wins") or row.channel
    if deal is None or deal.stage != "won" or not channel:
        return None  # deleted or reopened before it went out, or nowhere to post: nothing to send
    text, blocks = deal_posts.celebration(deal, None, workspace.locale)
    return Post(channel, text, blocks, tell=deal.owner, deal_id=deal.id)


async def _celebration_update(session: AsyncSession, workspace: Workspace, row: SlackOutbox) -> Post | None:
    payload = row.payload or {}
    if not row.channel or not payload.get("ts"):
        return None
    deal = await deals.get_deal(session, workspace.id, row.subject_id or 0)
    if deal is not None and deal.stage == "won":
        congratulations = await deals.congratulations(session, workspace.id, deal.id)
        text, blocks = deal_posts.celebration(deal, congratulations, workspace.locale)
    else:
        facts = deal_history.post_facts(deal) if deal is not None else payload
        text, blocks = deal_posts.withdrawn(facts, workspace.locale)
    return Post(row.channel, text, blocks, ts=payload["ts"])


async def _approval_request(session: AsyncSession, workspace: Workspace, row: SlackOutbox) -> Post | None:
    deal = await deals.get_deal(session, workspace.id, row.subject_id or 0)
    if deal is None or not row.channel:
        return None
    manager = await session.scalar(  # the manager reads it in their own language
        select(Member).where(Member.workspace_id == workspace.id, Member.slack_user_id == row.channel)
    )
    text, blocks = deal_posts.approval_request(deal, manager.locale if manager else workspace.locale)
    return Post(row.channel, text, blocks)


RENDERERS: dict[str, Renderer] = {
    deal_history.CELEBRATION: _celebration,
    deal_history.CELEBRATION_UPDATE: _celebration_update,
    deal_history.APPROVAL_REQUEST: _approval_request,
}


async def deliver_due(
    db: Database,
    client: AsyncWebClient,
    workspace: Workspace,
    *,
    now: dt.datetime | None = None,
    subject_id: int | None = None,
    claimant: str = CLAIMANT,
) -> int:
    """Send every due row of the workspace (or of one subject); returns how many Slack accepted.

    The claim and the rendering share one transaction (the post says what was true when claimed),
    so a celebration costs two transactions and one post, as it did before the outbox."""
    async with db.session() as session:
        rows = await outbox.claim_due(session, workspace.id, now or utcnow(), claimant, subject_id=subject_id)
        posts = [(row.id, row.kind, await RENDERERS[row.kind](session, workspace, row)) for row in rows]
    sent = 0
    for row_id, kind, post in posts:
        sent += await _deliver(db, client, row_id, kind, post, workspace, claimant)
    return sent


async def deliver_soon(db: Database, client: AsyncWebClient, workspace: Workspace, subject_id: int) -> None:
    """Right after a listener's commit: try now; any failure is left to the job (the row is written)."""
    try:
        await deliver_due(db, client, workspace, subject_id=subject_id)
    except Exception as exc:  # the outbox row stays pending: the job retries it
        log.warning("outbox delivery deferred to the job: %s", type(exc).__name__)


async def _deliver(
    db: Database,
    client: AsyncWebClient,
    row_id: int,
    kind: str,
    post: Post | None,
    workspace: Workspace,
    claimant: str,
) -> int:
    if post is None:  # its reason is gone (the deal deleted or reopened before it went out)
        async with db.session() as session:
            await outbox.mark_gone(session, row_id, claimant, "nothing to send")
        return 0
    try:
        posted = await _send(client, post, kind)
    except Exception as exc:  # Slack down, rate limited past its retries: the job tries again later
        log.warning("outbox %s %s not delivered: %s", kind, row_id, type(exc).__name__)
        async with db.session() as session:
            await outbox.mark_failed(session, row_id, claimant, type(exc).__name__)
        return 0
    async with db.session() as session:
        if posted is None:
            await outbox.mark_gone(session, row_id, claimant, "channel")
        else:
            await outbox.mark_sent(session, row_id, claimant, posted["channel"], posted["ts"])
            if post.deal_id is not None:
                await deals.record_celebration(
                    session, workspace.id, post.deal_id, posted["channel"], posted["ts"]
                )
    if posted is None:
        await delivery.tell_cannot_post(
            client, post.tell, post.tell.locale if post.tell else None, post.channel
        )
        return 0
    return 1


async def _send(client: AsyncWebClient, post: Post, kind: str) -> Any:
    if post.ts:
        return await client.chat_update(channel=post.channel, ts=post.ts, text=post.text, blocks=post.blocks)
    return await delivery.post_unless_gone(client, post.channel, post.text, post.blocks, what=kind)
