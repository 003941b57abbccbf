"""The roster: roles, duties and titles; the reps' workload; the once-only onboarding claim (no Slack here)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.authority import require_admin, require_manager
from storage.errors import UserError
from storage.models import OPEN_STAGES, Customer, Deal, Member, Role, Workspace, utcnow
from storage.money import Money, is_currency_code
from storage.periods import member_zone

MAX_ROLE = 32  # Member.role is String(32)
MAX_DUTIES = 500
MAX_TITLE = 120  # Member.title is String(120)
KNOWN_ROLES = tuple(role.value for role in Role)
# Who carries a pipeline: the people `/team load` reports on.
LOAD_ROLES = (Role.REP.value, Role.ACCOUNT_MANAGER.value)


class TeamError(UserError):
    """A refused roster change."""


def normalise_role(text: str) -> str:
    return text.strip().lower()


def is_valid_role(role: str) -> bool:
    """One word of letters, digits and dashes (starting with a letter or digit), at most 32 characters."""
    return (
        0 < len(role) <= MAX_ROLE
        and (role[0].isalnum())
        and all(ch.isalnum() or ch == "-" for ch in role)
        and role == role.lower()
    )


def role_order(role: str) -> tuple[int, str]:
    """Managers first, then the known roles in their usual order, then custom roles by name."""
    order = (Role.MANAGER.value, Role.ACCOUNT_MANAGER.value, Role.REP.value, Role.AFTER_SALES.value)
    return (order.index(role), "") if role in order else (len(order), role)


def display_name(member: Member) -> str:
    return member.real_name or member.name or member.slack_user_id


# --- reading -------------------------------------------------------------------------------------


async def roster(session: AsyncSession, workspace_id: int) -> list[Member]:
    """Everyone on the team: not deleted, not a bot; managers first, then by role and name."""
    members = list(
        await session.scalars(
            select(Member).where(
                Member.workspace_id == workspace_id, Member.deleted.is_(False), Member.is_bot.is_(False)
            )
        )
    )
    members.sort(key=lambda m: (role_order(m.role), display_name(m).casefold(), m.id))
    return members


async def get_member(session: AsyncSession, workspace_id: int, member_id: int) -> Member | None:
    return await session.scalar(
        select(Member).where(Member.workspace_id == workspace_id, Member.id == member_id)
    )


# --- changes -------------------------------------------------------------------------------------


async def _target(session: AsyncSession, workspace_id: int, by: Member, target_id: int) -> Member:
    require_manager(by)
    target = await get_member(session, workspace_id, target_id)
    if target is None:
        raise TeamError("team.error.unknown_member")
    if target.is_bot:
        raise TeamError("team.error.bot", user=target.slack_user_id)
    if target.deleted:
        raise TeamError("team.error.deleted", user=target.slack_user_id)
    return target


async def _update(session: AsyncSession, target: Member, **values: object) -> Member:
    await session.execute(
        update(Member)
        .where(Member.workspace_id == target.workspace_id, Member.id == target.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(target)
    return target


async def set_role(
    session: AsyncSession, workspace_id: int, by: Member, target_id: int, role: str
) -> tuple[Member, bool]:
    """Give a member a role; returns (member, changed).

    Managers and admins set roles, but only workspace admins and owners make someone a manager
    or take the manager role away (otherwise one manager could demote the others).
    """
    role = normalise_role(role)
    if not is_valid_role(role):
        raise TeamError("team.error.bad_role", role=role, limit=MAX_ROLE)
    target = await _target(session, workspace_id, by, target_id)
    if target.role == role:
        return target, False
    if Role.MANAGER.value in (role, target.role):
        require_admin(by)
    return await _update(session, target, role=role), True


async def set_duties(
    session: AsyncSession, workspace_id: int, by: Member, target_id: int, duties: str
) -> tuple[Member, bool]:
    """Write down what a member owns ('' clears it); returns (member, changed)."""
    duties = duties.strip()
    if len(duties) > MAX_DUTIES:
        raise TeamError("team.error.duties_too_long", limit=MAX_DUTIES)
    target = await _target(session, workspace_id, by, target_id)
    if target.duties == duties:
        return target, False
    return await _update(session, target, duties=duties), True


async def set_title(
    session: AsyncSession, workspace_id: int, by: Member, target_id: int, title: str | None
) -> tuple[Member, bool]:
    """Give a member an honorary title (None takes it away); returns (member, changed)."""
    title = (title or "").strip() or None
    if title is not None and len(title) > MAX_TITLE:
        raise TeamError("team.error.title_too_long", limit=MAX_TITLE)
    target = await _target(session, workspace_id, by, target_id)
    if target.title == title:
        return target, False
    return await _update(session, target, title=title), True


async def set_own_currency(
    session: AsyncSession, workspace_id: int, member_id: int, currency: str | None
) -> Member:
    """A member's own currency for amounts typed without one (None: follow the workspace's)."""
    if currency is not None and not is_currency_code(currency):
        raise TeamError("settings.currency.bad", word=currency)
    member = await get_member(session, workspace_id, member_id)
    if member is None:
        raise TeamError("team.error.unknown_member")
    return await _update(session, member, currency=currency.upper() if currency else None)


# --- workload ------------------------------------------------------------------------------------


@dataclass
class Workload:
    member: Member
    open_deals: int = 0
    pipeline: list[Money] = field(default_factory=list)  # one per currency, the workspace's first
    overdue: int = 0


def local_today(member: Member, workspace: Workspace, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(member_zone(member, workspace))).date()


async def workload(session: AsyncSession, workspace: Workspace, now: dt.datetime) -> list[Workload]:
    """Each rep and account manager: open deals, open pipeline per currency, overdue follow-ups.

    Overdue means a customer they own whose next follow-up is before today in the rep's own zone.
    Both numbers come from GROUP BY queries; nothing loops over deals or customers here.
    """
    eligible = (
        Member.workspace_id == workspace.id,
        Member.role.in_(LOAD_ROLES),
        Member.deleted.is_(False),
        Member.is_bot.is_(False),
    )
    reps = list(await session.scalars(select(Member).where(*eligible)))
    if not reps:
        return []
    loads = {m.id: Workload(m) for m in reps}

    pipeline = await session.execute(
        select(Deal.owner_id, Deal.currency, func.count(), func.sum(Deal.amount_minor))
        .join(Member, Member.id == Deal.owner_id)
        .where(
            Deal.workspace_id == workspace.id,
            Deal.stage.in_([s.value for s in OPEN_STAGES]),
            *eligible,
        )
        .group_by(Deal.owner_id, Deal.currency)
        .order_by(Deal.owner_id, Deal.currency)
    )
    for owner_id, currency, count, total in pipeline:
        load = loads[owner_id]
        load.open_deals += count
        load.pipeline.append(Money(int(total or 0), currency))
    for load in loads.values():  # the workspace's own currency first, then the others by code
        load.pipeline.sort(key=lambda money: (money.currency != workspace.currency, money.currency))

    # Reps in different zones can be on different calendar days: one condition per local "today".
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for rep in reps:
        by_day[local_today(rep, workspace, now)].append(rep.id)
    overdue = await session.execute(
        select(Customer.owner_id, func.count())
        .where(
            Customer.workspace_id == workspace.id,
            or_(
                *(
                    and_(Customer.owner_id.in_(ids), Customer.next_follow_up < day)
                    for day, ids in by_day.items()
                )
            ),
        )
        .group_by(Customer.owner_id)
    )
    for owner_id, count in overdue:
        loads[owner_id].overdue = count

    return sorted(
        loads.values(), key=lambda w: (-w.open_deals, display_name(w.member).casefold(), w.member.id)
    )


# --- onboarding ----------------------------------------------------------------------------------


async def claim_onboarding(session: AsyncSession, workspace_id: int, member_id: int) -> bool:
    """True for exactly one caller per member, ever: that caller sends the welcome DM."""
    result = await session.execute(
        update(Member)
        .where(Member.workspace_id == workspace_id, Member.id == member_id, Member.onboarded_at.is_(None))
        .values(onboarded_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def release_onboarding(session: AsyncSession, workspace_id: int, member_id: int) -> None:
    """Give the claim back when the DM could not be sent, so the next join can try again."""
    await session.execute(
        update(Member)
        .where(Member.workspace_id == workspace_id, Member.id == member_id)
        .values(onboarded_at=None)
        .execution_options(synchronize_session=False)
    )
