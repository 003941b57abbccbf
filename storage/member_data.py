"""One person's data: all of it as CSV files in a ZIP (`/dealbell my-data`), forgetting them
(`dealbell member forget`, `/dealbell forget @user`), and the workspace's retention of feedback and
standup answers (job `retention`).

Forgetting keeps the team's totals: their member row becomes a nameless, departed "Former member"
(Slack id `former-<row id>`, no name, role, zone, title or duties), so what counts for the team
(deals, kudos given and received, the points ledger, activities, awards …) stays, to nobody; what
is only about the person (feedback to or about them, requests about them, standup answers and
prompts, RSVPs, attendance, their goals) is deleted; customers they owned lose their owner; their
anonymous-feedback hashes are removed (so nobody, even with the database and the secret key, can
tell which anonymous feedback was theirs); and every idempotency key or claim naming their Slack id
is rewritten: all in the caller's one transaction. `MEMBER_REFERENCES` says what happens to each
column that points at a member; a test fails when a new one is not in it.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, String, Table, cast, delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.authority import require_admin
from storage.csv_format import CsvFile, date_cell, text_cell, time_cell
from storage.exports import (
    _ACTIVITY_FIELDS,
    _DEAL_FIELDS,
    ACTIVITY_COLUMNS,
    DEAL_COLUMNS,
    _activity_cells,
    _deal_cells,
    _joined_rows,
)
from storage.feedback import is_sender
from storage.models import (
    Activity,
    Award,
    Base,
    Deal,
    Feedback,
    Kudos,
    KudosGive,
    KudosGiveValue,
    Member,
    PointsEntry,
    Role,
    Standup,
    StandupAnswer,
    StandupRun,
    Workspace,
    WorkspaceChannel,
)
from storage.workspaces import Profile, get_member, save_member

FORMER_PREFIX = "former-"  # the Slack-id column of a forgotten member: "former-<member id>"
FORMER_MEMBER_NAME = "Former member"
MAX_RETENTION_MONTHS = 120

# --- what one person's data is ---------------------------------------------------------------------

# table.column pointing at members.id → what forgetting the member does to its rows: "keep" them
# with the member row, which becomes a nameless former member (team totals stay), "delete" them
# (only about the person), or "null" the column.
MEMBER_REFERENCES: dict[str, str] = {
    "customers.owner_id": "null",
    "deals.owner_id": "keep",
    "deal_stage_changes.changed_by_id": "keep",
    "deal_congratulations.member_id": "keep",
    "kudos_gives.giver_id": "keep",
    "kudos.giver_id": "keep",
    "kudos.receiver_id": "keep",
    "feedback_requests.manager_id": "keep",
    "feedback_requests.subject_id": "delete",
    "feedback.receiver_id": "delete",
    "feedback.about_id": "delete",
    "feedback.sender_id": "keep",
    "activities.member_id": "keep",
    "competitor_notes.author_id": "keep",
    "ideas.author_id": "keep",
    "idea_votes.member_id": "keep",
    "trainings.organiser_id": "keep",
    "training_rsvps.member_id": "delete",
    "training_attendance.member_id": "delete",
    "standups.created_by_id": "keep",
    "standup_participants.member_id": "delete",
    "standup_answers.member_id": "delete",
    "standup_prompts.member_id": "delete",
    "points_ledger.member_id": "keep",
    "awards.member_id": "keep",
    "awards.awarded_by_id": "keep",
    "nominations.member_id": "keep",
    "redemptions.member_id": "keep",
    "redemptions.decided_by_id": "keep",
    "goals.member_id": "delete",
    "goals.set_by_id": "keep",
    "follow_up_snoozes.snoozed_by_id": "null",
    "deal_history.changed_by_id": "keep",
    "home_personal_first.member_id": "delete",
    "contests.created_by_id": "keep",
}


def member_references() -> list[tuple[Table, Column[Any]]]:
    """Every (table, column) of the schema with a foreign key to members.id, children first."""
    found = []
    for table in reversed(Base.metadata.sorted_tables):
        for fk in table.foreign_keys:
            if fk.column.table.name == Member.__tablename__:
                found.append((table, fk.parent))
    return found


# --- my data ---------------------------------------------------------------------------------------

PROFILE_COLUMNS = (
    "slack_user_id", "name", "real_name", "role", "title", "duties", "timezone", "locale", "language",
    "out_of_office_from", "out_of_office_until", "hidden_from_boards", "kudos_by_dm", "created_at",
)  # fmt: skip
KUDOS_COLUMNS = ("date", "person", "message", "values")
FEEDBACK_RECEIVED_COLUMNS = ("date", "from", "anonymous", "text")
FEEDBACK_SENT_COLUMNS = ("date", "to", "text")
POINTS_COLUMNS = ("date", "points", "reason", "reference")
STANDUP_COLUMNS = ("day", "standup", "answers", "blockers", "late", "submitted_at")
AWARD_COLUMNS = ("date", "title", "reason", "points")

Rows = Callable[[AsyncSession, int, Member], AsyncIterator[list[str]]]


async def _profile_rows(session: AsyncSession, workspace_id: int, m: Member) -> AsyncIterator[list[str]]:
    yield [
        m.slack_user_id, text_cell(m.name), text_cell(m.real_name), m.role, text_cell(m.title or ""),
        text_cell(m.duties), m.timezone or "", m.locale or "", m.language or "", date_cell(m.ooo_from),
        date_cell(m.ooo_until), str(bool(m.hidden_from_boards)).lower(), str(bool(m.kudos_by_dm)).lower(),
        time_cell(m.created_at),
    ]  # fmt: skip


def _deals(session: AsyncSession, workspace_id: int, m: Member) -> AsyncIterator[list[str]]:
    mine = [Deal.owner_id == m.id]
    return _joined_rows(session, _DEAL_FIELDS, Deal, Deal.owner_id, workspace_id, mine, _deal_cells)


def _activities(session: AsyncSession, workspace_id: int, m: Member) -> AsyncIterator[list[str]]:
    mine = [Activity.member_id == m.id]
    return _joined_rows(
        session, _ACTIVITY_FIELDS, Activity, Activity.member_id, workspace_id, mine, _activity_cells
    )


async def _kudos(session: AsyncSession, workspace_id: int, mine: Any, other: Any) -> AsyncIterator[list[str]]:
    """Kudos rows where `mine` (a Kudos column) is the member: the other person, message and values."""
    rows = await session.execute(
        select(Kudos.created_at, Member.slack_user_id, KudosGive.message, KudosGive.id)
        .join(KudosGive, KudosGive.id == Kudos.give_id)
        .join(Member, Member.id == other)
        .where(Kudos.workspace_id == workspace_id, mine)
        .order_by(Kudos.id)
    )
    found = rows.all()
    tags: dict[int, list[str]] = {}
    give_ids = {give_id for *_, give_id in found}
    for give_id, value in await session.execute(
        select(KudosGiveValue.give_id, KudosGiveValue.value)
        .where(KudosGiveValue.give_id.in_(give_ids))
        .order_by(KudosGiveValue.id)
    ):
        tags.setdefault(give_id, []).append(value)
    for when, person, message, give_id in found:
        yield [time_cell(when), person, text_cell(message), " ".join(tags.get(give_id, []))]


def _kudos_given(session: AsyncSession, workspace_id: int, m: Member) -> AsyncIterator[list[str]]:
    return _kudos(session, workspace_id, Kudos.giver_id == m.id, Kudos.receiver_id)


def _kudos_received(session: AsyncSession, workspace_id: int, m: Member) -> AsyncIterator[list[str]]:
    return _kudos(session, workspace_id, Kudos.receiver_id == m.id, Kudos.giver_id)


async def _feedback_received(session: AsyncSession, workspace_id: int, m: Member) -> AsyncIterator[list[str]]:
    """Feedback to them: who sent it only when it was signed (never a hash, never a guess)."""
    rows = await session.execute(
        select(Feedback.created_at, Feedback.anonymous, Member.slack_user_id, Feedback.text)
        .outerjoin(Member, Member.id == Feedback.sender_id)
        .where(Feedback.workspace_id == workspace_id, Feedback.receiver_id == m.id)
        .order_by(Feedback.id)
    )
    for when, anonymous, sender, text in rows:
        shown = "" if anonymous else (sender or "")
        yield [time_cell(when), shown, str(bool(anonymous)).lower(), text_cell(text)]


async def _feedback_sent(session: AsyncSession, workspace_id: int, m: Member) -> AsyncIterator[list[str]]:
    """Signed feedback they sent (anonymous feedback keeps no sender: it is nobody's to export)."""
    rows = await session.execute(
        select(Feedback.created_at, Member.slack_user_id, Feedback.text)
        .join(Member, Member.id == Feedback.receiver_id)
        .where(
            Feedback.workspace_id == workspace_id, Feedback.sender_id == m.id, Feedback.anonymous.is_(False)
        )
        .order_by(Feedback.id)
    )
    for when, receiver, text in rows:
        yield [time_cell(when), receiver, text_cell(text)]


async def _points(session: AsyncSession, workspace_id: int, m: Member) -> AsyncIterator[list[str]]:
    rows = await session.execute(
        select(PointsEntry.created_at, PointsEntry.delta, PointsEntry.reason, PointsEntry.reference)
        .where(PointsEntry.workspace_id == workspace_id, PointsEntry.member_id == m.id)
        .order_by(PointsEntry.id)
    )
    for when, delta, reason, reference in rows:
        yield [time_cell(when), str(delta), reason, reference]


async def _standup_answers(session: AsyncSession, workspace_id: int, m: Member) -> AsyncIterator[list[str]]:
    rows = await session.execute(
        select(StandupRun.day, Standup.name, StandupAnswer)
        .join(StandupRun, StandupRun.id == StandupAnswer.run_id)
        .join(Standup, Standup.id == StandupRun.standup_id)
        .where(StandupAnswer.workspace_id == workspace_id, StandupAnswer.member_id == m.id)
        .order_by(StandupAnswer.id)
    )
    for day, name, answer in rows:
        yield [
            date_cell(day), text_cell(name), text_cell("\n".join(answer.answers or [])),
            text_cell(answer.blockers), str(bool(answer.late)).lower(), time_cell(answer.submitted_at),
        ]  # fmt: skip


async def _awards(session: AsyncSession, workspace_id: int, m: Member) -> AsyncIterator[list[str]]:
    rows = await session.execute(
        select(Award.created_at, Award.title, Award.reason, Award.points)
        .where(Award.workspace_id == workspace_id, Award.member_id == m.id)
        .order_by(Award.id)
    )
    for when, title, reason, points in rows:
        yield [time_cell(when), text_cell(title), text_cell(reason), str(points)]


# file name → (columns, rows): the ZIP's files, in this order
MY_DATA: dict[str, tuple[tuple[str, ...], Rows]] = {
    "profile.csv": (PROFILE_COLUMNS, _profile_rows),
    "deals.csv": (DEAL_COLUMNS, _deals),
    "kudos_given.csv": (KUDOS_COLUMNS, _kudos_given),
    "kudos_received.csv": (KUDOS_COLUMNS, _kudos_received),
    "feedback_received.csv": (FEEDBACK_RECEIVED_COLUMNS, _feedback_received),
    "feedback_sent.csv": (FEEDBACK_SENT_COLUMNS, _feedback_sent),
    "points.csv": (POINTS_COLUMNS, _points),
    "awards.csv": (AWARD_COLUMNS, _awards),
    "standup_answers.csv": (STANDUP_COLUMNS, _standup_answers),
    "activities.csv": (ACTIVITY_COLUMNS, _activities),
}


@dataclass(frozen=True)
class MyData:
    content: bytes  # the ZIP
    rows: dict[str, int]  # file name → data rows


async def my_data_zip(session: AsyncSession, workspace_id: int, member: Member) -> MyData:
    """Everything stored about `member` as one ZIP of UTF-8 CSV files (one per kind, see MY_DATA)."""
    out = io.BytesIO()
    counts: dict[str, int] = {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (columns, rows) in MY_DATA.items():
            csv_file = CsvFile(columns)
            async for row in rows(session, workspace_id, member):
                csv_file.write(row)
            archive.writestr(name, csv_file.encoded())
            counts[name] = csv_file.rows
    return MyData(out.getvalue(), counts)


# --- forgetting ------------------------------------------------------------------------------------


class UnknownMember(LookupError):
    """No such member in the workspace (or one already forgotten)."""


def former_id(member_id: int) -> str:
    """The Slack-id column of a forgotten member's row: no Slack user has it, nor can learn whose it was."""
    return f"{FORMER_PREFIX}{member_id}"


async def _member_to_forget(session: AsyncSession, workspace_id: int, slack_user_id: str) -> Member:
    member = await get_member(session, workspace_id, slack_user_id)
    if member is None or slack_user_id.startswith(FORMER_PREFIX):
        raise UnknownMember(slack_user_id)
    return member


async def _apply_references(session: AsyncSession, person: int) -> tuple[dict[str, int], dict[str, int]]:
    """Delete or clear the rows only about the person; count the ones kept for the team.
    Returns ({"table.column": rows deleted or cleared}, {"table.column": rows kept})."""
    changed: dict[str, int] = {}
    kept: dict[str, int] = {}
    for table, column in member_references():
        key = f"{table.name}.{column.name}"
        rule = MEMBER_REFERENCES[key]
        if rule == "delete":
            result = await session.execute(delete(table).where(column == person))
        elif rule == "null":
            result = await session.execute(update(table).where(column == person).values({column.name: None}))
        else:
            count = await session.scalar(select(func.count()).select_from(table).where(column == person))
            if count:
                kept[key] = int(count)
            continue
        if result.rowcount:
            changed[key] = result.rowcount
    return changed, kept


async def _remove_anonymous_hashes(
    session: AsyncSession, workspace_id: int, slack_user_id: str, secret: bytes
) -> int:
    """Clear the sender hash of each anonymous feedback this person sent (only the key can tell)."""
    rows = await session.execute(
        select(Feedback.id, Feedback.sender_hash).where(
            Feedback.workspace_id == workspace_id, Feedback.sender_hash.is_not(None)
        )
    )
    theirs = [fid for fid, stored in rows if is_sender(secret, stored, workspace_id, slack_user_id)]
    if theirs:
        await session.execute(update(Feedback).where(Feedback.id.in_(theirs)).values(sender_hash=None))
    return len(theirs)


async def _scrub_keys(session: AsyncSession, workspace_id: int, slack_user_id: str) -> int:
    """Replace idempotency keys and claims that name the Slack id (a reaction's key names its reactor,
    a digest's claim its manager) with ones that do not."""
    pattern = f"%{slack_user_id}%"
    scrubbed = 0
    for table in Base.metadata.sorted_tables:
        for name in ("source_key", "period_key"):
            if name not in table.c or "id" not in table.c or "workspace_id" not in table.c:
                continue
            result = await session.execute(
                update(table)
                .where(table.c.workspace_id == workspace_id, table.c[name].like(pattern))
                .values({name: literal(f"forgotten:{table.name}:") + cast(table.c.id, String)})
            )
            scrubbed += result.rowcount
    await session.execute(
        update(WorkspaceChannel)
        .where(WorkspaceChannel.workspace_id == workspace_id, WorkspaceChannel.updated_by == slack_user_id)
        .values(updated_by="")
    )
    return scrubbed


# What a forgotten member's row keeps of them: nothing but its id and when it was created.
ANONYMOUS_PROFILE: dict[str, Any] = {
    "name": FORMER_MEMBER_NAME, "real_name": FORMER_MEMBER_NAME, "role": Role.REP.value, "timezone": None,
    "locale": None, "language": None, "is_admin": False, "is_owner": False, "is_bot": False, "deleted": True,
    "profile_refreshed_at": None, "duties": "", "title": None, "ooo_from": None, "ooo_until": None,
    "last_lead_at": None, "onboarded_at": None, "home_opened_at": None, "hidden_from_boards": False,
    "kudos_by_dm": False, "currency": None,
}  # fmt: skip


async def _anonymise(session: AsyncSession, member: Member) -> None:
    """The member row becomes a nameless, departed "Former member" that keeps the team's rows."""
    await session.execute(
        update(Member)
        .where(Member.id == member.id)
        .values(slack_user_id=former_id(member.id), **ANONYMOUS_PROFILE)
    )


@dataclass(frozen=True)
class Forgotten:
    slack_user_id: str
    changed: dict[str, int]  # "table.column" → rows deleted (or cleared) as only about them
    kept: dict[str, int]  # "table.column" → rows kept for the team, now the former member's
    anonymous_hashes: int
    keys: int

    @property
    def rows(self) -> int:
        return sum(self.changed.values()) + sum(self.kept.values())


async def forget_member(
    session: AsyncSession, workspace_id: int, slack_user_id: str, secret: bytes, *, by: Member | None
) -> Forgotten:
    """Forget one person (see the module's docstring) in the caller's one transaction; raises
    NotAllowed unless `by` is an admin (None: the operator at the command line, who holds the
    database anyway), UnknownMember when there is nobody to forget."""
    if by is not None:
        require_admin(by)
    member = await _member_to_forget(session, workspace_id, slack_user_id)
    hashes = await _remove_anonymous_hashes(session, workspace_id, slack_user_id, secret)
    changed, kept = await _apply_references(session, member.id)
    keys = await _scrub_keys(session, workspace_id, slack_user_id)
    await _anonymise(session, member)
    forgotten = Forgotten(slack_user_id, changed, kept, hashes, keys)
    if forgotten.rows:  # a second submit finds nothing left to forget: no decision to log
        audit.record_summary_only(
            session, "member_data.forget", {"member_id": member.id, "rows": forgotten.rows}
        )
    return forgotten


async def forget_preview(session: AsyncSession, workspace_id: int, slack_user_id: str) -> dict[str, int]:
    """How many rows of each "table.column" refer to the person, changing nothing."""
    member = await _member_to_forget(session, workspace_id, slack_user_id)
    counts = {}
    for table, column in member_references():
        count = await session.scalar(select(func.count()).select_from(table).where(column == member.id))
        if count:
            counts[f"{table.name}.{column.name}"] = int(count)
    return counts


async def mark_departed(
    session: AsyncSession, workspace_id: int, slack_user_id: str, user: dict[str, Any]
) -> Member | None:
    """A `user_change` event's user: refresh a known member's profile; `deleted: true` marks them
    departed (left out of boards, digests and assignments; their rows stay until forgotten).
    Someone dealbell never met is not recorded (None)."""
    if (
        slack_user_id.startswith(FORMER_PREFIX)
        or await get_member(session, workspace_id, slack_user_id) is None
    ):
        return None
    return await save_member(session, workspace_id, slack_user_id, Profile.from_users_info(user))


# --- retention -------------------------------------------------------------------------------------


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """`moment` `months` calendar months earlier (the 31st becomes the month's last day). Pure."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


class RetentionError(ValueError):
    """A retention setting out of range."""


def parse_retention(word: str) -> int | None:
    """`off` → None, `12` → 12 (1 to MAX_RETENTION_MONTHS); anything else raises RetentionError. Pure."""
    if word.lower() in ("off", "0", "never"):
        return None
    if word.isascii() and word.isdigit() and 1 <= int(word) <= MAX_RETENTION_MONTHS:
        return int(word)
    raise RetentionError(word)


async def set_retention(
    session: AsyncSession, workspace: Workspace, months: int | None, *, by: Member
) -> None:
    """Admins only: how long personal data is kept is above a manager's say."""
    require_admin(by)
    await session.execute(
        update(Workspace).where(Workspace.id == workspace.id).values(retention_months=months)
    )


async def delete_expired(session: AsyncSession, workspace: Workspace, now: dt.datetime) -> dict[str, int]:
    """Delete feedback and standup answers older than the workspace's retention (none when off)."""
    if not workspace.retention_months:
        return {}
    cutoff = months_before(now, workspace.retention_months)
    feedback = await session.execute(
        delete(Feedback).where(Feedback.workspace_id == workspace.id, Feedback.created_at < cutoff)
    )
    answers = await session.execute(
        delete(StandupAnswer).where(
            StandupAnswer.workspace_id == workspace.id, StandupAnswer.submitted_at < cutoff
        )
    )
    return {"feedback": feedback.rowcount, "standup_answers": answers.rowcount}
