"""The sandbox's rough edges a new team hits in week one (issue 16, item 14): the Scheduler's schedules in
words, the favicon, PORT and the warning that data lives in a temp file, and `/team` in an empty sandbox."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys

import aiohttp

from bot.sandbox.seed import MANAGER, REPS, SALES
from bot.sandbox.server import start_sandbox
from tests.sandbox.conftest import Page
from tests.test_server import clean_env, free_port

ANA, LI = REPS[0].id, REPS[1].id


async def test_the_scheduler_says_when_each_job_runs_in_words_in_the_members_language(page_api):
    english = {job["name"]: job["schedule"] for job in await page_api.get(f"/api/jobs?user={ANA}")}
    assert english["training-reminders"] == "Every 5 minutes"
    assert english["weekly-leaderboard"] == "At 16:00, only on Friday"
    assert not any("=" in text for text in english.values())  # no raw "minute=*/5"
    chinese = {job["name"]: job["schedule"] for job in await page_api.get(f"/api/jobs?user={LI}")}
    assert chinese["training-reminders"] == "每 5 分钟"
    assert "星期五" in chinese["weekly-leaderboard"]


async def test_the_page_has_a_favicon(sandbox):
    async with aiohttp.ClientSession() as session, session.get(sandbox.url + "/favicon.ico") as response:
        assert response.status == 200
        assert response.content_type.startswith("image/")


async def test_an_empty_sandboxs_team_lists_the_workspace_members_from_slack(tmp_path):
    sandbox = await start_sandbox(f"sqlite:///{tmp_path / 'empty.db'}", seed=False, scheduler=False)
    try:
        async with aiohttp.ClientSession() as session:
            page = Page(sandbox.url, session, sandbox.token)
            status, _ = await page.post("/api/command", user=ANA, channel=SALES, command="/team", text="")
        assert status == 200
        [roster] = [m for m in sandbox.slack.timeline if m.ephemeral_to == ANA]
        shown = roster.text + str(roster.blocks)
        for person in (MANAGER, *REPS):  # nobody but Ana has used the bot yet
            assert person.id in shown, person
        assert "UBOT" not in shown  # the bot is not a member of the team
        assert not sandbox.slack.refusals
    finally:
        await sandbox.stop()


async def test_the_sandbox_listens_on_PORT_and_says_its_data_goes_unless_db_is_given(tmp_path):
    for _attempt in range(3):  # a free port may be taken by a parallel test before the sandbox binds it
        printed = await sandbox_on_port(tmp_path, free_port())
        if printed is not None:
            break
    assert printed is not None, "dealbell sandbox never printed its URL on PORT"
    assert "--db" in printed and "deleted" in printed  # a restart starts afresh unless --db keeps it


async def sandbox_on_port(tmp_path, port: int) -> str | None:
    """What `PORT=port dealbell sandbox --empty` printed from start to SIGTERM; None if it exited
    without serving (the port was taken meanwhile)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "sandbox", "--empty",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL, cwd=tmp_path,
        env=clean_env(PORT=str(port)),
    )  # fmt: skip
    try:
        printed = ""
        while f"http://127.0.0.1:{port}" not in printed:
            line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()  # type: ignore[union-attr]
            if not line:
                return None
            printed += line
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/") as response:
            assert response.status == 200
        process.send_signal(signal.SIGTERM)
        rest = (await asyncio.wait_for(process.stdout.read(), 30)).decode()  # type: ignore[union-attr]
        printed += rest
        assert await asyncio.wait_for(process.wait(), 30) == 0
        return printed
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def test_a_busy_port_says_which_port_to_try_instead(tmp_path, capsys):
    from bot import cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        code = cli.sandbox(busy, empty=True, database=tmp_path / "s.db")
    assert code == 2
    assert f"port {busy}: address already in use — try PORT={busy + 1} make run" in capsys.readouterr().err
