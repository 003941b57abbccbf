"""Memory: resident set size of dealbell's processes on the scale data (VmRSS / VmHWM from /proc).

1. `dealbell run --http` on the generated database, idle after start-up;
2. the same process after serving every manager's App Home (app_home_opened) and `/leaderboard
   month` on that data: its peak (VmHWM) so far;
3. `dealbell jobs run manager-digest-daily` (the job's own process, the code path the scheduler
   runs): its peak while it builds and sends every manager's digest; the managers live in a zone
   where the digest is due now, so every one of them gets one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from sqlalchemy import select

from bench.common import (
    SIGNING_SECRET,
    TEAM_ID,
    Server,
    backends,
    dealbell_command,
    dealbell_server,
    markdown_table,
    memory_kb,
    spawn,
)
from bench.fanout import make_digest_due
from bench.scale import ScaleData
from bot.sandbox.fake_slack import FakeSlack
from storage.db import Database
from storage.models import Member
from tests.slack_requests import payload, sign

TARGET_MB = 250


async def post(session: aiohttp.ClientSession, url: str, body: bytes, content_type: str) -> int:
    timestamp = str(int(time.time()))
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
               "X-Slack-Signature": sign(SIGNING_SECRET, timestamp, body)}  # fmt: skip
    async with session.post(url + "/slack/events", data=body, headers=headers) as response:
        await response.read()
        return response.status


async def exercise(server: Server, fake: FakeSlack, managers: list[str]) -> None:
    """Every manager opens the App Home and asks for the month's leaderboard."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for n, user in enumerate(managers):
            event = payload("event_app_home_opened")
            event["event_id"] = f"EvMemory{n:06d}"
            event["event"]["user"] = user
            await post(session, server.url, json.dumps(event).encode(), "application/json")
            fields = payload("slash_command")
            fields.update(command="/leaderboard", text="month", user_id=user, trigger_id=f"memory.{n}")
            await post(session, server.url, urlencode(fields).encode(), "application/x-www-form-urlencoded")
    await fake.wait_for("views.publish", len(managers), timeout=120)


async def digest_peak(env: dict[str, str], log: Path) -> tuple[int, int]:
    """Run the digest job in its own process; (peak RSS in kB, exit code), sampled every 20 ms."""
    with log.open("ab") as out:
        process = await spawn(
            dealbell_command("jobs", "run", "manager-digest-daily", "--team", TEAM_ID), env, out
        )
    peak = 0
    while process.returncode is None:
        peak = max(peak, memory_kb(process.pid).get("VmHWM", 0))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 0.02)
    return peak, process.returncode or 0


async def due_now(url: str) -> None:
    db = Database(url)
    try:
        await make_digest_due(db)
    finally:
        await db.dispose()


def mb(kb: int) -> float:
    return round(kb / 1024, 1)


async def manager_ids(url: str) -> list[str]:
    db = Database(url)
    try:
        async with db.session() as session:
            return list(await session.scalars(select(Member.slack_user_id).where(Member.role == "manager")))
    finally:
        await db.dispose()


async def measure(backend: str, workdir: Path, data: ScaleData) -> list[list[object]]:
    url = await data.url(backend)
    managers = await manager_ids(url)
    fake = await FakeSlack().start()
    try:
        server = await dealbell_server(url, fake.api_url, workdir / f"memory-{backend}.log")
        try:
            await asyncio.sleep(1)  # past start-up: the scheduler has synced its jobs
            idle = memory_kb(server.pid)
            await exercise(server, fake, managers)
            busy = memory_kb(server.pid)
        finally:
            await server.stop()
        await due_now(url)
        before = len(fake.calls_to("chat.postMessage"))
        peak, code = await digest_peak(server.env, workdir / f"memory-digest-{backend}.log")
        sent = len(fake.calls_to("chat.postMessage")) - before
    finally:
        await fake.stop()
    served = f"{len(managers)} App Homes + /leaderboard month"
    return [
        [backend, "dealbell run --http", "idle after start", mb(idle["VmRSS"]), mb(idle["VmHWM"]), TARGET_MB],
        [backend, "dealbell run --http", served, mb(busy["VmRSS"]), mb(busy["VmHWM"]), TARGET_MB],
        [backend, "dealbell jobs run manager-digest-daily", f"{sent} digests sent (exit {code})", "—", mb(peak),
         TARGET_MB],
    ]  # fmt: skip


async def run(db_choice: str, workdir: Path, data: ScaleData) -> str:
    rows: list[list[object]] = []
    sizes = data.sizes
    for backend in backends(db_choice):
        rows += await measure(backend, workdir, data)
        print(f"  {backend}: memory measured", file=sys.stderr, flush=True)
    headers = ["database", "process", "when", "VmRSS MB", "peak VmHWM MB", "target MB"]
    return (
        markdown_table(headers, rows)
        + f"\n\nData: {sizes.members:,} members, {sizes.deals:,} deals, {sizes.kudos:,} kudos, {sizes.activities:,} activities."
    )
