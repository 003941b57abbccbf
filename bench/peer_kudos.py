"""The fair peer: the simplest correct `/kudos` a competent engineer would write on dealbell's stack,
in one file, to measure dealbell against (issue 18).

Bolt `AsyncApp` on aiohttp (Bolt's defaults), SQLAlchemy 2 on asyncpg (or aiosqlite), a members and a
kudos table of its own. One transaction per command: lock the giver's row (FOR NO KEY UPDATE on
PostgreSQL), look up the receivers, count the giver's gives today against the daily allowance,
insert one row per receiver; ack; then `chat.postMessage` of a card with a button. Two variants of
the same logic: `orm` (ORM objects and `session.add_all`) and `core` (SQLAlchemy Core statements).

Run as `python -m bench.peer_kudos orm|core` with the environment `bench.common.bot_env` gives
dealbell; `seed()` creates its tables and members. GET /metrics shows the statements it sent, in
dealbell's metric's name, so the bench reads both the same way.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, event, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
ALLOWANCE = 1_000_000  # per giver per day: the bench measures gives, never refusals


class Base(DeclarativeBase):
    pass


class PeerMember(Base):
    __tablename__ = "peer_members"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), unique=True)


class PeerKudos(Base):
    __tablename__ = "peer_kudos"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    giver_id: Mapped[int] = mapped_column(ForeignKey("peer_members.id"), index=True)
    receiver_id: Mapped[int] = mapped_column(ForeignKey("peer_members.id"))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


def driver_url(url: str) -> str:
    parsed = make_url(url)
    driver = "postgresql+asyncpg" if parsed.get_backend_name() == "postgresql" else "sqlite+aiosqlite"
    return str(parsed.set(drivername=driver).render_as_string(hide_password=False))


async def seed(url: str, users: list[str]) -> None:
    """The peer's tables, with one member per Slack user id."""
    engine = create_async_engine(driver_url(url))
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
        await conn.execute(insert(PeerMember), [{"slack_user_id": user} for user in users])
    await engine.dispose()


def today(now: dt.datetime) -> dt.datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


async def give_orm(session: AsyncSession, giver_id: str, receiver_ids: list[str], message: str) -> int:
    """The kudos given (0: refused), with ORM objects."""
    now = dt.datetime.now(dt.UTC)
    giver = await session.scalar(
        select(PeerMember).where(PeerMember.slack_user_id == giver_id).with_for_update(key_share=True)
    )
    receivers = list(
        await session.scalars(select(PeerMember).where(PeerMember.slack_user_id.in_(receiver_ids)))
    )
    if giver is None or not receivers or any(r.id == giver.id for r in receivers):
        return 0
    used = await session.scalar(
        select(func.count()).where(PeerKudos.giver_id == giver.id, PeerKudos.created_at >= today(now))
    )
    if (used or 0) + len(receivers) > ALLOWANCE:
        return 0
    session.add_all(
        PeerKudos(giver_id=giver.id, receiver_id=r.id, message=message, created_at=now) for r in receivers
    )
    return len(receivers)


async def give_core(session: AsyncSession, giver_id: str, receiver_ids: list[str], message: str) -> int:
    """The same, with Core statements."""
    now = dt.datetime.now(dt.UTC)
    members = PeerMember.__table__
    giver = await session.scalar(
        select(members.c.id).where(members.c.slack_user_id == giver_id).with_for_update(key_share=True)
    )
    receivers = list(
        await session.scalars(select(members.c.id).where(members.c.slack_user_id.in_(receiver_ids)))
    )
    if giver is None or not receivers or giver in receivers:
        return 0
    kudos = PeerKudos.__table__
    used = await session.scalar(
        select(func.count())
        .select_from(kudos)
        .where(kudos.c.giver_id == giver, kudos.c.created_at >= today(now))
    )
    if (used or 0) + len(receivers) > ALLOWANCE:
        return 0
    await session.execute(
        insert(kudos),
        [{"giver_id": giver, "receiver_id": r, "message": message, "created_at": now} for r in receivers],
    )
    return len(receivers)


def card(giver: str, receivers: list[str], message: str) -> list[dict[str, Any]]:
    text = f"<@{giver}> gave kudos to {', '.join(f'<@{r}>' for r in receivers)}: {message}"
    button = {"type": "button", "text": {"type": "plain_text", "text": "Me too"}, "action_id": "metoo",
              "value": giver}  # fmt: skip
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "actions", "elements": [button]}]  # fmt: skip


def build(variant: str) -> web.Application:
    engine = create_async_engine(driver_url(os.environ["DATABASE_URL"]), pool_size=20, max_overflow=20)
    statements = 0

    def counted(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine.sync_engine, "before_cursor_execute", counted)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    give = give_orm if variant == "orm" else give_core
    bolt = AsyncApp(
        client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    )

    @bolt.command("/kudos")
    async def kudos(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        receivers = list(dict.fromkeys(MENTION.findall(command["text"])))
        message = MENTION.sub("", command["text"]).strip()
        async with sessions.begin() as session:
            given = await give(session, command["user_id"], receivers, message)
        if not given:
            await ack("No kudos given: check who you mentioned, and your allowance.")
            return
        await ack(f"Kudos sent to {given} people.")
        await client.chat_postMessage(
            channel=command["channel_id"], text=message, blocks=card(command["user_id"], receivers, message)
        )

    async def slack_events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def metrics(_request: web.Request) -> web.Response:
        return web.Response(text=f"dealbell_db_statements_total {statements}\n")

    async def dispose(_app: web.Application) -> None:
        await engine.dispose()

    app = web.Application()
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.on_cleanup.append(dispose)
    return app


if __name__ == "__main__":
    web.run_app(build(sys.argv[1]), port=int(os.environ["PORT"]), print=None, access_log=None,
                shutdown_timeout=25.0)  # fmt: skip
