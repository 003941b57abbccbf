"""Small seeded workspaces for the request and fan-out scenarios, written straight into the tables.

The scale scenario has its own bulk loader (bench/scale.py); these are a few thousand rows at most,
so plain SQLAlchemy inserts through the app's own `Database` are fast enough.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from bench.common import TEAM_ID
from storage.db import Database
from storage.models import Customer, Deal, Member, Role, Workspace, utcnow
from storage.workspaces import ensure_workspace

FIRST_USER = 1000
ALL_WEEK = [0, 1, 2, 3, 4, 5, 6]


def user_id(n: int) -> str:
    return f"U{FIRST_USER + n:06d}"


@dataclass(frozen=True)
class Seeded:
    workspace_id: int
    users: list[str]
    deal_ids: list[int]


async def seed_workspace(
    db: Database,
    members: int,
    *,
    won_deals: int = 0,
    managers: int = 0,
    allowance: int = 1_000_000,
) -> Seeded:
    """A workspace working every day, with `members` members (the first `managers` of them managers),
    a kudos allowance nobody runs out of, and `won_deals` won deals."""
    now = utcnow()
    async with db.session() as session:
        workspace = await ensure_workspace(session, TEAM_ID, name="Bench")
        await session.execute(
            update(Workspace)
            .where(Workspace.id == workspace.id)
            .values(kudos_allowance=allowance, workdays=ALL_WEEK, charts_enabled=False)
        )
        users = [user_id(n) for n in range(members)]
        await session.execute(
            insert(Member),
            [
                {"workspace_id": workspace.id, "slack_user_id": user, "name": user.lower(),
                 "real_name": f"Rep {n}", "role": Role.MANAGER.value if n < managers else Role.REP.value,
                 "timezone": "UTC", "locale": "en-US",
                 "profile_refreshed_at": now, "created_at": now}
                for n, user in enumerate(users)
            ],
        )  # fmt: skip
        member_ids = list(
            await session.scalars(
                select(Member.id).where(Member.workspace_id == workspace.id).order_by(Member.id)
            )
        )
        deal_ids: list[int] = []
        if won_deals:
            customer_id = await session.scalar(
                insert(Customer)
                .values(workspace_id=workspace.id, name="Bench Customer", name_key="bench customer",
                        segment="existing", created_at=now)
                .returning(Customer.id)
            )  # fmt: skip
            rows = [
                {"workspace_id": workspace.id, "owner_id": member_ids[n % len(member_ids)],
                 "customer_id": customer_id, "title": f"Deal {n}", "amount_minor": 1_250_000 + n,
                 "currency": "USD", "stage": "won", "closed_at": now - dt.timedelta(minutes=n),
                 "source_key": f"bench:{n}", "created_at": now - dt.timedelta(days=30), "updated_at": now}
                for n in range(won_deals)
            ]  # fmt: skip
            await session.execute(insert(Deal), rows)
            deal_ids = list(
                await session.scalars(
                    select(Deal.id).where(Deal.workspace_id == workspace.id).order_by(Deal.id)
                )
            )
        return Seeded(workspace.id, users, deal_ids)
