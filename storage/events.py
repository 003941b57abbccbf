"""Deduplication of Events API deliveries."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_ignoring_conflicts
from storage.models import ProcessedEvent, utcnow


async def mark_event_processed(session: AsyncSession, event_id: str, team_id: str, event_type: str) -> bool:
    """True the first time an event id is seen, False for every retry of it."""
    result = await session.execute(
        insert_ignoring_conflicts(session, ProcessedEvent.__table__, ["event_id"]).values(
            event_id=event_id, team_id=team_id, event_type=event_type, processed_at=utcnow()
        )
    )
    return result.rowcount == 1


async def forget_old_events(
    session: AsyncSession, team_id: str, now: dt.datetime, older_than: dt.timedelta = dt.timedelta(days=2)
) -> int:
    """Slack retries within minutes; two days of ids before `now` is plenty."""
    result = await session.execute(
        delete(ProcessedEvent).where(
            ProcessedEvent.team_id == team_id, ProcessedEvent.processed_at < now - older_than
        )
    )
    return result.rowcount
