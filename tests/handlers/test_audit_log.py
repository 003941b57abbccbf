"""Issue 17, item 9: every manager's or admin's action writes one append-only audit row (who, when,
what, before/after) in the change's own transaction; members' actions write none. Through signed
requests into the running app, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from storage.models import AuditEntry, Deal
from tests.handlers.test_authority_refusals import ADMINS_ONLY_COMMANDS, LI, MANAGERS_ONLY_COMMANDS
from tests.handlers.test_settings import form
from tests.handlers.test_standups import setup_values

BOSS = "U0001"  # a workspace admin


async def audit_rows(db) -> list[AuditEntry]:
    async with db.session() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


async def lead_id(app) -> int:
    await app.send.command("/lead", 'new "Globex" source:web')
    async with app.db.session() as session:
        return await session.scalar(select(Deal.id).where(Deal.stage == "lead"))


async def set_up_standup(app) -> None:
    await app.send.view_submission(
        "standup_setup", setup_values(), view_id="VSETUP", private_metadata=json.dumps({"channel": "C0001"})
    )


def valid_texts() -> dict[tuple[str, str], str]:
    """Where the refusal test's text would be refused for its input, not for the role: a valid one."""
    today = dt.datetime.now(dt.UTC).date()
    return {
        ("/contest", 'new "Sprint" metric:deals from:2026-12-01 to:2026-12-02'):
            f'new "Sprint" metric:deals from:{today} to:{today + dt.timedelta(days=7)}',
        ("/training", 'schedule "Deep dive" 2030-12-03 15:00'):
            f'schedule "Deep dive" {today + dt.timedelta(days=30)} 15:00',
        ("/feedback", f"request {LI}"): f"request {LI} from <@U0004|a>",
        ("/standup", "now"): "now all",
    }  # fmt: skip


async def prepared(app, command: str, text: str) -> str:
    """What the command needs to exist first (done and audited before counting); the text to send."""
    if command == "/lead":
        return text.replace("42", str(await lead_id(app)))
    if (command, text) == ("/standup", "now"):
        await set_up_standup(app)
    return valid_texts().get((command, text), text)


async def finish(app, command: str, text: str) -> None:
    """A command that opens a form writes nothing itself: its form's submission is the action."""
    if (command, text) == ("/standup", "setup"):
        await set_up_standup(app)
    elif (command, text) == ("/dealbell", "settings"):
        await app.send.view_submission("settings_modal", form())


@pytest.mark.parametrize(("command", "text"), MANAGERS_ONLY_COMMANDS + ADMINS_ONLY_COMMANDS)
async def test_each_manager_or_admin_command_writes_exactly_one_audit_row(app, command, text):
    app.fake.add_user(BOSS, is_admin=True)
    typed = await prepared(app, command, text)
    await app.fake.settle()
    before = len(await audit_rows(app.db))
    reply = await app.send.command(command, typed)
    assert reply.status == 200 and ":warning:" not in (reply.text or ""), reply.text
    await finish(app, command, text)
    await app.fake.settle()
    rows = (await audit_rows(app.db))[before:]
    assert len(rows) == 1, (command, typed, [(r.action, list(r.before), list(r.after)) for r in rows])
    (row,) = rows
    assert (row.actor_user_id, row.authority) == (BOSS, "admin")
    assert row.action and row.after  # what was done, and what it wrote
    print(command, text, row.action, row.before, row.after)
