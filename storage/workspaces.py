"""Workspaces, their channel settings, and members as first seen and refreshed from Slack profiles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_ignoring_conflicts
from storage.models import Member, Role, Workspace, WorkspaceChannel, utcnow

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


async def list_workspaces(session: AsyncSession, team_id: str | None = None) -> list[Workspace]:
    query = select(Workspace).order_by(Workspace.id)
    if team_id:
        query = query.where(Workspace.team_id == team_id)
    return list(await session.scalars(query))


async def get_member(session: AsyncSession, workspace_id: int, slack_user_id: str) -> Member | None:
    return await session.scalar(
        select(Member).where(Member.workspace_id == workspace_id, Member.slack_user_id == slack_user_id)
    )


async def save_member(
    session: AsyncSession, workspace_id: int, slack_user_id: str, profile: Profile
) -> Member:
    """Create the member or refresh its profile; the role is dealbell's own and is left alone."""
    values = {
        "name": profile.name[:200],
        "real_name": profile.real_name[:200],
        "timezone": profile.timezone,
        "locale": profile.locale,
        "is_admin": profile.is_admin,
        "is_owner": profile.is_owner,
        "is_bot": profile.is_bot,
        "deleted": profile.deleted,
        "profile_refreshed_at": utcnow(),
    }
    await session.execute(
        insert_ignoring_conflicts(session, Member.__table__, ["workspace_id", "slack_user_id"]).values(
            workspace_id=workspace_id,
            slack_user_id=slack_user_id,
            role=Role.REP.value,
            created_at=utcnow(),
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
    return [v for v in workspace.values if v != name]
