"""Standup jobs called directly at chosen moments (and through run_job): prompts, reminders, summaries.

A standup is set up through the modal; the jobs then ask its participants at the local time
(across DST, and in each one's own zone), skip weekends, holidays, out-of-office days and skipped
days, remind once those who did not answer, and post the summary with the blockers apart.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import time_machine
from sqlalchemy import select

from bot.slack import make_client
from jobs import JOBS
from jobs.base import JobContext, JobServices
from jobs.runner import run_job
from jobs.standups import post_summaries, send_prompts, send_reminders
from storage.db import Database
from storage.models import (
    DEFAULT_STANDUP_QUESTIONS,
    JobRun,
    Member,
    StandupAnswer,
    StandupParticipant,
    StandupRun,
    Workspace,
)
from storage.periods import Period
from storage.workspaces import Profile, get_workspace, save_member, update_workspace
from tests.slack_requests import checkbox_value, text_value

NY = "America/New_York"
SETUP = dt.datetime(2026, 10, 20, 15, 0, tzinfo=dt.UTC)
FRIDAY_NINE = dt.datetime(2026, 11, 27, 14, 0, tzinfo=dt.UTC)  # 09:00 in New York (EST)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


async def standup(app, *, member_zones: bool = False, people=("U0002", "U0003"), before=()) -> Workspace:
    """A workspace in New York with a weekday standup at 09:00 for `people`; `before`: commands first."""
    app.fake.add_user("U0001", is_admin=True, tz=NY)
    app.fake.add_user("U0002", tz=NY)
    app.fake.add_user("U0003", tz="Asia/Shanghai", locale="zh-CN")
    app.fake.add_user("U0004", tz=NY)
    values = {
        "name": text_value("Morning"),
        "channel": {"value": {"type": "conversations_select", "selected_conversation": "C0STAND"}},
        "participants": {"value": {"type": "multi_users_select", "selected_users": list(people)}},
        "questions": text_value("\n".join(DEFAULT_STANDUP_QUESTIONS)),
        "days": checkbox_value("0", "1", "2", "3", "4"),
        "time": {"value": {"type": "timepicker", "selected_time": "09:00"}},
        "zone": {
            "value": {
                "type": "radio_buttons",
                "selected_option": {"value": "member" if member_zones else "workspace"},
            }
        },
    }
    with time_machine.travel(SETUP, tick=True):
        await app.send.command("/standup", "help")
        async with app.db.session() as session:
            await update_workspace(session, await get_workspace(session, "T0001"), timezone=NY)
        reply = await app.send.view_submission("standup_setup", values, view_id="VSETUP")
        assert reply.text == "", reply.text
        for user, text in before:
            assert "⚠" not in (await app.send.command("/standup", text, user=user)).text, text
        await app.fake.settle(0.05)
    app.fake.calls.clear()
    async with app.db.session() as session:
        return await get_workspace(session, "T0001")


async def run(job, moment: dt.datetime, workspace: Workspace, services: JobServices) -> int:
    return await job(JobContext.at(workspace, moment, services))


def dms(app) -> list[tuple[str, dict]]:
    return [
        (c.args["channel"], c.args)
        for c in app.fake.calls_to("chat.postMessage")
        if c.args["channel"][0] == "U"
    ]


def dm_users(app) -> list[str]:
    return sorted(user for user, _ in dms(app))


def run_id_in(args: dict) -> int:
    for block in args["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == "standup_answer":
                return int(element["value"])
    raise AssertionError("no Answer button")


async def answer(app, user: str, moment: dt.datetime, *answers: str, blockers: str = "") -> None:
    run_id = run_id_in(next(args for u, args in dms(app) if u == user))
    values = {f"q{i}": text_value(a) for i, a in enumerate(answers)}
    values["blockers"] = text_value(blockers)
    with time_machine.travel(moment, tick=True):
        reply = await app.send.view_submission(
            "standup_answer",
            values,
            private_metadata=json.dumps({"run": run_id}),
            user=user,
            view_id=f"V{user}",
        )
        assert reply.text == "", reply.text
        await app.fake.settle(0.05)


async def runs(app) -> list[dt.date]:
    async with app.db.session() as session:
        return list(await session.scalars(select(StandupRun.day).order_by(StandupRun.day)))


async def test_prompts_at_nine_new_york_time_before_and_after_the_clocks_go_back(app):
    workspace = await standup(app)
    assert await run(send_prompts, at("2026-10-30T12:55"), workspace, app.services) == 0
    assert await run(send_prompts, at("2026-10-30T13:00"), workspace, app.services) == 2  # 09:00 EDT
    assert await run(send_prompts, at("2026-10-30T13:05"), workspace, app.services) == 0
    assert dm_users(app) == ["U0002", "U0003"]
    prompt = dict(dms(app))["U0003"]
    assert prompt["text"].startswith(
        ":sunrise: *Morning* 时间到了（2026年10月30日星期五）"
    )  # in U0003's language
    for moment in ("2026-10-31T13:00", "2026-11-01T14:00"):  # the weekend
        assert await run(send_prompts, at(moment), workspace, app.services) == 0
    assert await run(send_prompts, at("2026-11-02T13:00"), workspace, app.services) == 0  # 08:00 EST
    assert await run(send_prompts, at("2026-11-02T14:00"), workspace, app.services) == 2  # 09:00 EST
    assert len(dms(app)) == 4
    assert await runs(app) == [dt.date(2026, 10, 30), dt.date(2026, 11, 2)]


async def test_each_member_is_asked_at_nine_in_their_own_zone(app):
    workspace = await standup(app, member_zones=True)
    asked = []
    for moment in (
        "2026-10-29T17:00",
        "2026-10-30T00:55",
        "2026-10-30T01:00",
        "2026-10-30T13:00",
        "2026-11-02T01:00",
        "2026-11-02T13:00",
        "2026-11-02T14:00",
    ):
        before = len(dms(app))
        await run(send_prompts, at(moment), workspace, app.services)
        asked.append((moment, [user for user, _ in dms(app)[before:]]))
    assert asked == [
        ("2026-10-29T17:00", []),
        ("2026-10-30T00:55", []),
        ("2026-10-30T01:00", ["U0003"]),  # 09:00 on Friday in Shanghai
        ("2026-10-30T13:00", ["U0002"]),  # 09:00 EDT
        ("2026-11-02T01:00", ["U0003"]),  # 09:00 on Monday in Shanghai
        ("2026-11-02T13:00", []),  # 08:00 EST
        ("2026-11-02T14:00", ["U0002"]),  # 09:00 EST
    ]
    assert await runs(app) == [dt.date(2026, 10, 30), dt.date(2026, 11, 2)]  # one run a day, shared


async def test_weekends_holidays_out_of_office_and_skipped_days_are_not_asked(app):
    workspace = await standup(
        app,
        people=("U0002", "U0003", "U0004"),
        before=[
            ("U0001", "holidays add 2026-12-25 Christmas"),
            ("U0003", "ooo 2026-12-28..2026-12-29"),
            ("U0004", "skip"),
        ],
    )
    asked = []
    for day in ("2026-12-24", "2026-12-25", "2026-12-26", "2026-12-27", "2026-12-28", "2026-12-30"):
        before = len(dms(app))
        await run(send_prompts, at(f"{day}T14:00"), workspace, app.services)
        asked.append((day, sorted(user for user, _ in dms(app)[before:])))
    assert asked == [
        ("2026-12-24", ["U0002", "U0003"]),  # U0004 skips this one
        ("2026-12-25", []),  # Christmas
        ("2026-12-26", []),
        ("2026-12-27", []),
        ("2026-12-28", ["U0002", "U0004"]),  # U0003 is out of office
        ("2026-12-30", ["U0002", "U0003", "U0004"]),
    ]
    async with app.db.session() as session:
        assert not any(await session.scalars(select(StandupParticipant.skip_next)))  # consumed
    assert await run(post_summaries, at("2026-12-25T16:00"), workspace, app.services) == 0  # nobody asked
    assert await run(post_summaries, at("2026-12-24T16:00"), workspace, app.services) == 1


async def test_a_reminder_goes_once_and_only_to_those_who_have_not_answered(app):
    workspace = await standup(app, people=("U0002", "U0003", "U0004"))
    assert await run(send_prompts, FRIDAY_NINE, workspace, app.services) == 3
    await answer(app, "U0002", FRIDAY_NINE + dt.timedelta(minutes=10), "Won Globex", "Call Acme")
    reminders = []
    for minutes in (25, 30, 35, 60, 120):
        reminders.append(
            await run(send_reminders, FRIDAY_NINE + dt.timedelta(minutes=minutes), workspace, app.services)
        )
    assert reminders == [0, 2, 0, 0, 0]
    reminded = [(user, args["text"]) for user, args in dms(app)[3:]]
    assert sorted(user for user, _ in reminded) == ["U0003", "U0004"]
    assert (
        dict(reminded)["U0004"]
        == ":bell: Reminder: *Morning* (Friday, November 27, 2026) is waiting for your answer."
    )


async def test_the_summary_lists_answers_silences_and_blockers_apart_and_tells_the_managers(app):
    workspace = await standup(app, people=("U0002", "U0003", "U0004"))
    async with app.db.session() as session:  # admins who are not people are not told
        await save_member(session, workspace.id, "UADMBOT", Profile(is_admin=True, is_bot=True))
        await save_member(session, workspace.id, "UGONE", Profile(is_admin=True, deleted=True))
        await save_member(session, workspace.id, "U0009", Profile())
        await session.execute(
            Member.__table__.update().where(Member.slack_user_id == "U0009").values(role="manager")
        )
    assert await run(send_prompts, FRIDAY_NINE, workspace, app.services) == 3
    await answer(
        app,
        "U0002",
        FRIDAY_NINE + dt.timedelta(minutes=5),
        "Won Globex",
        "Call Acme",
        blockers="Waiting on legal <!here>",
    )
    await answer(app, "U0003", FRIDAY_NINE + dt.timedelta(minutes=20), "演示", "跟进", blockers="没有")
    assert await run(post_summaries, FRIDAY_NINE + dt.timedelta(minutes=115), workspace, app.services) == 0
    assert await run(post_summaries, FRIDAY_NINE + dt.timedelta(minutes=120), workspace, app.services) == 1
    assert await run(post_summaries, FRIDAY_NINE + dt.timedelta(minutes=125), workspace, app.services) == 0
    posts = [c.args for c in app.fake.calls_to("chat.postMessage") if c.args["channel"] == "C0STAND"]
    assert len(posts) == 1
    summary = posts[0]
    assert summary["text"] == "*Morning* (Friday, November 27, 2026): 2 of 3 answered, 1 with blockers."
    texts = [
        b["text"]["text"] if "text" in b else b["elements"][0]["text"]
        for b in summary["blocks"]
        if b["type"] != "divider"
    ]
    assert texts[0] == "Morning · Friday, November 27, 2026"
    assert texts[2] == (
        "<@U0002>\n*What did you close or move yesterday?*\nWon Globex\n*What is your plan today?*\nCall Acme"
    )
    assert texts[3].startswith("<@U0003>\n") and "演示" in texts[3]
    assert texts[4] == "*Blockers*\n• <@U0002>: Waiting on legal &lt;!here&gt;"  # apart, and escaped
    assert texts[5] == "Did not answer: <@U0004>"
    told = sorted((user, args["text"]) for user, args in dms(app) if "Blockers in" in args["text"])
    assert [user for user, _ in told] == ["U0001", "U0009"]
    assert told[0][1] == (
        ":construction: Blockers in *Morning* (Friday, November 27, 2026, <#C0STAND>):\n"
        "• <@U0002>: Waiting on legal &lt;!here&gt;"
    )

    # An answer after the summary is appended to it, marked late.
    updated_before = len(app.fake.calls_to("chat.update"))
    await answer(
        app, "U0004", FRIDAY_NINE + dt.timedelta(minutes=150), "Demo", "Quote", blockers="Need a discount OK"
    )
    # the prompt DM turned into a thank-you, and the summary redrawn: both after the ack
    await app.fake.wait_for("chat.update", count=updated_before + 2, timeout=30)
    updates = [c.args for c in app.fake.calls_to("chat.update") if c.args["channel"] == "C0STAND"]
    async with app.db.session() as session:
        posted_at = (await session.execute(select(StandupRun.summary_channel, StandupRun.summary_ts))).one()
    assert len(updates) == 1 and (updates[0]["channel"], updates[0]["ts"]) == tuple(posted_at)
    late = str(updates[0]["blocks"])
    assert "<@U0004> · :hourglass_flowing_sand: _late_" in late
    assert "Did not answer" not in late and "Need a discount OK" in late
    assert updates[0]["text"] == "*Morning* (Friday, November 27, 2026): 3 of 3 answered, 2 with blockers."
    async with app.db.session() as session:
        flags = dict(
            (
                await session.execute(
                    select(Member.slack_user_id, StandupAnswer.late).join(
                        Member, Member.id == StandupAnswer.member_id
                    )
                )
            ).all()
        )
    assert flags == {"U0002": False, "U0003": False, "U0004": True}


async def test_two_processes_at_once_prompt_remind_and_summarize_once(app, database_url):
    workspace = await standup(app)
    other_db = Database(database_url)  # another process: its own engine and connections
    try:
        other = JobServices(db=other_db, client_for=lambda _ws: make_client(app.settings), claimant="other")
        results = {}
        for job, minutes in ((send_prompts, 0), (send_reminders, 30), (post_summaries, 120)):
            moment = FRIDAY_NINE + dt.timedelta(minutes=minutes)
            with time_machine.travel(moment, tick=False):
                period = Period.containing("day", moment, "UTC")
                done = await asyncio.gather(
                    *(
                        job(JobContext(workspace, moment, period, s))
                        for s in (app.services, other, app.services)
                    )
                )
            results[job.__name__] = sum(done)
    finally:
        await other_db.dispose()
    assert results == {"send_prompts": 2, "send_reminders": 2, "post_summaries": 1}
    assert dm_users(app) == ["U0002", "U0002", "U0003", "U0003"]
    assert len([c for c in app.fake.calls_to("chat.postMessage") if c.args["channel"] == "C0STAND"]) == 1
    async with app.db.session() as session:
        claims = list(await session.scalars(select(JobRun).where(JobRun.job.like("standup-%"))))
    assert len(claims) == 5 and {c.status for c in claims} == {"done"}
    assert {c.period_key for c in claims if c.job == "standup-summary"} == {"1:2026-11-27"}


async def test_a_prompt_slack_refused_is_sent_again_by_the_next_run(app):
    workspace = await standup(app)
    app.fake.fail_next("chat.postMessage", "internal_error")
    assert await run(send_prompts, FRIDAY_NINE, workspace, app.services) == 1
    assert await run(send_prompts, FRIDAY_NINE + dt.timedelta(minutes=5), workspace, app.services) == 1
    assert await run(send_prompts, FRIDAY_NINE + dt.timedelta(minutes=10), workspace, app.services) == 0
    assert dm_users(app) == ["U0002", "U0002", "U0003"]  # the first try failed


async def test_now_is_a_resend_independent_of_the_schedule_and_run_as_scheduled(app):
    workspace = await standup(app)
    with time_machine.travel(FRIDAY_NINE - dt.timedelta(minutes=30), tick=True):
        await app.send.command("/standup", "now", channel="C0STAND")
        await app.fake.wait_for("response_url")
    assert dm_users(app) == ["U0002", "U0003"]
    outcomes = []
    for minutes in (0, 5):
        with time_machine.travel(FRIDAY_NINE + dt.timedelta(minutes=minutes), tick=False):
            outcomes.append(await run_job(JOBS["standup-prompt"], workspace, app.services, as_scheduled=True))
    assert [(o.status, o.period.key, o.result) for o in outcomes] == [
        ("ran", "2026-11-27", 2),
        ("ran", "2026-11-27", 0),
    ]
    assert dm_users(app) == ["U0002", "U0002", "U0003", "U0003"]
    assert await runs(app) == [dt.date(2026, 11, 27)]
    for name in ("standup-prompt", "standup-reminder", "standup-summary"):
        spec = JOBS[name]
        assert (spec.cron, spec.cadence, spec.claim_period) == ({"minute": "*/5"}, "day", False)
