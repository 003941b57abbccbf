"""Issue 17, item 9: every manager's or admin's action writes one append-only audit row (who, when,
what, before/after) in the change's own transaction; members' actions write none. Through signed
requests into the running app, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from storage.authority import require_manager
from storage.models import AuditEntry, Deal, Feedback
from storage.workspaces import update_workspace
from tests.factories import MemberFactory, WorkspaceFactory, persist
from tests.handlers.test_authority_refusals import ADMINS_ONLY_COMMANDS, LI, MANAGERS_ONLY_COMMANDS
from tests.handlers.test_export import rows_of
from tests.handlers.test_settings import form
from tests.handlers.test_standups import setup_values
from tests.handlers.test_trust_authority import MO, button, give_points

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


# --- members write none; a refusal writes none; the row commits or rolls back with the change ---------


async def test_members_actions_and_a_managers_own_deals_write_no_audit_row(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/deal", "won 5k Initech", user="U0002")
    await app.send.command("/kudos", "<@U0003|li> thanks for the demo", user="U0002")
    await app.send.command("/deal", "won 7k Globex")  # the admin, as a seller: no authority used
    await app.send.command("/feedback", "<@U0002|ana> Slow down on demos --anon")  # and anonymously
    await app.fake.settle()
    async with app.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Feedback)) == 1
    assert await audit_rows(app.db) == []  # nothing ties the admin to the anonymous feedback either


async def test_a_change_refused_after_the_check_writes_no_audit_row(app):
    app.fake.add_user(BOSS, is_admin=True)
    reply = await app.send.command("/dealbell", "kudos allowance 1000")
    assert ":warning:" in reply.text
    reply = await app.send.command("/contest", 'new "" metric:deals')
    assert ":warning:" in reply.text
    assert await audit_rows(app.db) == []


async def test_the_audit_row_is_written_and_rolled_back_with_the_change(db):
    async with db.session() as session:
        [workspace] = await persist(session, WorkspaceFactory())
        [boss] = await persist(session, MemberFactory(workspace=workspace, slack_user_id=BOSS, is_admin=True))
    with pytest.raises(RuntimeError, match="fails after"):
        async with db.session() as session:
            require_manager(boss)
            await update_workspace(session, workspace, kudos_allowance=9)
            raise RuntimeError("the request fails after the change")
    assert await audit_rows(db) == []
    async with db.session() as session:
        require_manager(boss)
        await update_workspace(session, workspace, kudos_allowance=9)
    (row,) = await audit_rows(db)
    key = f"workspaces:{workspace.id}"
    assert (row.before[key], row.after[key]) == ({"kudos_allowance": 5}, {"kudos_allowance": 9})
    assert (row.actor_user_id, row.actor_member_id) == (BOSS, boss.id)
    assert row.action == "tests.test_the_audit_row_is_written_and_rolled_back_with_the_change"  # the checker


@pytest.mark.postgres_only
async def test_the_audit_log_refuses_updates_and_deletes_on_postgresql(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/dealbell", "kudos allowance 3")
    for statement in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with app.db.session() as session:
                await session.execute(text(statement))
    assert len(await audit_rows(app.db)) == 1


# --- /dealbell audit [days] [csv] ------------------------------------------------------------------


async def test_an_admin_sees_who_changed_what_with_before_and_after(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/dealbell", "kudos allowance 3")
    await app.send.command("/team", f"role {LI} manager")
    (first, second) = await audit_rows(app.db)
    workspace = f"workspaces:{first.workspace_id}"
    assert (first.before[workspace], first.after[workspace]) == (
        {"kudos_allowance": 5},
        {"kudos_allowance": 3},
    )
    assert first.action == "admin.kudos_settings" and second.action == "team.set_role"

    reply = await app.send.command("/dealbell", "audit")
    blocks = reply.json["blocks"]
    assert blocks[0]["text"]["text"] == "Audit log: the last 7 days"
    newest, oldest = (b["text"]["text"] for b in blocks[1:])
    assert f"<@{BOSS}>" in newest and "`team.set_role`" in newest and "`role` rep → manager" in newest
    assert "`admin.kudos_settings`" in oldest and "`kudos_allowance` 5 → 3" in oldest


async def test_the_audit_list_stays_within_block_kits_limits(app, monkeypatch):
    app.fake.add_user(BOSS, is_admin=True)
    monkeypatch.setattr("handlers.admin.audit.SHOWN", 3)
    for allowance in (3, 4, 5, 6, 7):
        await app.send.command("/dealbell", f"kudos allowance {allowance}")
    reply = await app.send.command("/dealbell", "audit 1")
    blocks = reply.json["blocks"]  # the fake Slack validated them as Slack would
    assert len(blocks) == 1 + 3 + 1
    assert "2 older entries" in blocks[-1]["elements"][0]["text"]


async def test_only_admins_see_the_audit_log_and_bad_days_are_explained(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/team", "role <@U0005|mo> manager")
    refused = await app.send.command("/dealbell", "audit", user="U0005")
    assert "Only workspace admins and owners" in refused.text
    bad = await app.send.command("/dealbell", "audit 400")
    assert "`400` is neither a number of days" in bad.text and "/dealbell audit [days] [csv]" in bad.text
    assert len(await audit_rows(app.db)) == 1  # the role given; looking changed nothing


async def test_the_csv_export_of_the_audit_log_arrives_in_the_dm_and_is_itself_logged(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/dealbell", "kudos allowance 3")
    reply = await app.send.command("/dealbell", "audit 30 csv")
    assert "CSV file will arrive in your DM" in reply.text
    await app.fake.wait_for("files.completeUploadExternal")
    ((args, data),) = app.fake.uploaded()
    assert args["channel_id"] == f"D{BOSS}"
    rows = rows_of(data)
    assert rows[0] == ["at", "actor", "authority", "action", "before", "after"]
    (entry,) = (dict(zip(rows[0], row, strict=True)) for row in rows[1:])
    assert (entry["actor"], entry["authority"], entry["action"]) == (BOSS, "admin", "admin.kudos_settings")
    assert json.loads(entry["after"]) == {"workspaces:1": {"kudos_allowance": 3}}
    exported = (await audit_rows(app.db))[-1]
    assert (exported.action, exported.after) == ("exports.audit", {"exports.audit": {"days": 30, "rows": 1}})


async def test_a_catalogue_change_and_an_approval_by_button_write_one_row_each_a_redemption_none(app):
    app.fake.add_user(BOSS, is_admin=True)
    await app.send.command("/team", f"role <@{MO}|mo> manager")
    await app.send.command("/reward", 'catalogue add "Lunch with the VP" 200')
    await give_points(app, MO, 300)
    await app.send.command("/reward", 'redeem "lunch with the vp"', user=MO)  # a manager, for themself
    cards = await app.fake.wait_for("chat.postMessage")
    await app.send.action("rewards_redemption_approve", button(cards[0], "rewards_redemption_approve"))
    await app.fake.settle()
    rows = await audit_rows(app.db)
    assert [(r.actor_user_id, r.action) for r in rows] == [
        (BOSS, "team.set_role"),
        (BOSS, "rewards.add_item"),
        (BOSS, "rewards.decide_redemption"),
    ]
    (redemption,) = [key for key in rows[-1].after if key.startswith("redemptions:")]
    assert (rows[-1].before[redemption]["status"], rows[-1].after[redemption]["status"]) == (
        "pending",
        "approved",
    )
