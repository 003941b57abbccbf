"""Workspaces, their channel settings, and members as first seen and refreshed from Slack profiles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, case, delete, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from storage import audit
from storage.db import insert_ignoring_conflicts
from storage.errors import UserError
from storage.models import (
    Base,
    Member,
    ProcessedEvent,
    Role,
    Workspace,
    WorkspaceChannel,
    slack_bots,
    slack_installations,
    utcnow,
)

CHANNEL_KINDS = ("wins", "kudos", "leaderboard", "ideas", "team")


@dataclass(frozen=True)
class WorkspaceDefaults:
    timezone: str = "UTC"
    currency: str = "USD"
    locale: str = "en_US"


@dataclass(frozen=True)
class Profile:
    """What dealbell keeps of a Slack user profile (users.info), free of Slack types."""

    name: str = ""
    real_name: str = ""
    timezone: str | None = None
    locale: str | None = None
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    deleted: bool = False

    @classmethod
    def from_users_info(cls, user: dict[str, Any]) -> Profile:
        """From the `user` object of users.info (a plain dict; storage imports no Slack library)."""
        profile = user.get("profile") or {}
        return cls(
            name=profile.get("display_name") or user.get("name") or "",
            real_name=user.get("real_name") or profile.get("real_name") or "",
            timezone=user.get("tz"),
            locale=user.get("locale"),
            is_admin=bool(user.get("is_admin")),
            is_owner=bool(user.get("is_owner") or user.get("is_primary_owner")),
            is_bot=bool(user.get("is_bot")),
            deleted=bool(user.get("deleted")),
        )


async def get_workspace(
    session: AsyncSession, team_id: str, enterprise_id: str | None = None
) -> Workspace | None:
    return await session.scalar(
        select(Workspace).where(
            Workspace.team_id == team_id, Workspace.enterprise_id == (enterprise_id or "")
        )
    )


async def get_workspace_by_id(session: AsyncSession, workspace_id: int) -> Workspace | None:
    return await session.get(Workspace, workspace_id)


async def ensure_workspace(
    session: AsyncSession,
    team_id: str,
    enterprise_id: str | None = None,
    defaults: WorkspaceDefaults = WorkspaceDefaults(),
    name: str = "",
) -> Workspace:
    """The workspace row for a team, created on first sight (safe when two requests race)."""
    workspace = await get_workspace(session, team_id, enterprise_id)
    if workspace is not None:
        return workspace
    await session.execute(
        insert_ignoring_conflicts(session, Workspace.__table__, ["team_id", "enterprise_id"]).values(
            team_id=team_id,
            enterprise_id=enterprise_id or "",
            name=name,
            timezone=defaults.timezone,
            currency=defaults.currency,
            locale=defaults.locale,
            created_at=utcnow(),
        )
    )
    workspace = await get_workspace(session, team_id, enterprise_id)
    assert workspace is not None
    return workspace


async def mark_installed(
    session: AsyncSession,
    team_id: str,
    enterprise_id: str | None,
    defaults: WorkspaceDefaults = WorkspaceDefaults(),
    name: str = "",
) -> Workspace:
    """An (re-)install: the workspace exists and is no longer marked uninstalled."""
    workspace = await ensure_workspace(session, team_id, enterprise_id, defaults, name)
    workspace.uninstalled_at = None
    if name:
        workspace.name = name
    return workspace


async def mark_uninstalled(session: AsyncSession, team_id: str, enterprise_id: str | None) -> bool:
    """Slack removed the app: keep the data (until a purge), stop the jobs. False if unknown."""
    result = await session.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id, Workspace.enterprise_id == (enterprise_id or ""))
        .values(uninstalled_at=utcnow())
    )
    return bool(result.rowcount)


def _owned_rows(table: Table, workspace_id: int) -> Any:
    """A DELETE of `table`'s rows that belong to the workspace, directly or through a parent row."""
    if "workspace_id" in table.c:
        return delete(table).where(table.c.workspace_id == workspace_id)
    for fk in table.foreign_keys:  # e.g. kudos_give_values → kudos_gives.workspace_id
        parent = fk.column.table
        if "workspace_id" in parent.c:
            owned = select(fk.column).where(parent.c.workspace_id == workspace_id)
            return delete(table).where(fk.parent.in_(owned))
    return None


async def purge_workspace(session: AsyncSession, team_id: str, enterprise_id: str | None) -> dict[str, int]:
    """Delete everything dealbell holds for a workspace: its rows in every table, its tokens and its
    processed-event ids. Children first, in one transaction. Returns rows deleted per table."""
    deleted: dict[str, int] = {}
    for table in (slack_installations, slack_bots):
        query = delete(table).where(table.c.team_id == team_id)
        if enterprise_id:
            query = query.where(table.c.enterprise_id == enterprise_id)
        deleted[table.name] = (await session.execute(query)).rowcount
    deleted[ProcessedEvent.__tablename__] = (
        await session.execute(delete(ProcessedEvent).where(ProcessedEvent.team_id == team_id))
    ).rowcount
    workspace = await get_workspace(session, team_id, enterprise_id)
    if workspace is None:
        return deleted
    await audit.allow_purge(session)  # the workspace's audit log goes with it
    for table in reversed(Base.metadata.sorted_tables):
        query = _owned_rows(table, workspace.id)
        if query is not None:
            deleted[table.name] = (await session.execute(query)).rowcount
    await session.execute(delete(Workspace).where(Workspace.id == workspace.id))
    deleted[Workspace.__tablename__] = 1
    return deleted


async def list_workspaces(session: AsyncSession, team_id: str | None = None) -> list[Workspace]:
    query = select(Workspace).order_by(Workspace.id)
    if team_id:
        query = query.where(Workspace.team_id == team_id)
    return list(await session.scalars(query))


async def get_member(session: AsyncSession, workspace_id: int, slack_user_id: str) -> Member | None:
    return await session.scalar(
        select(Member).where(Member.workspace_id == workspace_id, Member.slack_user_id == slack_user_id)
    )


async def members_by_user_id(
    session: AsyncSession, workspace_id: int, slack_user_ids: list[str]
) -> dict[str, Member]:
    """The known members among Slack user ids, in one query (unknown ids are simply absent)."""
    if not slack_user_ids:
        return {}
    rows = await session.scalars(
        select(Member).where(Member.workspace_id == workspace_id, Member.slack_user_id.in_(slack_user_ids))
    )
    return {member.slack_user_id: member for member in rows}


async def workspace_and_member(
    session: AsyncSession, team_id: str, enterprise_id: str | None, slack_user_id: str | None
) -> tuple[Workspace | None, Member | None]:
    """The workspace (with its channels) and, if asked for, the member of one request in one
    round trip; (None, None) for a workspace not seen yet."""
    member_of_request = (
        and_(Member.workspace_id == Workspace.id, Member.slack_user_id == slack_user_id)
        if slack_user_id
        else false()
    )
    row = (
        (
            await session.execute(
                select(Workspace, Member)
                .outerjoin(Member, member_of_request)
                .where(Workspace.team_id == team_id, Workspace.enterprise_id == (enterprise_id or ""))
                # joined, not the relationship's own selectin: one SELECT instead of two
                .options(joinedload(Workspace.channels))
            )
        )
        .unique()
        .first()
    )
    return (row[0], row[1]) if row is not None else (None, None)


async def save_member(
    session: AsyncSession,
    workspace_id: int,
    slack_user_id: str,
    profile: Profile,
    now: dt.datetime | None = None,
) -> Member:
    """Create the member or refresh its profile (as of `now`, a job's clock); the role is dealbell's own."""
    now = now or utcnow()
    values = {
        "name": profile.name[:200],
        "real_name": profile.real_name[:200],
        "timezone": profile.timezone,
        "locale": profile.locale,
        "is_admin": profile.is_admin,
        "is_owner": profile.is_owner,
        "is_bot": profile.is_bot,
        "deleted": profile.deleted,
        "profile_refreshed_at": now,
    }
    await session.execute(
        insert_ignoring_conflicts(session, Member.__table__, ["workspace_id", "slack_user_id"]).values(
            workspace_id=workspace_id,
            slack_user_id=slack_user_id,
            role=Role.REP.value,
            created_at=now,
            **values,
        )
    )
    # A language chosen with `/dealbell language` (Member.language) wins over the Slack locale.
    refreshed = {**values, "locale": case((Member.language.is_(None), profile.locale), else_=Member.locale)}
    await session.execute(
        update(Member)
        .where(Member.workspace_id == workspace_id, Member.slack_user_id == slack_user_id)
        .values(**refreshed)
        .execution_options(synchronize_session=False)
    )
    member = await get_member(session, workspace_id, slack_user_id)
    assert member is not None
    await session.refresh(member)
    return member


async def list_members(
    session: AsyncSession, workspace_id: int, *, include_deleted: bool = False
) -> list[Member]:
    query = select(Member).where(Member.workspace_id == workspace_id).order_by(Member.id)
    if not include_deleted:
        query = query.where(Member.deleted.is_(False))
    return list(await session.scalars(query))


async def managers(session: AsyncSession, workspace_id: int) -> list[Member]:
    """The workspace's managers, people only: the one query of who `Member.is_manager` is (role
    manager, or workspace admin or owner), for everything that DMs or lists the managers."""
    return list(
        await session.scalars(
            select(Member)
            .where(
                Member.workspace_id == workspace_id,
                Member.deleted.is_(False),
                Member.is_bot.is_(False),
                or_(Member.role == Role.MANAGER.value, Member.is_admin.is_(True), Member.is_owner.is_(True)),
            )
            .order_by(Member.id)
        )
    )


async def set_channel(
    session: AsyncSession, workspace: Workspace, kind: str, channel_id: str, by: str
) -> None:
    if kind not in CHANNEL_KINDS:
        raise ValueError(f"unknown channel kind {kind!r}")
    existing = await session.scalar(
        select(WorkspaceChannel).where(
            WorkspaceChannel.workspace_id == workspace.id, WorkspaceChannel.kind == kind
        )
    )
    if existing is None:
        session.add(
            WorkspaceChannel(workspace_id=workspace.id, kind=kind, channel_id=channel_id, updated_by=by)
        )
    else:
        existing.channel_id, existing.updated_by, existing.updated_at = channel_id, by, utcnow()
    await session.flush()
    await session.refresh(workspace, ["channels"])


MAX_VALUES = 20


async def update_workspace(session: AsyncSession, workspace: Workspace, **values: object) -> Workspace:
    """Change workspace settings (kudos emoji, allowance, values…) and return the fresh row."""
    await session.execute(
        update(Workspace)
        .where(Workspace.id == workspace.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    fresh = await get_workspace_by_id(session, workspace.id)
    assert fresh is not None
    await session.refresh(fresh)
    return fresh


def with_value(workspace: Workspace, name: str) -> list[str]:
    values = workspace.values
    return values if name in values else [*values, name][:MAX_VALUES]


def without_value(workspace: Workspace, name: str) -> list[str]:
    """The values without `name`. The last one stays: kudos are tagged from this list (with a value
    required, a kudos needs one), and the settings form refuses an empty list too."""
    values = [v for v in workspace.values if v != name]
    if not values:
        raise UserError("settings.kudos.last_value", value=name)
    return values
