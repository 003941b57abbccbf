"""What an operator reads at the terminal (issue 16, item 15): one clear line instead of a traceback, a
token Slack refuses caught before serving, no Bolt or Alembic chatter, and hints that say what to do."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

from storage import migrate
from tests.conftest import SIGNING_SECRET
from tests.fake_slack import FakeSlack
from tests.test_server import DEALBELL, clean_env, dealbell, free_port, wait_healthy


async def test_db_upgrade_and_current_print_their_answer_without_alembics_info_lines(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}")
    for action in ("upgrade", "current"):
        code, out, err = await dealbell("db", action, cwd=tmp_path, env=env)
        assert code == 0, err
        assert "alembic" not in out + err and "INFO" not in out + err, (out, err)
    assert "up to date" in out


async def test_a_bot_token_without_a_signing_secret_names_socket_mode_as_the_alternative(
    tmp_path: Path,
) -> None:
    env = clean_env(SLACK_BOT_TOKEN="xoxb-1", DATABASE_URL=f"sqlite:///{tmp_path / 'never.db'}")
    code, _out, err = await dealbell("run", cwd=tmp_path, env=env)
    assert code == 2
    assert "SLACK_SIGNING_SECRET" in err and "Socket Mode" in err and "SLACK_APP_TOKEN" in err


async def test_jobs_run_with_slack_unreachable_says_so_in_one_line(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'jobs.db'}"
    await asyncio.to_thread(migrate.upgrade, database)
    closed = f"http://127.0.0.1:{free_port()}/api/"  # nothing listens there
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-1", SLACK_API_URL=closed, DATABASE_URL=database, LOG_LEVEL="WARNING"
    )
    code, out, err = await dealbell("jobs", "run", "weekly-leaderboard", cwd=tmp_path, env=env)
    assert code == 2, (out, err)
    assert "Traceback" not in err and "aiohttp" not in err, err
    [line] = err.strip().splitlines()
    assert "cannot reach Slack" in line and closed in line


async def test_run_stops_before_serving_when_slack_refuses_the_token(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("auth.test", "invalid_auth")
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-revoked", SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake_slack.api_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'never.db'}",
    )  # fmt: skip
    code, out, err = await dealbell("run", "--http", "--port", str(free_port()), cwd=tmp_path, env=env)
    assert code == 2, (out, err)
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in err and "--no-check" in err
    assert "Traceback" not in err
    assert not (tmp_path / "never.db").exists()  # stopped before migrating
    assert [call.token for call in fake_slack.calls_to("auth.test")] == ["xoxb-revoked"]


async def test_run_no_check_serves_without_bolts_token_notice_and_a_busy_port_suggests_another(
    tmp_path: Path, fake_slack: FakeSlack, database_url: str
) -> None:
    fake_slack.fail_next("auth.test", "invalid_auth")  # --no-check: not asked, so not refused
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake_slack.api_url,
        DATABASE_URL=database_url,
    )  # fmt: skip
    port = free_port()
    log = tmp_path / "dealbell.log"
    with log.open("wb") as log_file:
        proc = await asyncio.create_subprocess_exec(
            str(DEALBELL), "run", "--http", "--no-check", "--port", str(port),
            cwd=tmp_path, env=env, stdout=log_file, stderr=log_file,
        )  # fmt: skip
    try:
        await wait_healthy(proc, f"http://127.0.0.1:{port}/healthz", log)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 20)
    output = log.read_text()
    assert proc.returncode == 0, output
    assert "will be unused" not in output, output  # Bolt's "As you gave `client` as well, `token` ..."
    assert fake_slack.calls_to("auth.test") == []
    fake_slack.errors.clear()  # from here on Slack accepts the token

    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        code, out, err = await dealbell("run", "--http", "--port", str(busy), cwd=tmp_path, env=env)
    assert code == 2, (out, err)
    assert f"port {busy}: address already in use — try PORT={busy + 1} make run" in err, err
    assert "Traceback" not in err
