"""The demo team the sandbox starts with: a manager, four reps in four time zones, customers and deals.

Members are written through the same storage functions the bot uses when it first meets someone,
so the bot treats them exactly as people it already knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.sandbox.workspace import TEAM_ID, Message, SandboxSlack
from storage import deals
from storage.customers import set_customer
from storage.db import Database
from storage.models import Role, Stage
from storage.money import Money
from storage.workspaces import (
    Profile,
    WorkspaceDefaults,
    ensure_workspace,
    get_workspace,
    save_member,
    set_channel,
)

SALES, WINS = "C01SALES", "C02WINS"
CHANNELS = {SALES: "sales", WINS: "wins"}
WORKSPACE_ZONE = "America/New_York"
CURRENCY = "USD"  # the amounts below are in dollars


@dataclass(frozen=True)
class DemoUser:
    id: str
    handle: str
    real_name: str
    tz: str
    tz_offset: int
    locale: str = "en-US"
    manager: bool = False


MANAGER = DemoUser("U01MAYA", "maya", "Maya Johnson", "America/New_York", -18000, manager=True)
REPS = (
    DemoUser("U02ANA", "ana", "Ana Souza", "America/Sao_Paulo", -10800),
    DemoUser("U03LI", "li", "Li Wei", "Asia/Shanghai", 28800, locale="zh-CN"),
    DemoUser("U04SAM", "sam", "Sam Okafor", "Europe/London", 0),
    DemoUser("U05PRIYA", "priya", "Priya Nair", "Asia/Kolkata", 19800),
)
TEAM = (MANAGER, *REPS)

# (customer, segment, owner handle)
CUSTOMERS = (
    ("Acme Corp", "existing", "ana"),
    ("Globex", "potential", "li"),
    ("Initech", "new", "sam"),
    ("Umbrella", "vip", "priya"),
    ("Hooli", "potential", "ana"),
)
# (owner handle, customer, title, amount in USD, stage)
DEALS = (
    ("ana", "Hooli", "Pilot", 8_000, Stage.QUALIFIED),
    ("li", "Globex", "Platform rollout", 40_000, Stage.PROPOSAL),
    ("sam", "Initech", "Support renewal", 6_500, Stage.WON),
    ("priya", "Umbrella", "Enterprise plan", 120_000, Stage.NEGOTIATION),
    ("priya", "Acme Corp", "Extra seats", 9_000, Stage.WON),
)
# Some chatter to react to (reaction kudos): (author handle, text)
CHATTER = (
    ("maya", "Morning team! Big week: let's get Umbrella over the line."),
    ("sam", "Sent the Initech renewal deck, and they want a call with Priya on onboarding."),
)


def users_info(user: DemoUser) -> dict[str, Any]:
    """The user as users.info describes it."""
    return {
        "id": user.id, "team_id": TEAM_ID, "name": user.handle, "deleted": False, "real_name": user.real_name,
        "tz": user.tz, "tz_offset": user.tz_offset, "locale": user.locale, "is_admin": user.manager,
        "is_owner": user.manager, "is_bot": False,
        "profile": {"real_name": user.real_name, "display_name": user.handle},
    }  # fmt: skip


def add_people_and_channels(slack: SandboxSlack) -> None:
    """What Slack knows even in an empty sandbox: the team and the channels."""
    for user in TEAM:
        slack.users[user.id] = users_info(user)
    for channel_id, name in CHANNELS.items():
        slack.add_channel(channel_id, name)


async def seed_demo(db: Database, slack: SandboxSlack) -> None:
    """Members, roles, channels settings, customers, deals and a little chatter; skipped if already there."""
    async with db.session() as session:
        if await get_workspace(session, TEAM_ID) is not None:
            return
        workspace = await ensure_workspace(
            session,
            TEAM_ID,
            None,
            WorkspaceDefaults(timezone=WORKSPACE_ZONE, currency=CURRENCY),
            "Acme Sales",
        )
        members = {}
        for user in TEAM:
            members[user.handle] = await save_member(
                session, workspace.id, user.id, Profile.from_users_info(users_info(user))
            )
        members["maya"].role = Role.MANAGER.value
        await set_channel(session, workspace, "wins", WINS, MANAGER.id)
        await set_channel(session, workspace, "team", SALES, MANAGER.id)
        for name, segment, owner in CUSTOMERS:
            await set_customer(session, workspace.id, name, segment=segment, owner_id=members[owner].id)
        for number, (owner, customer, title, amount, stage) in enumerate(DEALS, 1):
            new = deals.NewDeal(
                customer=customer, money=Money(amount * 100, CURRENCY), title=title, stage=stage
            )
            await deals.create_deal(
                session, workspace.id, members[owner], new, source_key=f"sandbox:{number}"
            )
    handles = {user.handle: user.id for user in TEAM}
    for author, text in CHATTER:
        slack.post(Message(SALES, slack.new_ts(), handles[author], text))
