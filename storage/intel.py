"""Competitor notes, and how deals went against each competitor (no Slack here)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_ignoring_conflicts
from storage.errors import UserError
from storage.models import CompetitorNote, Deal, Member, Stage, utcnow

MAX_NOTE = 1000
MAX_COMPETITOR = 200  # CompetitorNote.competitor and Deal.competitor are String(200)


class IntelError(UserError):
    """Competitor input that cannot be recorded."""


def collapse(name: str) -> str:
    return " ".join(name.split())


def competitor_key(name: str) -> str:
    """What makes "Globex", " globex " and "GLOBEX" the same competitor."""
    return collapse(name).casefold()


def _ascii_lower(text: str) -> str:
    """What SQLite's lower() does: only A–Z are folded."""
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


def matches_competitor(name: str) -> ColumnElement[bool]:
    """Deals naming this competitor, case-insensitively, on both databases.

    PostgreSQL's lower() folds every letter; SQLite's only ASCII ones, so the candidates include
    the name lowered the way SQLite would, and the exact spelling.
    """
    collapsed = collapse(name)
    candidates = sorted({competitor_key(collapsed).lower(), collapsed.lower(), _ascii_lower(collapsed)})
    column = func.trim(Deal.competitor)
    return or_(func.lower(column).in_(candidates), column == collapsed)


def validate(competitor: str, note: str | None = None) -> tuple[str, str | None]:
    competitor = collapse(competitor)
    if not competitor:
        raise IntelError("intel.error.no_competitor")
    if len(competitor) > MAX_COMPETITOR:
        raise IntelError("intel.error.name_too_long", limit=MAX_COMPETITOR)
    if note is not None:
        note = note.strip()
        if not note:
            raise IntelError("intel.error.empty_note", competitor=competitor)
        if len(note) > MAX_NOTE:
            raise IntelError("intel.error.note_too_long", limit=MAX_NOTE, length=len(note))
    return competitor, note


# --- notes ---------------------------------------------------------------------------------------


async def add_note(
    session: AsyncSession, workspace_id: int, author: Member, competitor: str, note: str, source_key: str
) -> tuple[CompetitorNote, bool]:
    """Record a note once per `source_key` (a command's trigger id); returns (note, created)."""
    competitor, checked = validate(competitor, note)
    assert checked is not None
    result = await session.execute(
        insert_ignoring_conflicts(session, CompetitorNote.__table__, ["source_key"]).values(
            workspace_id=workspace_id,
            competitor=competitor,
            competitor_key=competitor_key(competitor),
            note=checked,
            author_id=author.id,
            source_key=source_key,
            created_at=utcnow(),
        )
    )
    saved = await session.scalar(
        select(CompetitorNote).where(
            CompetitorNote.workspace_id == workspace_id, CompetitorNote.source_key == source_key
        )
    )
    if saved is None:  # the key exists, but in another workspace: never show it here
        raise IntelError("intel.error.not_saved")
    return saved, result.rowcount == 1


@dataclass(frozen=True)
class NoteView:
    competitor: str
    note: str
    author_user_id: str
    created_at_epoch: int


@dataclass(frozen=True)
class CompetitorCard:
    name: str
    notes: list[NoteView]
    note_count: int
    won: int
    lost: int
    recent_lost: list[Deal]
    recent_won: list[Deal]

    @property
    def win_rate(self) -> Fraction | None:
        """won / (won + lost); None before any deal was decided against them."""
        decided = self.won + self.lost
        return Fraction(self.won, decided) if decided else None


def _count_when(stage: Stage) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((Deal.stage == stage.value, 1), else_=0)), 0)


async def competitor_card(
    session: AsyncSession, workspace_id: int, name: str, *, notes_limit: int = 5, deals_limit: int = 5
) -> CompetitorCard:
    competitor, _ = validate(name)
    key = competitor_key(competitor)
    note_scope = (CompetitorNote.workspace_id == workspace_id, CompetitorNote.competitor_key == key)
    rows = await session.execute(
        select(CompetitorNote, Member.slack_user_id)
        .join(Member, Member.id == CompetitorNote.author_id)
        .where(*note_scope)
        .order_by(CompetitorNote.created_at.desc(), CompetitorNote.id.desc())
        .limit(notes_limit)
    )
    notes = [NoteView(n.competitor, n.note, user_id, int(n.created_at.timestamp())) for n, user_id in rows]
    note_count = await session.scalar(select(func.count()).select_from(CompetitorNote).where(*note_scope))

    deal_scope = (Deal.workspace_id == workspace_id, matches_competitor(competitor))
    won, lost = (
        await session.execute(select(_count_when(Stage.WON), _count_when(Stage.LOST)).where(*deal_scope))
    ).one()

    async def recent(stage: Stage) -> list[Deal]:
        return list(
            await session.scalars(
                select(Deal)
                .where(*deal_scope, Deal.stage == stage.value)
                .order_by(Deal.closed_at.desc(), Deal.id.desc())
                .limit(deals_limit)
            )
        )

    recent_lost, recent_won = await recent(Stage.LOST), await recent(Stage.WON)
    shown = notes[0].competitor if notes else next((d.competitor for d in recent_lost + recent_won), None)
    return CompetitorCard(
        name=collapse(shown or competitor),
        notes=notes,
        note_count=note_count or 0,
        won=int(won),
        lost=int(lost),
        recent_lost=recent_lost,
        recent_won=recent_won,
    )


# --- the list ------------------------------------------------------------------------------------


@dataclass
class CompetitorSummary:
    name: str
    lost: int = 0
    won: int = 0
    notes: int = 0

    @property
    def win_rate(self) -> Fraction | None:
        decided = self.won + self.lost
        return Fraction(self.won, decided) if decided else None


async def competitors(session: AsyncSession, workspace_id: int) -> list[CompetitorSummary]:
    """Every competitor named on a closed deal or in a note, most deals lost to first."""
    group = func.lower(func.trim(Deal.competitor))
    deal_rows = await session.execute(
        select(func.min(func.trim(Deal.competitor)), _count_when(Stage.LOST), _count_when(Stage.WON))
        .where(
            Deal.workspace_id == workspace_id,
            Deal.competitor.is_not(None),
            func.trim(Deal.competitor) != "",
            Deal.stage.in_([Stage.WON.value, Stage.LOST.value]),
        )
        .group_by(group)
    )
    note_rows = await session.execute(
        select(func.min(CompetitorNote.competitor), func.count())
        .where(CompetitorNote.workspace_id == workspace_id)
        .group_by(CompetitorNote.competitor_key)
    )
    # SQLite's lower() leaves non-ASCII letters alone: fold the (few) grouped rows once more here.
    # The spelling shown is the one on deals if any (min: capitals sort first), else the notes'.
    found: dict[str, CompetitorSummary] = {}
    for name, lost, won in deal_rows:
        summary = found.setdefault(competitor_key(name), CompetitorSummary(collapse(name)))
        summary.lost += int(lost)
        summary.won += int(won)
    for name, notes in note_rows:
        found.setdefault(competitor_key(name), CompetitorSummary(collapse(name))).notes += notes
    return sorted(found.values(), key=lambda s: (-s.lost, -s.won, competitor_key(s.name)))
