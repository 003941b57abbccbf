"""Async standups: setup, the day's runs, answers, what is due (no Slack in here).

Which days a standup runs on for whom (its weekdays, the workspace's holidays, each member's out
of office) is asked of `storage.calendar`, which owns holidays and absences for every feature.

A standup asks its participants its questions on its weekdays at a local time: the workspace's
zone, or each participant's own (`member_zones`). The last question is the blockers question: its
answer is kept apart (`StandupAnswer.blockers`), the others as a list (`StandupAnswer.answers`).
One `StandupRun` per standup and local date holds the day's summary; one `StandupPrompt` per
participant asked that day records when (for the reminder) and the DM (to mark it answered).

The summary is due `cutoff_minutes` after the standup's time in the workspace's zone, also for a
standup in each participant's own zone: people whose local time comes later that day answer after
it, and their answers are appended to it as late.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.activities import activities_since
from storage.authority import require_manager
from storage.calendar import calendar_around
from storage.db import insert_ignoring_conflicts
from storage.errors import UserError
from storage.models import (
    Customer,
    Deal,
    DealStageChange,
    Member,
    Stage,
    Standup,
    StandupAnswer,
    StandupParticipant,
    StandupPrompt,
    StandupRun,
    Workspace,
)
from storage.money import Money
from storage.periods import known_zone, member_zone, workspace_zone
from storage.schedule import DEFAULT_GRACE, local_due, local_moment

MAX_NAME = 120
MIN_QUESTIONS = 2  # at least one question, and the blockers question last
MAX_QUESTIONS = 10
MAX_QUESTION = 150
MAX_ANSWER = 3000
MAX_PARTICIPANTS = 100
MAX_STANDUPS = 50  # per workspace
PREFILL_LOOKBACK = dt.timedelta(days=14)  # the pre-filled log never reaches further back
PREFILL_LIMIT = 30  # entries
TIME = re.compile(r"(\d{1,2})[:：](\d{2})")

# Claims in job_runs; each key is at most "<standup id>:<member id>:<yyyy-mm-dd>".
PROMPT = "standup-prompt"
REMINDER = "standup-reminder"
SUMMARY = "standup-summary"


class StandupError(UserError):
    """A refused standup change; nothing was written."""


def parse_at(text: str) -> dt.time:
    """A time of day from "09:00" (or "9:00")."""
    match = TIME.fullmatch((text or "").strip())
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return dt.time(int(match.group(1)), int(match.group(2)))
    raise StandupError("standups.error.bad_time", time=(text or "").strip())


def today_in(zone: str, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(known_zone(zone))).date()


def prompt_zone(standup: Standup, member: Member, workspace: Workspace) -> str:
    """The zone a participant is asked in: their own with `member_zones`, else the workspace's."""
    return member_zone(member, workspace) if standup.member_zones else workspace_zone(workspace)


def usable(member: Member) -> bool:
    return not (member.is_bot or member.deleted)


# --- setup ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandupSpec:
    name: str
    channel_id: str
    questions: tuple[str, ...]
    weekdays: tuple[int, ...]
    at: str  # "HH:MM"
    member_zones: bool


def check_spec(spec: StandupSpec) -> None:
    if not spec.name or len(spec.name) > MAX_NAME:
        raise StandupError("standups.error.name_too_long", limit=MAX_NAME)
    if not spec.channel_id:
        raise StandupError("standups.error.channel_missing")
    if not MIN_QUESTIONS <= len(spec.questions) <= MAX_QUESTIONS or any(
        not q or len(q) > MAX_QUESTION for q in spec.questions
    ):
        raise StandupError("standups.error.too_few_questions", minimum=MIN_QUESTIONS)
    if not spec.weekdays or any(not 0 <= d < 7 for d in spec.weekdays):
        raise StandupError("standups.error.days_missing")
    parse_at(spec.at)


def check_participants(people: list[Member]) -> None:
    if not people:
        raise StandupError("standups.error.participants_missing")
    if len(people) > MAX_PARTICIPANTS:
        raise StandupError("standups.error.too_many_participants", limit=MAX_PARTICIPANTS)
    for member in people:
        if member.is_bot:
            raise StandupError("standups.error.participant_bot", user=member.slack_user_id)
        if member.deleted:
            raise StandupError("standups.error.participant_deleted", user=member.slack_user_id)


async def create_standup(
    session: AsyncSession,
    workspace_id: int,
    creator: Member,
    spec: StandupSpec,
    people: list[Member],
    *,
    source_key: str,
    now: dt.datetime,
) -> tuple[Standup, bool]:
    """A new standup with its participants, once per `source_key` (a view id); (standup, created)."""
    require_manager(creator)
    check_spec(spec)
    check_participants(people)
    if any(m.workspace_id != workspace_id for m in people):
        raise StandupError("standups.error.participants_missing")
    existing = await standup_by_key(session, workspace_id, source_key)
    if existing is not None:
        return existing, False
    active = await list_standups(session, workspace_id)
    if len(active) >= MAX_STANDUPS:
        raise StandupError("standups.error.too_many_standups", limit=MAX_STANDUPS)
    inserted = await session.execute(
        insert_ignoring_conflicts(session, Standup.__table__, ["source_key"])
        .values(
            workspace_id=workspace_id,
            name=spec.name,
            channel_id=spec.channel_id,
            questions=list(spec.questions),
            weekdays=sorted(set(spec.weekdays)),
            at=parse_at(spec.at).strftime("%H:%M"),
            member_zones=spec.member_zones,
            reminder_minutes=30,
            cutoff_minutes=120,
            created_by_id=creator.id,
            active=True,
            source_key=source_key,
            created_at=now,
        )
        .returning(Standup.id)
    )
    standup_id = inserted.scalar()
    if standup_id is None:  # the same submission, racing in another request
        existing = await standup_by_key(session, workspace_id, source_key)
        if existing is None:
            raise StandupError("standups.error.gone")
        return existing, False
    await session.execute(
        StandupParticipant.__table__.insert(),
        [{"standup_id": standup_id, "member_id": m.id, "skip_next": False} for m in people],
    )
    standup = await get_standup(session, workspace_id, standup_id)
    assert standup is not None
    return standup, True


async def standup_by_key(session: AsyncSession, workspace_id: int, source_key: str) -> Standup | None:
    return await session.scalar(
        select(Standup).where(Standup.workspace_id == workspace_id, Standup.source_key == source_key)
    )


async def get_standup(session: AsyncSession, workspace_id: int, standup_id: int) -> Standup | None:
    """A standup of this workspace only: ids from buttons are never trusted across workspaces."""
    return await session.scalar(
        select(Standup).where(Standup.workspace_id == workspace_id, Standup.id == standup_id)
    )


async def list_standups(
    session: AsyncSession, workspace_id: int, channel_id: str | None = None
) -> list[Standup]:
    """The workspace's active standups (those posting to `channel_id`, when given), oldest first."""
    query = select(Standup).where(Standup.workspace_id == workspace_id, Standup.active.is_(True))
    if channel_id is not None:
        query = query.where(Standup.channel_id == channel_id)
    return list(await session.scalars(query.order_by(Standup.id)))


async def participants_of(
    session: AsyncSession, standup_ids: Iterable[int]
) -> dict[int, list[tuple[StandupParticipant, Member]]]:
    """Each standup's participants with their members, in the order they were added."""
    ids = list(standup_ids)
    found: dict[int, list[tuple[StandupParticipant, Member]]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = await session.execute(
        select(StandupParticipant, Member)
        .join(Member, Member.id == StandupParticipant.member_id)
        .where(StandupParticipant.standup_id.in_(ids))
        .order_by(StandupParticipant.id)
    )
    for participant, member in rows.all():
        found[participant.standup_id].append((participant, member))
    return found


async def stop_standup(session: AsyncSession, workspace_id: int, actor: Member, standup_id: int) -> Standup:
    require_manager(actor)
    standup = await get_standup(session, workspace_id, standup_id)
    if standup is None or not standup.active:
        raise StandupError("standups.error.not_found", id=standup_id)
    await session.execute(
        update(Standup)
        .where(Standup.workspace_id == workspace_id, Standup.id == standup_id)
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(standup)
    return standup


async def skip_next(session: AsyncSession, workspace_id: int, member: Member) -> list[Standup]:
    """Skip the member's next prompt of every active standup they are in; returns those standups."""
    mine = list(
        await session.scalars(
            select(Standup)
            .join(StandupParticipant, StandupParticipant.standup_id == Standup.id)
            .where(
                Standup.workspace_id == workspace_id,
                Standup.active.is_(True),
                StandupParticipant.member_id == member.id,
            )
            .order_by(Standup.id)
        )
    )
    if not mine:
        raise StandupError("standups.error.in_no_standup")
    await session.execute(
        update(StandupParticipant)
        .where(
            StandupParticipant.member_id == member.id,
            StandupParticipant.standup_id.in_([s.id for s in mine]),
        )
        .values(skip_next=True)
        .execution_options(synchronize_session=False)
    )
    return mine


# --- the day's run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DuePrompt:
    standup: Standup
    participant: StandupParticipant
    member: Member
    day: dt.date  # the member's local date (the workspace's, without member_zones)

    @property
    def key(self) -> str:
        return f"{self.standup.id}:{self.member.id}:{self.day.isoformat()}"


async def due_prompts(
    session: AsyncSession, workspace: Workspace, now: dt.datetime, grace: dt.timedelta = DEFAULT_GRACE
) -> list[DuePrompt]:
    """Each participant whose standup time has just passed in their zone, on a day it runs for them.

    Skips: the standup's weekdays, the workspace's holidays, the member's out-of-office days.
    The caller claims each (`DuePrompt.key`) before asking, and consumes `skip_next` then.
    """
    standups = await list_standups(session, workspace.id)
    if not standups:
        return []
    days = await calendar_around(session, workspace, now)
    people = await participants_of(session, [s.id for s in standups])
    due = []
    for standup in standups:
        at = parse_at(standup.at)
        for participant, member in people[standup.id]:
            if not usable(member):
                continue
            zone = prompt_zone(standup, member, workspace)
            day = local_due(now, zone, at, days.runs_on(member, standup.weekdays), grace)
            if day is not None:
                due.append(DuePrompt(standup, participant, member, day))
    return due


async def prompts_now(
    session: AsyncSession, workspace: Workspace, chosen: list[Standup], now: dt.datetime
) -> list[DuePrompt]:
    """`/standup now`: the participants of `chosen` still to be asked on their local today: not out
    of office, and neither answered nor skipped (`/standup skip`, pending or used today).

    An operator's re-send: weekdays and holidays are the schedule's business, and the schedule's own
    claims are neither taken nor looked at; a pending skip is left for the schedule to use.
    """
    people = await participants_of(session, [s.id for s in chosen])
    answered = await _answered_on(session, [s.id for s in chosen], now)
    due = []
    for standup in chosen:
        for participant, member in people[standup.id]:
            if not usable(member):
                continue
            day = today_in(prompt_zone(standup, member, workspace), now)
            skipped = participant.skip_next or participant.skipped_on == day
            done = (standup.id, member.id, day) in answered
            if not (member.out_of_office(day) or skipped or done):
                due.append(DuePrompt(standup, participant, member, day))
    return due


async def _answered_on(
    session: AsyncSession, standup_ids: list[int], now: dt.datetime
) -> set[tuple[int, int, dt.date]]:
    """(standup, member, local date) of the answers to these standups' runs around `now` (a day
    either side covers every zone; each is then compared with the member's own today)."""
    if not standup_ids:
        return set()
    rows = await session.execute(
        select(StandupRun.standup_id, StandupAnswer.member_id, StandupRun.day)
        .join(StandupAnswer, StandupAnswer.run_id == StandupRun.id)
        .where(
            StandupRun.standup_id.in_(standup_ids),
            StandupRun.day.between(now.date() - dt.timedelta(days=1), now.date() + dt.timedelta(days=1)),
        )
    )
    return {(standup_id, member_id, day) for standup_id, member_id, day in rows.all()}


async def prompts_today(session: AsyncSession, workspace: Workspace, now: dt.datetime) -> list[DuePrompt]:
    """`dealbell jobs run standup-prompt`: every participant of the standups that run on their local
    today (its weekdays, not a holiday, not out of office), whatever the time; `skip_next` is left
    for the schedule."""
    standups = await list_standups(session, workspace.id)
    days = await calendar_around(session, workspace, now)
    people = await participants_of(session, [s.id for s in standups])
    due = []
    for standup in standups:
        for participant, member in people[standup.id]:
            day = today_in(prompt_zone(standup, member, workspace), now)
            if usable(member) and days.works(member, day, standup.weekdays):
                due.append(DuePrompt(standup, participant, member, day))
    return due


async def ensure_run(
    session: AsyncSession, workspace_id: int, standup_id: int, day: dt.date, now: dt.datetime
) -> StandupRun:
    """The standup's run for a local date, created on first need (safe when two processes race)."""
    await session.execute(
        insert_ignoring_conflicts(session, StandupRun.__table__, ["standup_id", "day"]).values(
            workspace_id=workspace_id, standup_id=standup_id, day=day, prompted_at=now
        )
    )
    run = await session.scalar(
        select(StandupRun).where(
            StandupRun.workspace_id == workspace_id,
            StandupRun.standup_id == standup_id,
            StandupRun.day == day,
        )
    )
    assert run is not None
    return run


async def start_prompt(
    session: AsyncSession, workspace_id: int, due: DuePrompt, now: dt.datetime
) -> StandupRun | None:
    """The run to ask the member for; None when they asked to skip this one (the flag is consumed,
    and the day remembered: `/standup now` does not ask them that day either)."""
    consumed = await session.execute(
        update(StandupParticipant)
        .where(StandupParticipant.id == due.participant.id, StandupParticipant.skip_next.is_(True))
        .values(skip_next=False, skipped_on=due.day)
        .execution_options(synchronize_session=False)
    )
    if consumed.rowcount == 1:
        return None
    return await ensure_run(session, workspace_id, due.standup.id, due.day, now)


async def record_prompt(
    session: AsyncSession,
    workspace_id: int,
    run_id: int,
    member_id: int,
    now: dt.datetime,
    channel_id: str | None,
    message_ts: str | None,
) -> None:
    """The member was asked now (a re-send moves the time and the DM; a reminder stays once a day)."""
    inserted = await session.execute(
        insert_ignoring_conflicts(session, StandupPrompt.__table__, ["run_id", "member_id"])
        .values(
            workspace_id=workspace_id,
            run_id=run_id,
            member_id=member_id,
            prompted_at=now,
            channel_id=channel_id,
            message_ts=message_ts,
        )
        .returning(StandupPrompt.id)
    )
    if inserted.scalar() is None:
        await session.execute(
            update(StandupPrompt)
            .where(StandupPrompt.run_id == run_id, StandupPrompt.member_id == member_id)
            .values(prompted_at=now, channel_id=channel_id, message_ts=message_ts)
            .execution_options(synchronize_session=False)
        )


async def get_run(session: AsyncSession, workspace_id: int, run_id: int) -> tuple[StandupRun, Standup] | None:
    """A run and its standup, of this workspace only."""
    row = (
        await session.execute(
            select(StandupRun, Standup)
            .join(Standup, Standup.id == StandupRun.standup_id)
            .where(StandupRun.workspace_id == workspace_id, StandupRun.id == run_id)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def is_participant(session: AsyncSession, standup_id: int, member_id: int) -> bool:
    found = await session.scalar(
        select(StandupParticipant.id).where(
            StandupParticipant.standup_id == standup_id, StandupParticipant.member_id == member_id
        )
    )
    return found is not None


async def run_for_answering(
    session: AsyncSession, workspace_id: int, run_id: int, member: Member
) -> tuple[StandupRun, Standup]:
    found = await get_run(session, workspace_id, run_id)
    if found is None or not found[1].active:
        raise StandupError("standups.error.gone")
    if not await is_participant(session, found[1].id, member.id):
        raise StandupError("standups.error.not_a_participant")
    return found


async def answer_of(session: AsyncSession, run_id: int, member_id: int) -> StandupAnswer | None:
    return await session.scalar(
        select(StandupAnswer).where(StandupAnswer.run_id == run_id, StandupAnswer.member_id == member_id)
    )


async def prompt_of(session: AsyncSession, run_id: int, member_id: int) -> StandupPrompt | None:
    return await session.scalar(
        select(StandupPrompt).where(StandupPrompt.run_id == run_id, StandupPrompt.member_id == member_id)
    )


@dataclass(frozen=True)
class SavedAnswer:
    run: StandupRun
    standup: Standup
    answer: StandupAnswer
    created: bool
    prompt: StandupPrompt | None  # the DM that asked, to mark it answered


async def save_answer(
    session: AsyncSession,
    workspace_id: int,
    run_id: int,
    member: Member,
    answers: list[str],
    blockers: str,
    now: dt.datetime,
) -> SavedAnswer:
    """The member's answer for a run: first time or edited. One that arrives after the summary is late."""
    run, standup = await run_for_answering(session, workspace_id, run_id, member)
    if len(answers) != len(standup.questions) - 1:
        raise StandupError("standups.error.gone")
    if any(len(a) > MAX_ANSWER for a in answers) or len(blockers) > MAX_ANSWER:
        raise StandupError("standups.error.answer_too_long", limit=MAX_ANSWER)
    inserted = await session.execute(
        insert_ignoring_conflicts(session, StandupAnswer.__table__, ["run_id", "member_id"])
        .values(
            workspace_id=workspace_id,
            run_id=run.id,
            member_id=member.id,
            answers=answers,
            blockers=blockers,
            late=run.summarized_at is not None,
            submitted_at=now,
        )
        .returning(StandupAnswer.id)
    )
    created = inserted.scalar() is not None
    if not created:
        await session.execute(
            update(StandupAnswer)
            .where(StandupAnswer.run_id == run.id, StandupAnswer.member_id == member.id)
            .values(answers=answers, blockers=blockers, submitted_at=now)
            .execution_options(synchronize_session=False)
        )
    answer = await answer_of(session, run.id, member.id)
    assert answer is not None
    await session.refresh(answer)
    return SavedAnswer(run, standup, answer, created, await prompt_of(session, run.id, member.id))


# --- reminders -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReminder:
    standup: Standup
    run: StandupRun
    member: Member

    @property
    def key(self) -> str:
        return f"{self.standup.id}:{self.member.id}:{self.run.day.isoformat()}"


def _unanswered(run_id: object, member_id: object) -> object:
    return ~exists().where(StandupAnswer.run_id == run_id, StandupAnswer.member_id == member_id)


async def due_reminders(
    session: AsyncSession, workspace_id: int, now: dt.datetime, grace: dt.timedelta = DEFAULT_GRACE
) -> list[DueReminder]:
    """People asked `reminder_minutes` ago (within the grace) who have not answered nor been reminded."""
    rows = await session.execute(
        select(StandupPrompt, StandupRun, Standup, Member)
        .join(StandupRun, StandupRun.id == StandupPrompt.run_id)
        .join(Standup, Standup.id == StandupRun.standup_id)
        .join(Member, Member.id == StandupPrompt.member_id)
        .where(
            StandupPrompt.workspace_id == workspace_id,
            StandupPrompt.prompted_at >= now - dt.timedelta(days=1),
            StandupPrompt.reminded_at.is_(None),
            Standup.active.is_(True),
            Member.deleted.is_(False),
            _unanswered(StandupPrompt.run_id, StandupPrompt.member_id),
        )
        .order_by(StandupPrompt.prompted_at, StandupPrompt.id)
    )
    due = []
    for prompt, run, standup, member in rows.all():
        moment = prompt.prompted_at + dt.timedelta(minutes=standup.reminder_minutes)
        if now - grace < moment <= now:
            due.append(DueReminder(standup, run, member))
    return due


async def mark_reminded(session: AsyncSession, run_id: int, member_id: int, now: dt.datetime) -> bool:
    """Mark the reminder sent; False when the member answered meanwhile (then no reminder goes)."""
    if await answer_of(session, run_id, member_id) is not None:
        return False
    marked = await session.execute(
        update(StandupPrompt)
        .where(
            StandupPrompt.run_id == run_id,
            StandupPrompt.member_id == member_id,
            StandupPrompt.reminded_at.is_(None),
        )
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    return marked.rowcount == 1


async def still_unanswered(session: AsyncSession, run_id: int, member_id: int) -> bool:
    return await answer_of(session, run_id, member_id) is None


# --- the summary ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueSummary:
    standup: Standup
    run: StandupRun

    @property
    def key(self) -> str:
        return f"{self.standup.id}:{self.run.day.isoformat()}"


def summary_moment(standup: Standup, day: dt.date, zone: str) -> dt.datetime:
    return local_moment(day, parse_at(standup.at), zone) + dt.timedelta(minutes=standup.cutoff_minutes)


def summary_day(
    standup: Standup, zone: str, now: dt.datetime, grace: dt.timedelta = DEFAULT_GRACE
) -> dt.date | None:
    """The local date whose summary moment (the time + the cutoff, in `zone`) lies in (now - grace, now]."""
    today = today_in(zone, now)
    reach = 1 + standup.cutoff_minutes // (24 * 60)
    for back in range(reach + 1):
        day = today - dt.timedelta(days=back)
        if now - grace < summary_moment(standup, day, zone) <= now:
            return day
    return None


async def due_summaries(
    session: AsyncSession, workspace: Workspace, now: dt.datetime, grace: dt.timedelta = DEFAULT_GRACE
) -> list[DueSummary]:
    """Runs whose summary is due now: in the workspace's zone, for days someone was asked."""
    zone = workspace_zone(workspace)
    due = []
    for standup in await list_standups(session, workspace.id):
        day = summary_day(standup, zone, now, grace)
        if day is None:
            continue
        run = await session.scalar(
            select(StandupRun).where(
                StandupRun.workspace_id == workspace.id,
                StandupRun.standup_id == standup.id,
                StandupRun.day == day,
            )
        )
        if run is not None:  # nobody was asked that day (a holiday, everyone away…): no summary
            due.append(DueSummary(standup, run))
    return due


@dataclass(frozen=True)
class RunReport:
    """What a run's summary shows."""

    standup: Standup
    run: StandupRun
    answered: list[tuple[Member, StandupAnswer]]  # in the order they answered
    silent: list[Member]  # asked, no answer (yet)

    @property
    def blockers(self) -> list[tuple[Member, StandupAnswer]]:
        return [(m, a) for m, a in self.answered if a.blockers.strip()]


async def run_report(session: AsyncSession, workspace_id: int, run_id: int) -> RunReport | None:
    found = await get_run(session, workspace_id, run_id)
    if found is None:
        return None
    run, standup = found
    await session.refresh(run)
    answered = [
        (member, answer)
        for answer, member in (
            await session.execute(
                select(StandupAnswer, Member)
                .join(Member, Member.id == StandupAnswer.member_id)
                .where(StandupAnswer.run_id == run.id)
                .order_by(StandupAnswer.late, StandupAnswer.id)
            )
        ).all()
    ]
    silent = list(
        await session.scalars(
            select(Member)
            .join(StandupPrompt, StandupPrompt.member_id == Member.id)
            .where(StandupPrompt.run_id == run.id, _unanswered(run.id, Member.id))
            .order_by(StandupPrompt.id)
        )
    )
    return RunReport(standup, run, answered, silent)


async def record_summary(
    session: AsyncSession,
    workspace_id: int,
    run_id: int,
    channel: str | None,
    ts: str | None,
    now: dt.datetime,
) -> None:
    await session.execute(
        update(StandupRun)
        .where(StandupRun.workspace_id == workspace_id, StandupRun.id == run_id)
        .values(summary_channel=channel, summary_ts=ts, summarized_at=now)
        .execution_options(synchronize_session=False)
    )


# --- what a rep logged since their last answer (the answer modal's pre-fill) ---------------------


@dataclass(frozen=True)
class LogEntry:
    kind: str  # "new", "moved", "won", "lost" or "activity"
    at: dt.datetime
    customer: str
    money: Money | None = None
    stage: str = ""
    activity: str = ""  # the activity kind: call, meeting…
    note: str = ""


def previous_occurrence(standup: Standup, day: dt.date, zone: str) -> dt.datetime:
    """The standup's time on the last day before `day` it runs on (by weekday), as UTC."""
    at = parse_at(standup.at)
    for back in range(1, 8):
        earlier = day - dt.timedelta(days=back)
        if earlier.weekday() in standup.weekdays:
            return local_moment(earlier, at, zone)
    return local_moment(day - dt.timedelta(days=1), at, zone)


async def prefill_since(
    session: AsyncSession,
    workspace: Workspace,
    standup: Standup,
    run: StandupRun,
    member: Member,
    now: dt.datetime,
) -> dt.datetime:
    """Since the member's last answer to this standup (another day's), else its previous occurrence."""
    last = await session.scalar(
        select(StandupAnswer.submitted_at)
        .join(StandupRun, StandupRun.id == StandupAnswer.run_id)
        .where(
            StandupAnswer.workspace_id == workspace.id,
            StandupAnswer.member_id == member.id,
            StandupRun.standup_id == standup.id,
            StandupRun.id != run.id,
        )
        .order_by(StandupAnswer.submitted_at.desc())
        .limit(1)
    )
    since = last or previous_occurrence(standup, run.day, prompt_zone(standup, member, workspace))
    return min(max(since, now - PREFILL_LOOKBACK), now)


async def logged_since(
    session: AsyncSession, workspace_id: int, member_id: int, since: dt.datetime
) -> list[LogEntry]:
    """Deals the member created, moved, won or lost, and the activities they logged, oldest first."""
    entries: list[LogEntry] = []
    changes = await session.execute(
        select(DealStageChange, Deal, Customer)
        .join(Deal, and_(Deal.id == DealStageChange.deal_id, Deal.workspace_id == workspace_id))
        .join(Customer, Customer.id == Deal.customer_id)
        .where(
            DealStageChange.workspace_id == workspace_id,
            DealStageChange.changed_by_id == member_id,
            DealStageChange.changed_at >= since,
        )
        .order_by(DealStageChange.changed_at, DealStageChange.id)
        .limit(PREFILL_LIMIT)
    )
    for change, deal, customer in changes.all():
        if change.to_stage == Stage.WON.value:
            kind = "won"
        elif change.to_stage == Stage.LOST.value:
            kind = "lost"
        else:
            kind = "new" if change.from_stage is None else "moved"
        entries.append(
            LogEntry(
                kind,
                change.changed_at,
                customer.name,
                Money(deal.amount_minor, deal.currency),
                stage=change.to_stage,
            )
        )
    for entry in await activities_since(session, workspace_id, member_id, since):
        activity = entry.activity
        entries.append(
            LogEntry(
                "activity",
                activity.occurred_at,
                entry.customer.name,
                activity=activity.kind,
                note=activity.note,
            )
        )
    entries.sort(key=lambda e: e.at)
    return entries[:PREFILL_LIMIT]
