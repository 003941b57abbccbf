"""`dealbell run --http --workers N`: N processes on one port, the scheduler in one, /metrics summed."""

from __future__ import annotations

import asyncio
import itertools
import re
import signal
from pathlib import Path

import aiohttp

from tests.conftest import SIGNING_SECRET
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackSender
from tests.test_server import DEALBELL, clean_env, free_port, wait_healthy

START_WITHIN = 120.0  # seconds: two interpreters start, on a machine that may be busy
REQUESTS = 12


async def logged(log: Path, needle: str, times: int) -> None:
    """Wait (polling the log file: a child process's output has no event) until `needle` shows `times`."""
    async with asyncio.timeout(START_WITHIN):
        for _poll in itertools.count():
            if (await asyncio.to_thread(log.read_text)).count(needle) >= times:
                return
            await asyncio.sleep(0.1)


def requests_counted(metrics: str) -> float:
    """The sum of dealbell_slack_requests_total over its labels, as /metrics shows it."""
    found = re.findall(r"^dealbell_slack_requests_total\{[^}]*\} ([0-9.e+]+)$", metrics, re.M)
    return sum(float(value) for value in found)


async def test_two_workers_share_the_port_the_scheduler_and_the_metrics(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake_slack.api_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'workers.db'}",
    )  # fmt: skip
    log = tmp_path / "dealbell.log"
    with log.open("wb") as log_file:
        proc = await asyncio.create_subprocess_exec(
            str(DEALBELL), "run", "--http", "--port", str(port), "--workers", "2",
            cwd=tmp_path, env=env, stdout=log_file, stderr=log_file,
        )  # fmt: skip
    try:
        await wait_healthy(proc, f"{url}/healthz", log, timeout=START_WITHIN)
        await logged(log, "listening on port", times=2)  # both serve: the kernel spreads connections
        send = SlackSender(url, SIGNING_SECRET, fake_slack.response_url())
        # New connections each, so the kernel spreads them over both workers.
        replies = [await send.command("/kudos", "help") for _ in range(REQUESTS)]
        assert all(reply.status == 200 for reply in replies)
        async with aiohttp.ClientSession() as session, session.get(f"{url}/metrics") as response:
            metrics = await response.text()
        assert requests_counted(metrics) == REQUESTS, metrics
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), START_WITHIN)
    output = log.read_text()
    assert code == 0, output
    assert output.count("scheduler started") == 1, output
    assert output.count("dealbell stopped") == 2, output  # both workers stopped gracefully
    assert "Traceback" not in output, output
