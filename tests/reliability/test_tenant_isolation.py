"""Tenant isolation: a member of one workspace (T0002) cannot read or change another's (T0001) data
through any command, button, modal, export or job, even with forged ids naming T0001's rows.

T0001's data uses marker names that appear nowhere in T0002; every reply, Slack call and upload made
while acting as T0002 is searched for them, and every T0001 row is snapshotted before and after.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from jobs import JOBS
from jobs.runner import run_job
from storage.models import (
    Base,
    CatalogueItem,
    Customer,
    Deal,
    Idea,
    KudosGive,
    Redemption,
    Training,
    Workspace,
)
from storage.workspaces import get_workspace
from tests.oauth_app import running_oauth_app
from tests.reliability.world import FAR

# Text only T0001 ever wrote. T0002 does type T0001's customer names (Zebracorp, Quokka) to look them
# up, so those are echoed back in "not found" replies and are not markers.
MARKERS = ("Annual licence", "Ocelot", "Xylophone", "Narwhal", "Platypus", "wombat")


async def snapshot(app, workspace_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that belongs to `workspace_id` (and its workspace row)."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with app.db.session() as session:
        for table in Base.metadata.sorted_tables:
            if "workspace_id" in table.c:
                query = select(table).where(table.c.workspace_id == workspace_id)
            elif table.name == "workspaces":
                query = select(table).where(table.c.id == workspace_id)
            else:
                continue
            rows = (await session.execute(query)).all()
            found[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return found


async def seed_t0001(app) -> None:
    app.fake.add_user("U0001", is_admin=True)
    app.fake.add_user("U0002")
    team = {"team": "T0001"}
    for command, text, user in [
        ("/deal", 'won 12.5k Zebracorp "Annual licence"', "U0001"),
        ("/deal", "new 40k Quokka stage:proposal", "U0002"),
        ("/customer", 'add "Zebracorp" segment:vip', "U0001"),
        ("/kudos", "<@U0002|u0002> for the wombat demo #teamwork", "U0001"),
        ("/idea", "Xylophone call recordings for everyone", "U0002"),
        ("/training", f'schedule "Narwhal deep-dive" {FAR} 15:00', "U0001"),
        ("/lead", 'new "Ocelot" source:web', "U0001"),
        ("/reward", '<@U0002|u0002> "Champion" for the wombat deal [points:50]', "U0001"),
        ("/reward", 'catalogue add "Platypus mug" 10', "U0001"),
        ("/reward", 'redeem "Platypus mug"', "U0002"),
        ("/intel", 'Zebracorp "launched a Narwhal tier"', "U0001"),
        ("/goal", "set team revenue 100k month", "U0001"),
        (
            "/contest",
            'new "Narwhal sprint" metric:revenue from:2026-01-01 to:2030-12-31 prize:"wombat"',
            "U0001",
        ),
    ]:
        reply = await app.send.command(command, text, user=user, **team)
        assert reply.status == 200, (command, text, reply.text)
    await app.fake.settle(0.15)


async def rows_of(app, workspace_id: int) -> dict[str, list[Any]]:
    async with app.db.session() as session:
        found = {}
        for model in (Deal, Customer, KudosGive, Idea, Training, CatalogueItem, Redemption):
            found[model.__name__] = list(
                (await session.scalars(select(model).where(model.workspace_id == workspace_id))).all()
            )
        return found


@pytest.fixture(params=["bot-token", "oauth"])
async def tenant_app(request, app, db, database_url, fake_slack) -> AsyncIterator[Any]:
    """One bot token for both teams, or (OAuth) both installed, each with its own token."""
    if request.param == "bot-token":
        yield app
        return
    async with running_oauth_app(db, database_url, fake_slack) as running:
        for team in ("T0001", "T0002"):
            assert (await running.install(team))[0] == 200
        yield running


async def test_a_member_of_another_workspace_cannot_reach_t0001(tenant_app) -> None:
    app = tenant_app
    await seed_t0001(app)
    async with app.db.session() as session:
        ws1 = await get_workspace(session, "T0001")
    mine = await rows_of(app, ws1.id)
    assert all(mine.values()), {k: len(v) for k, v in mine.items()}  # every kind of row was seeded
    deal_ids = [d.id for d in mine["Deal"]]
    lead = next(d for d in mine["Deal"] if d.stage == "lead")
    give = mine["KudosGive"][0].id
    idea = mine["Idea"][0].id
    training = mine["Training"][0].id
    item = mine["CatalogueItem"][0].id
    redemption = mine["Redemption"][0].id
    customer = mine["Customer"][0].id
    before = await snapshot(app, ws1.id)

    # --- T0002: its admin and a member, seen first on their first request ------------------------
    app.fake.add_user("U0201", is_admin=True, team_id="T0002")
    app.fake.add_user("U0202", team_id="T0002")
    t2 = {"team": "T0002", "channel": "C0201"}
    start = len(app.fake.calls)
    replies = []
    await app.send.command("/deal", "won 5k Local Co", user="U0201", **t2)
    await app.send.command("/kudos", "<@U0202|u0202> for help #teamwork", user="U0201", **t2)
    for user in ("U0202", "U0201"):
        for command, text in [
            ("/customer", "Zebracorp"),
            ("/intel", ""),
            ("/intel", "Zebracorp"),
            ("/deal", "list"),
            ("/deal", "won Quokka"),
            ("/deal", "lost Quokka competitor:Zebracorp"),
            ("/leaderboard", ""),
            ("/goal", ""),
            ("/scorecard", "team"),
            ("/contest", ""),
            *[("/contest", str(n)) for n in range(1, 4)],
            ("/training", ""),
            ("/training", f"attendance {training}"),
            ("/lead", f"assign {lead.id} <@U0202|u0202>"),
            ("/reward", f"redeem {item}"),
            ("/reward", "catalogue"),
            ("/reward", f"catalogue remove {item}"),
            ("/idea", "top"),
            ("/kudos", "stats all"),
        ]:
            replies.append(await app.send.command(command, text, user=user, **t2))
        # --- forged buttons naming T0001's rows ---------------------------------------------------
        for action_id, value in [
            *[("deal_won", f"{d}:won") for d in deal_ids],
            *[("deal_advance", f"{d}:qualified") for d in deal_ids],
            *[("deal_congratulate", str(d)) for d in deal_ids],
            *[("deal_lost", str(d)) for d in deal_ids],
            ("kudos_metoo", str(give)),
            ("kudos_undo", str(give)),
            ("ideas_upvote", str(idea)),
            ("training_going", str(training)),
            ("training_not_going", str(training)),
            ("training_attendance", str(training)),
            ("lead_accept", f"{lead.id}:{lead.owner_id}"),
            ("lead_pass", f"{lead.id}:{lead.owner_id}"),
            ("rewards_redemption_approve", str(redemption)),
            ("rewards_redemption_decline", str(redemption)),
            ("home_redeem", str(item)),
            ("followup_done", f"customer:{customer}:2026-03-10"),
            ("followup_snooze", f"customer:{customer}:2026-03-10"),
            ("followup_open", f"customer:{customer}:2026-03-10"),
            *[("followup_done", f"deal:{d}:2026-03-10") for d in deal_ids],
        ]:
            replies.append(await app.send.action(action_id, value, user=user, **t2))
        status = app.send.action_payload("ideas_status", "", user=user, **t2)
        status["actions"][0]["selected_option"] = {"value": f"{idea}:done"}
        replies.append(await app.send.interactive(status))
        # --- forged modal: the lost-deal modal naming T0001's open deal ---------------------------
        for d in deal_ids:
            replies.append(
                await app.send.view_submission(
                    "deal_lost", {}, user=user, team="T0002", private_metadata=json.dumps({"deal": d})
                )
            )
    # --- export by T0002's manager ---------------------------------------------------------------
    replies.append(await app.send.command("/dealbell", "export deals all", user="U0201", **t2))
    await app.fake.wait_for("files.completeUploadExternal")
    # --- jobs for T0002 --------------------------------------------------------------------------
    async with app.db.session() as session:
        ws2 = await get_workspace(session, "T0002")
    for name in (
        "follow-up-reminders",
        "weekly-leaderboard",
        "contest-announcements",
        "manager-digest-weekly",
    ):
        await run_job(JOBS[name], ws2, app.services, as_scheduled=False)
    await app.fake.settle()

    assert all(r.status == 200 for r in replies), [r.text for r in replies if r.status != 200]
    seen = "\n".join(r.text for r in replies) + "\n".join(
        json.dumps(c.args, default=str) for c in app.fake.calls[start:]
    )
    uploads = b"".join(data for _args, data in app.fake.uploaded()).decode()
    assert "Local Co" in uploads  # the export ran and holds T0002's own deal
    for marker in MARKERS:
        assert marker not in seen
        assert marker not in uploads
    assert await snapshot(app, ws1.id) == before
    if app.fake.token_teams:  # OAuth: every Web API call made for T0002 used T0002's own token
        untokened = ("upload", "response_url", "oauth.v2.access")  # not Web API calls with a bot token
        used = {c.token for c in app.fake.calls[start:] if c.method not in untokened}
        assert {app.fake.token_teams.get(token) for token in used} == {"T0002"}
    async with app.db.session() as session:
        assert (await session.scalars(select(Workspace.team_id))).all().count("T0001") == 1
