"""Three replicas on one PostgreSQL database: three real `dealbell run --http` processes, each with
its own engine, pool and scheduler, behind a round-robin "load balancer" (the test), sharing one
fake Slack. Limits, idempotence and buttons hold across processes, not just inside one.

Each replica gets its own bot token (`xoxb-replica-N`), so every Slack call the fake records names
the replica that made it.

Scheduled jobs across processes (three `dealbell jobs run … --as-scheduled` at once run the body
once) are covered by tests/jobs/test_cli_jobs.py and tests/reliability/test_exactly_once.py.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import Customer, Deal, DealCongratulation, Kudos
from tests.conftest import SIGNING_SECRET
from tests.fake_slack import Call, FakeSlack
from tests.slack_requests import SlackSender
from tests.test_server import DEALBELL, clean_env, free_port, wait_healthy

pytestmark = pytest.mark.postgres_only

ALLOWANCE = 5  # the workspace default
GIVER = "U0001"
RECEIVERS = [f"U00{n:02d}" for n in range(2, 10)]  # eight people: three more than the allowance
CUSTOMERS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark"]


@dataclass
class Replica:
    n: int
    url: str
    token: str
    proc: asyncio.subprocess.Process
    log: Path
    send: SlackSender


@asynccontextmanager
async def replicas(database_url: str, fake: FakeSlack, tmp_path: Path) -> AsyncIterator[list[Replica]]:
    started: list[Replica] = []
    try:
        for n in (1, 2, 3):
            port = free_port()
            token = f"xoxb-replica-{n}"
            env = clean_env(
                SLACK_BOT_TOKEN=token,
                SLACK_SIGNING_SECRET=SIGNING_SECRET,
                SLACK_API_URL=fake.api_url,
                DATABASE_URL=database_url,
            )
            log = tmp_path / f"replica-{n}.log"
            with log.open("wb") as log_file:
                proc = await asyncio.create_subprocess_exec(
                    str(DEALBELL), "run", "--http", "--port", str(port),
                    cwd=tmp_path, env=env, stdout=log_file, stderr=log_file,
                )  # fmt: skip
            url = f"http://127.0.0.1:{port}"
            started.append(
                Replica(n, url, token, proc, log, SlackSender(url, SIGNING_SECRET, fake.response_url()))
            )
        await asyncio.gather(*(wait_healthy(r.proc, f"{r.url}/healthz", r.log) for r in started))
        yield started
    finally:
        await stop_all(started)


async def stop_all(started: list[Replica]) -> None:
    for r in started:
        if r.proc.returncode is None:
            r.proc.send_signal(signal.SIGTERM)

    async def stopped(r: Replica) -> str | None:
        try:
            code = await asyncio.wait_for(r.proc.wait(), 15)
        except TimeoutError:
            r.proc.kill()
            await r.proc.wait()
            return f"replica {r.n} did not exit within 15s of SIGTERM"
        output = r.log.read_text()
        if code != 0 or "Traceback" in output or " ERROR " in output:
            return f"replica {r.n} exited with {code}:\n{output}"
        return None

    problems = [p for p in await asyncio.gather(*(stopped(r) for r in started)) if p]
    assert not problems, "\n".join(problems)


def congratulate_value(call: Call) -> str | None:
    for block in call.args.get("blocks", []):
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == "deal_congratulate":
            return accessory["value"]
    return None


async def count(db: Database, model: type) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_three_replicas_share_limits_idempotence_and_buttons(
    db: Database, database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    async with replicas(database_url, fake_slack, tmp_path) as (one, two, three):
        ring = [one, two, three]
        # Each replica answers once first: a cold process (first connection, first compiled statements)
        # can take over a second, which on a busy machine pushes the burst below past Slack's deadline.
        for replica in ring:
            assert (await replica.send.command("/dealbell", "help", user="U0WARM")).status == 200

        # 1. Everything at once, round-robin: six won deals by six owners, eight kudos from one giver,
        #    and one deal sent twice (a Slack retry landing on two replicas).
        deal_replies, kudos_replies, retried = await asyncio.gather(
            asyncio.gather(*(
                ring[i % 3].send.command("/deal", f"won {i + 1}k {customer}", user=f"U01{i:02d}")
                for i, customer in enumerate(CUSTOMERS)
            )),
            asyncio.gather(*(
                ring[i % 3].send.command("/kudos", f"<@{who}|{who.lower()}> for the demo", user=GIVER)
                for i, who in enumerate(RECEIVERS)
            )),
            asyncio.gather(*(
                r.send.command("/deal", "won 9k Wayne", user="U0199", trigger_id="trigger.replicas.retry")
                for r in (two, three)
            )),
        )  # fmt: skip
        assert [r.status for r in (*deal_replies, *kudos_replies, *retried)] == [200] * 16
        refused = [r for r in kudos_replies if "Nothing was sent" in r.text]
        given = [r for r in kudos_replies if "left today" in r.text and r not in refused]
        assert (len(given), len(refused)) == (ALLOWANCE, len(RECEIVERS) - ALLOWANCE), [
            r.text for r in kudos_replies
        ]
        assert all(f"0 of your {ALLOWANCE} kudos left" in r.text for r in refused)

        won = len(CUSTOMERS) + 1
        await fake_slack.wait_for("chat.postMessage", count=won + ALLOWANCE, timeout=10)
        await fake_slack.settle(0.5)
        async with db.session() as session:
            rows = (
                await session.execute(
                    select(Customer.name, Deal.stage).join(Customer, Deal.customer_id == Customer.id)
                )
            ).all()
        assert Counter(rows) == Counter({(c, "won"): 1 for c in [*CUSTOMERS, "Wayne"]})
        assert await count(db, Kudos) == ALLOWANCE
        posts = fake_slack.calls_to("chat.postMessage")
        celebrations = [c for c in posts if congratulate_value(c)]
        assert len(celebrations) == won  # one celebration per won deal, whichever replica recorded it
        assert len(posts) == won + ALLOWANCE  # and one kudos card per give
        assert {c.token for c in celebrations} == {one.token, two.token, three.token}

        # 2. A button on replica 1's celebration, clicked through replicas 2 and 3 (twice each, by
        #    two people): counted once per person, one chat.update each.
        acme = next(c for c in celebrations if c.token == one.token and "Acme" in c.args["text"])
        value = congratulate_value(acme)
        assert value is not None
        clicks = [
            r.send.action("deal_congratulate", value, user=user, channel=acme.args["channel"])
            for r, user in ((two, "U0301"), (three, "U0302"))
            for _ in range(2)
        ]
        assert [r.status for r in await asyncio.gather(*clicks)] == [200] * 4
        await fake_slack.wait_for("chat.update", count=2)
        await fake_slack.settle(0.5)
        updates = fake_slack.calls_to("chat.update")
        assert len(updates) == 2
        assert sorted(u.token for u in updates) == [two.token, three.token]
        assert all(u.args["channel"] == acme.args["channel"] for u in updates)
        assert await count(db, DealCongratulation) == 2
