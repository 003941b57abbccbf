"""Issue 17, item 8: per-person data rights, through signed requests on both databases.

`/dealbell my-data` (a ZIP of CSVs in the member's DM), forgetting a person (the admin's Slack flow
and `dealbell member forget`), `user_change` with `deleted: true`, and the `retention` job.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

from sqlalchemy import func, select, text, update

from bot.cli import member_forget
from jobs import JOBS
from jobs.runner import run_job
from storage import feedback as fb
from storage.member_data import ANONYMOUS_PROFILE, FORMER_PREFIX, MEMBER_REFERENCES, member_references
from storage.models import (
    Activity,
    Base,
    Deal,
    Feedback,
    Kudos,
    Member,
    PointsEntry,
    Standup,
    StandupAnswer,
    StandupRun,
    Workspace,
)
from storage.workspaces import get_member, get_workspace
from tests.reliability.test_replica_killed import until

ANON_TO_ANA = "Your demos ramble"  # from U0003 to U0002, anonymous
ANON_FROM_ANA = "Your calls run late"  # from U0002 to U0003, anonymous
NOW = dt.datetime(2027, 6, 15, 12, 0, tzinfo=dt.UTC)


async def seed(app) -> Workspace:
    """U0002 (ana) wins a deal, logs a call, gives and gets kudos, sends and gets feedback, answers a
    standup; U0001 is an admin."""
    app.fake.add_user("U0001", is_admin=True)
    await app.send.command("/kudos", "<@U0002|ana> for the Acme demo")
    await app.send.command("/kudos", "<@U0003|li> for the pricing sheet", user="U0002")
    await app.send.command("/deal", "won 5k Acme", user="U0002")
    await app.send.command("/log", 'call Acme "discussed renewal"', user="U0002")
    await app.send.command("/feedback", f"<@U0002|ana> {ANON_TO_ANA} --anon", user="U0003")
    await app.send.command("/feedback", f"<@U0003|li> {ANON_FROM_ANA} --anon", user="U0002")
    await app.send.command("/feedback", "<@U0003|li> Thanks for covering", user="U0002")
    async with app.db.session() as session:
        workspace = await get_workspace(session, "T0001")
        ana = await get_member(session, workspace.id, "U0002")
        admin = await get_member(session, workspace.id, "U0001")
        standup = Standup(workspace_id=workspace.id, channel_id="C0001", questions=["Yesterday?"],
                          weekdays=[0], at="09:00", created_by_id=admin.id, source_key="seed:standup")  # fmt: skip
        session.add(standup)
        await session.flush()
        run = StandupRun(workspace_id=workspace.id, standup_id=standup.id, day=dt.date(2026, 11, 30))
        session.add(run)
        await session.flush()
        session.add(StandupAnswer(workspace_id=workspace.id, run_id=run.id, member_id=ana.id,
                                  answers=["Closed Acme"], blockers="legal review"))  # fmt: skip
    await app.fake.settle()
    app.fake.calls.clear()
    return workspace


def read_zip(data: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8").removeprefix("\ufeff"))))
            for name in archive.namelist()
        }


# --- my data ---------------------------------------------------------------------------------------


async def test_my_data_sends_a_zip_of_everything_about_me_to_my_dm(app):
    await seed(app)
    reply = await app.send.command("/dealbell", "my-data", user="U0002")
    assert "ZIP" in reply.text
    await app.fake.wait_for("files.completeUploadExternal")
    ((args, data),) = app.fake.uploaded()
    assert args["channel_id"] == "DU0002"
    files = read_zip(data)
    assert [row["customer"] for row in files["deals.csv"]] == ["Acme"]
    assert [(r["person"], r["message"]) for r in files["kudos_received.csv"]] == [
        ("U0001", "for the Acme demo")
    ]
    assert [(r["person"], r["message"]) for r in files["kudos_given.csv"]] == [
        ("U0003", "for the pricing sheet")
    ]
    assert [r["reason"] for r in files["points.csv"]] == ["kudos"]
    assert [(r["answers"], r["blockers"]) for r in files["standup_answers.csv"]] == [
        ("Closed Acme", "legal review")
    ]
    assert [(r["kind"], r["note"]) for r in files["activities.csv"]] == [("call", "discussed renewal")]
    assert files["profile.csv"][0]["slack_user_id"] == "U0002"
    # feedback received: the anonymous one without its sender, ever
    [received] = files["feedback_received.csv"]
    assert (received["text"], received["from"], received["anonymous"]) == (ANON_TO_ANA, "", "true")
    assert "U0003" not in str(files["feedback_received.csv"])
    # feedback sent: the signed note only (anonymous feedback keeps no sender to export)
    assert [(r["to"], r["text"]) for r in files["feedback_sent.csv"]] == [("U0003", "Thanks for covering")]


# --- forgetting ------------------------------------------------------------------------------------


async def team_totals(db, workspace_id: int) -> tuple:
    async with db.session() as session:
        return (
            await session.scalar(
                select(func.sum(Deal.amount_minor)).where(Deal.workspace_id == workspace_id)
            ),
            await session.scalar(select(func.count()).select_from(Kudos)),
            await session.scalar(select(func.sum(PointsEntry.delta))),
            await session.scalar(select(func.count()).select_from(Activity)),
        )


async def rows_naming(db, needle: str) -> list[str]:
    """Every table's rows that hold `needle` in any column."""
    found = []
    async with db.session() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                if needle in str(tuple(row)):
                    found.append(f"{table.name}: {tuple(row)}")
    return found


async def assert_forgotten(app, workspace_id: int, totals: tuple) -> None:
    assert await team_totals(app.db, workspace_id) == totals  # the team's numbers do not move
    assert await rows_naming(app.db, "U0002") == []
    async with app.db.session() as session:
        assert await get_member(session, workspace_id, "U0002") is None
        owner = await session.scalar(select(Member).join(Deal, Deal.owner_id == Member.id))
        assert owner.slack_user_id == f"{FORMER_PREFIX}{owner.id}" and owner.real_name == "Former member"
        assert owner.deleted is True and owner.timezone is None
        feedback = {f.text: f for f in await session.scalars(select(Feedback))}
    assert ANON_TO_ANA not in feedback  # feedback to them is theirs: deleted
    assert feedback[ANON_FROM_ANA].sender_hash is None  # nothing ties them to what they sent
    assert not any(fb.is_sender(app.settings.secret_key, f.sender_hash, workspace_id, "U0002")
                   for f in feedback.values() if f.sender_hash)  # fmt: skip


async def test_an_admin_forgets_a_person_after_confirming_and_team_totals_stay(app):
    workspace = await seed(app)
    totals = await team_totals(app.db, workspace.id)

    refused = await app.send.command("/dealbell", "forget <@U0002|ana>", user="U0003")
    assert "admins" in refused.text.lower() and not app.fake.calls_to("views.open")

    reply = await app.send.command("/dealbell", "forget <@U0002|ana>")
    assert reply.status == 200
    [opened] = await app.fake.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "forget_confirm" and view["private_metadata"] == "U0002"
    assert await rows_naming(app.db, "U0002")  # nothing changed yet

    app.fake.calls.clear()  # the modal submitted by someone who is not an admin: refused, nothing changes
    await app.send.view_submission("forget_confirm", {}, private_metadata="U0002", user="U0003")
    [refusal] = await app.fake.wait_for("chat.postMessage")
    assert refusal.args["channel"] == "U0003" and "admins" in refusal.args["text"].lower()
    assert await team_totals(app.db, workspace.id) == totals and await rows_naming(app.db, "U0002")
    app.fake.calls.clear()

    await app.send.view_submission("forget_confirm", {}, private_metadata="U0002")
    [done] = await app.fake.wait_for("chat.postMessage")
    assert done.args["channel"] == "U0001" and "forgotten" in done.args["text"]
    await assert_forgotten(app, workspace.id, totals)

    app.fake.calls.clear()  # the modal submitted again finds nobody
    await app.send.view_submission("forget_confirm", {}, private_metadata="U0002")
    [again] = await app.fake.wait_for("chat.postMessage")
    assert "holds nothing" in again.args["text"]
    assert await team_totals(app.db, workspace.id) == totals


async def test_the_cli_shows_what_forgetting_changes_then_forgets_with_yes(app, capsys):
    workspace = await seed(app)
    totals = await team_totals(app.db, workspace.id)

    assert await member_forget(app.settings, "T0001", None, "U0002", yes=False) == 0
    out = capsys.readouterr().out
    assert "deals.owner_id" in out and "run again with --yes" in out
    assert await rows_naming(app.db, "U0002")  # rolled back

    assert await member_forget(app.settings, "T0001", None, "U0002", yes=True) == 0
    assert "forgot U0002" in capsys.readouterr().out
    await assert_forgotten(app, workspace.id, totals)
    assert await member_forget(app.settings, "T0001", None, "U0002", yes=True) == 1


async def test_two_forgotten_people_in_one_kudos_keep_the_teams_count(app):
    """Both received kudos in one give: each becomes their own nameless member, so both rows stay."""
    app.fake.add_user("U0001", is_admin=True)
    await app.send.command("/kudos", "<@U0002|ana> <@U0003|li> for the Acme demo")
    for user in ("U0002", "U0003"):
        assert await member_forget(app.settings, "T0001", None, user, yes=True) == 0
    async with app.db.session() as session:
        receivers = list(
            await session.scalars(select(Member.slack_user_id).join(Kudos, Kudos.receiver_id == Member.id))
        )
    assert len(receivers) == 2 and all(r.startswith(FORMER_PREFIX) for r in receivers)
    assert await rows_naming(app.db, "U0002") == [] and await rows_naming(app.db, "U0003") == []


def test_every_column_pointing_at_a_member_has_a_forget_rule():
    columns = {f"{table.name}.{column.name}" for table, column in member_references()}
    assert columns == set(MEMBER_REFERENCES)
    assert set(MEMBER_REFERENCES.values()) <= {"keep", "delete", "null"}


def test_a_forgotten_member_row_keeps_nothing_of_them():
    """Every column of a member is blanked when forgotten, but its keys and creation time."""
    kept = {"id", "workspace_id", "slack_user_id", "created_at"}
    assert {c.name for c in Member.__table__.columns} - kept == set(ANONYMOUS_PROFILE)


# --- departed ----------------------------------------------------------------------------------


async def test_a_user_change_with_deleted_marks_the_member_departed(app):
    await app.send.command("/kudos", "<@U0002|ana> for the Acme demo")
    reply = await app.send.event("event_user_change")
    assert reply.status == 200

    async def departed() -> Member | None:  # the event is handled after Slack's ack
        async with app.db.session() as session:
            workspace = await get_workspace(session, "T0001")
            ana = await get_member(session, workspace.id, "U0002")
        return ana if ana.deleted else None

    ana = await until(departed)
    assert ana.real_name == "Ana Lima"

    # someone dealbell never met is not recorded (nor looked up) because their profile changed
    app.fake.calls.clear()
    stranger = {"id": "U0099", "name": "zed", "deleted": False, "profile": {"display_name": "zed"}}
    assert (await app.send.event("event_user_change", user=stranger)).status == 200
    await app.fake.settle()
    async with app.db.session() as session:
        assert await get_member(session, ana.workspace_id, "U0099") is None
    assert not app.fake.calls_to("users.info")
    board = await app.send.command("/leaderboard", "kudos")
    assert "U0002" not in str(board.json)  # departed: on no board


# --- retention ---------------------------------------------------------------------------------


async def age_everything(app, months_ago: dict[str, int]) -> None:
    """Date each feedback (by text) and the standup answer `months_ago` months before NOW."""
    async with app.db.session() as session:
        for feedback_text, months in months_ago.items():
            when = NOW - dt.timedelta(days=30 * months + 1)
            table = StandupAnswer if feedback_text == "standup" else Feedback
            column = StandupAnswer.submitted_at if table is StandupAnswer else Feedback.created_at
            query = update(table).values({column.key: when})
            if table is Feedback:
                query = query.where(Feedback.text == feedback_text)
            await session.execute(query)


async def counts(db) -> tuple[int, int]:
    async with db.session() as session:
        return (
            await session.scalar(select(func.count()).select_from(Feedback)),
            await session.scalar(select(func.count()).select_from(StandupAnswer)),
        )


async def test_retention_deletes_feedback_and_standup_answers_older_than_the_setting(app):
    workspace = await seed(app)
    await age_everything(app, {ANON_TO_ANA: 7, ANON_FROM_ANA: 2, "Thanks for covering": 7, "standup": 8})
    job = JOBS["retention"]

    await run_job(job, workspace, app.services, as_scheduled=False, now=NOW)
    assert await counts(app.db) == (3, 1)  # off by default: nothing goes

    assert "admins" in (await app.send.command("/dealbell", "retention 6", user="U0003")).text.lower()
    assert "not a number" in (await app.send.command("/dealbell", "retention 6x")).text
    reply = await app.send.command("/dealbell", "retention 6")
    assert "6 months" in reply.text
    async with app.db.session() as session:
        workspace = await get_workspace(session, "T0001")
    assert workspace.retention_months == 6

    outcome = await run_job(job, workspace, app.services, as_scheduled=False, now=NOW)
    assert outcome.result == 3
    async with app.db.session() as session:
        left = list(await session.scalars(select(Feedback.text)))
    assert left == [ANON_FROM_ANA] and await counts(app.db) == (1, 0)

    await app.send.command("/dealbell", "retention off")
    async with app.db.session() as session:
        assert (
            await session.scalar(text("select count(*) from workspaces where retention_months is null")) == 1
        )
