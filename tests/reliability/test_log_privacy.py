"""What the logs may hold (issue 17, items 4 and 5): an anonymous sender's id never, and never a
request body, a token, a response_url or a statement's parameters, in any logger (Bolt's and
SQLAlchemy's included). Every log record of the running app is captured and formatted as the JSON
log line LOG_FORMAT=json would write, extra fields included."""

from __future__ import annotations

import logging
import time

import aiohttp
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from bot.logs import JsonFormatter
from storage.db import create_engine
from storage.models import Feedback
from tests.handlers.test_feedback import answer, ask, meet
from tests.slack_requests import sign

SENDER = "U0007"
FORMATTER = JsonFormatter()


@pytest.fixture
def log_lines(caplog):
    """Every log line written while a test runs, at INFO (the default level), as JSON text."""
    caplog.set_level(logging.INFO)

    def lines() -> list[str]:
        return [FORMATTER.format(record) for record in caplog.records]

    return lines


async def metrics_text(app) -> str:
    async with aiohttp.ClientSession() as session, session.get(app.url + "/metrics") as r:
        return await r.text()


async def test_an_anonymous_feedback_sender_is_in_no_log_line_or_metric(app, log_lines):
    await meet(app, "U0001", "U0002", SENDER)
    # The capture works: other requests are logged with their user.
    assert (await app.send.command("/goal", "help", user="U0003")).status == 200
    assert any("U0003" in line for line in log_lines())

    reply = await app.send.command("/feedback", "<@U0002|li> Slow down --anon", user=SENDER)
    assert reply.status == 200 and "anonymous" in reply.text.lower()
    await app.fake.wait_for("chat.postMessage", count=1)
    await app.fake.settle()
    (anonymous,) = [row for row in await rows(app.db) if row.anonymous]
    assert anonymous.text == "Slow down"

    leaks = [line for line in log_lines() if SENDER in line]
    assert leaks == [], leaks
    assert SENDER not in await metrics_text(app)


async def test_an_anonymous_answer_to_a_feedback_request_is_in_no_log_line(app, log_lines):
    _, asks = await ask(app)
    _, reply = await answer(app, asks["U0004"], "U0004", "Talks over people", anonymous=True, view_id="V702")
    assert reply.status == 200
    await app.fake.wait_for("chat.postMessage", count=3)
    await app.fake.settle()

    submissions = [line for line in log_lines() if "feedback_answer" in line]
    assert submissions, "the submission was logged"
    leaks = [line for line in submissions if "U0004" in line]
    assert leaks == [], leaks


async def test_a_request_with_a_bad_signature_is_logged_without_its_body_or_token(app, log_lines):
    secret_text = "my private complaint about Li"
    body = (
        "token=xoxb-verification-secret-123&command=%2Ffeedback&user_id=U0009&team_id=T0001"
        f"&text={secret_text.replace(' ', '+')}"
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT0001%2F42%2Fsecret-hook"
    ).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign("not-the-secret", timestamp, body),
    }
    async with (
        aiohttp.ClientSession() as session,
        session.post(app.send.url, data=body, headers=headers) as r,
    ):
        assert r.status == 401

    lines = log_lines()
    # Refused before Bolt or anything else reads the body: one line with the reason only.
    assert any("slack request refused" in line for line in lines), "the refusal is logged"
    for secret in (
        "private complaint",
        "private+complaint",
        "xoxb-verification",
        "secret-hook",
        "hooks.slack",
    ):
        assert [line for line in lines if secret in line] == [], secret


async def test_feedback_with_a_nul_byte_is_stored_cleaned_and_its_text_is_in_no_log_line(app, log_lines):
    await meet(app, "U0001", "U0002", SENDER)
    reply = await app.send.command("/feedback", "<@U0002|li> Secret\x00 gripe --anon", user=SENDER)
    assert reply.status == 200
    assert "anonymous" in reply.text.lower(), reply.text
    await app.fake.wait_for("chat.postMessage", count=1)
    await app.fake.settle()
    (row,) = await rows(app.db)
    assert row.text == "Secret gripe"

    lines = log_lines()
    assert [line for line in lines if "gripe" in line] == []
    assert [line for line in lines if row.sender_hash and row.sender_hash in line] == []


async def test_a_failed_statement_never_shows_its_parameters(database_url):
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            with pytest.raises(DBAPIError) as failure:
                await conn.execute(
                    text("SELECT CAST(:value AS INTEGER) FROM no_such_table"), {"value": "s3cret-param"}
                )
    finally:
        await engine.dispose()
    assert "s3cret-param" not in str(failure.value)


def test_every_logger_redacts_tokens_bodies_and_parameters(caplog):
    caplog.set_level(logging.INFO)
    from bot.logs import install_redaction

    install_redaction()
    logging.getLogger("slack_bolt.Anything").info(
        "Invalid request signature detected (signature: v0=abc, timestamp: 1, body: %s)",
        "token=xoxb-1-2&text=hello+secret",
    )
    logging.getLogger("sqlalchemy.engine").error(
        "(x) failed\n[SQL: INSERT INTO t VALUES ($1)]\n[parameters: ('hello secret',)]\n(Background on this)"
    )
    logging.getLogger("anything").warning("token xapp-1-A0-123 and https://hooks.slack.com/actions/T/1/abc")
    lines = [FORMATTER.format(record) for record in caplog.records]
    assert len(lines) == 3
    for secret in ("hello", "xoxb-1", "xapp-1", "hooks.slack.com/actions"):
        assert [line for line in lines if secret in line] == [], secret
    assert "Invalid request signature" in lines[0] and "[SQL: INSERT INTO t" in lines[1]


async def rows(db) -> list[Feedback]:
    async with db.session() as session:
        return list((await session.scalars(select(Feedback).order_by(Feedback.id))).all())
