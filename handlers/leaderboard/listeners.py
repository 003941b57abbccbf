"""Listener for `/leaderboard`: parse, read the boards in one transaction, answer ephemerally."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from bot.kit.views import leaderboard as render
from handlers.leaderboard.syntax import LeaderboardSyntaxError, parse_leaderboard_command
from handlers.middleware import scope
from handlers.replies import refusal
from storage import leaderboard
from storage.models import utcnow
from storage.periods import Period, member_zone


async def leaderboard_command(
    ack: AsyncAck, body: dict[str, Any], command: dict[str, Any], context: AsyncBoltContext
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        parsed = parse_leaderboard_command(command.get("text", ""))
    except LeaderboardSyntaxError as error:
        await ack(text=f"{refusal(locale, error)}\n\n{render.usage(locale)}")
        return
    if parsed.verb == "help":
        await ack(text=render.usage(locale))
        return
    zone = member_zone(member, workspace)
    period = Period.containing(parsed.period, utcnow(), zone)
    now = utcnow()
    start, end = period.utc_bounds(zone)
    async with db.session() as session:
        boards = await leaderboard.boards(
            session,
            workspace,
            parsed.metrics,
            (start, min(end, now)),
            period.previous().utc_bounds(zone),
            public=True,
        )
    text, blocks = render.on_demand(boards, period, zone, locale)
    await ack(text=text, blocks=blocks)
