"""Statements and transactions per request on the write paths, counted with SQLAlchemy's engine
events, so a hot path cannot silently grow back (issue 18: `/kudos` was 10 statements in 3
transactions; the budget is 5 in 2). Both databases.

A transaction here is one that really exists in the database: on PostgreSQL one not in autocommit
(`Database.one_statement` runs a lone statement without BEGIN/COMMIT); on SQLite one that wrote
(its driver sends no BEGIN before reads). Counted from the request until all the work it started
(the card after the ack) is done.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from storage.db import Database, writes
from tests.reliability.effects import settled

ANA, LI = "<@U0002|ana>", "<@U0003|li>"
# (PostgreSQL, SQLite) budgets: statements, transactions. SQLite has no data-modifying CTEs, so the
# give's rows go one statement each there (all local calls, no network round trips), and a give
# asks whether the workspace has a webhook endpoint with one statement more (on PostgreSQL the give's
# one statement tells).
KUDOS_BUDGET = {"postgresql": (5, 2), "sqlite": (10, 2)}
REACTION_BUDGET = {"postgresql": (8, 2), "sqlite": (12, 3)}


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0


@contextlib.contextmanager
def counting(db: Database) -> Iterator[Counted]:
    """Count the statements `db`'s engine sends, and the transactions they ran in, while inside."""
    counted = Counted()
    open_transactions: dict[int, dict[str, bool]] = {}  # connection id -> what it did in its transaction
    engine = db.engine.sync_engine
    postgres = db.dialect == "postgresql"

    def begun(conn: Any) -> None:
        autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        open_transactions[id(conn)] = {"autocommit": autocommit, "executed": False, "wrote": False}

    def executed(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counted.statements.append(statement.split(None, 1)[0].upper())
        state = open_transactions.get(id(conn))
        if state is not None:
            state["executed"] = True
            state["wrote"] |= writes(statement) or "INSERT" in statement.upper()

    def ended(conn: Any) -> None:
        state = open_transactions.pop(id(conn), None)
        if state is None or not state["executed"]:
            return
        real = not state["autocommit"] if postgres else state["wrote"]
        counted.transactions += real

    listeners = [("begin", begun), ("before_cursor_execute", executed), ("commit", ended),
                 ("rollback", ended)]  # fmt: skip
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield counted
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


async def known_people(app) -> None:
    """The workspace, the giver and the receivers in the database already (as on any ordinary day)."""
    for user in ("U0001", "U0002", "U0003"):
        await settled(app.send.command("/kudos", "help", user=user))


async def test_kudos_command_stays_within_its_statement_budget(app):
    await known_people(app)
    with counting(app.db) as counted:
        (reply,) = await settled(app.send.command("/kudos", f"{ANA} {LI} for the Acme demo #teamwork"))
    assert "You have 3 left today" in reply.text
    assert len(app.fake.calls_to("chat.postMessage")) == 1
    statements, transactions = KUDOS_BUDGET[app.db.dialect]
    assert len(counted.statements) <= statements, counted.statements
    assert counted.transactions <= transactions, counted


async def test_kudos_retry_and_refusal_write_nothing_more(app):
    """The lean path's other outcomes: a retry (same trigger) finds the first give; over the
    allowance writes nothing. Counted too, so their statements stay few as well."""
    await known_people(app)
    await settled(app.send.command("/kudos", f"{ANA} for the demo", trigger_id="same"))
    with counting(app.db) as counted:
        (again,) = await settled(app.send.command("/kudos", f"{ANA} for the demo", trigger_id="same"))
    assert "already" in again.text.lower(), again.text
    assert len(counted.statements) <= 7, counted.statements  # a rare path: the first give read back
    for n in range(4):
        await settled(app.send.command("/kudos", f"{LI} thanks {n}"))
    (over,) = await settled(app.send.command("/kudos", f"{LI} one too many"))
    assert "Nothing was sent" in over.text, over.text
    assert len(app.fake.calls_to("chat.postMessage")) == 5


async def test_congratulate_stays_within_its_statement_budget(app):
    await settled(app.send.command("/deal", "won 12.5k Acme"))
    deal_id = app.fake.calls_to("chat.postMessage")[0].args["blocks"][0]["accessory"]["value"]
    await settled(app.send.command("/kudos", "help", user="U0002"))  # the clicker is known
    with counting(app.db) as counted:
        await settled(app.send.action("deal_congratulate", deal_id, user="U0002"))
    assert "1 congratulation" in str(app.fake.calls_to("chat.update")[-1].args["blocks"])
    # the lookup; then the deal, the congratulation, who congratulated (one transaction)
    assert len(counted.statements) <= 4, counted.statements
    assert counted.transactions <= 1, counted


async def test_reaction_kudos_stay_within_their_statement_budget(app):
    await known_people(app)
    with counting(app.db) as counted:
        await settled(
            app.send.event(
                "event_reaction_added", user="U0001", item_user="U0002", reaction="clap",
                item={"type": "message", "channel": "C0001", "ts": "1800000000.000100"},
            )
        )  # fmt: skip
    assert len(app.fake.calls_to("chat.postMessage")) == 1
    # the event's dedupe row and the lookup (one transaction); then the author, the giver's lock, the
    # reaction's state, the give; the card (alone)
    statements, transactions = REACTION_BUDGET[app.db.dialect]
    assert len(counted.statements) <= statements, counted.statements
    assert counted.transactions <= transactions, counted
