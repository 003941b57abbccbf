"""App Home, issue 16 item 9: team goals labelled as the team's, the workspace currency first, a manager's
team section first (a toggle, remembered per member), and an Open button on every pipeline deal."""

from __future__ import annotations

from sqlalchemy import select

from storage import goals
from storage.models import Deal, Stage, utcnow
from tests.factories import CustomerFactory, DealFactory, persist
from tests.handlers.test_home import BOSS, REP, ZH, buttons, meet, open_home, rows, seed, view_text

TOGGLE = "home_order_toggle"


async def team_goal(app) -> None:
    workspace, people = await rows(app)
    async with app.db.session() as session:
        await goals.set_goal(session, workspace, people[BOSS], member=None, metric="deals", target=30,
                             currency=None, period_kind="quarter", now=utcnow())  # fmt: skip


def goal_lines(view: dict) -> list[str]:
    section = next(
        b["text"]["text"] for b in view["blocks"] if "Deals won" in b.get("text", {}).get("text", "")
    )
    return section.splitlines()[1:]


async def test_a_reps_goals_label_the_teams_goal_as_the_teams(app):
    app.fake.add_user(BOSS, is_admin=True)
    app.fake.add_user(ZH, locale="zh-CN")
    await meet(app, BOSS, REP, ZH)
    await seed(app)
    await team_goal(app)
    lines = goal_lines(await open_home(app, REP))
    team, mine = [line for line in lines if "quarter" in line], [line for line in lines if "month" in line]
    assert len(team) == 1 and len(mine) == 1, lines
    assert team[0].startswith("Team goal:") and not mine[0].startswith("Team")
    chinese = view_text(await open_home(app, ZH))
    assert "团队目标" in chinese


async def test_money_lists_put_the_workspace_currency_first(app):
    await meet(app, REP)
    workspace, people = await rows(app)
    async with app.db.session() as session:
        [acme] = await persist(session, CustomerFactory(owner=people[REP], name="Acme"))
        await persist(session, *(
            DealFactory(owner=people[REP], customer=acme, amount_minor=amount, currency=code, stage=stage)
            for code, amount in (("EUR", 70_000), ("USD", 300_000), ("AUD", 50_000))
            for stage in (Stage.WON, Stage.PROPOSAL)
        ))  # fmt: skip
    assert workspace.currency == "USD"
    text = view_text(await open_home(app, REP))
    assert "$3,000.00 · A$500.00 · €700.00" in text  # this week: the workspace's currency first
    assert text.index("Proposal: 1 · $3,000.00") < text.index("Proposal: 1 · €700.00")  # the pipeline too


async def test_a_managers_home_shows_the_team_first_and_the_toggle_is_remembered(app):
    app.fake.add_user(BOSS, is_admin=True)
    await meet(app, BOSS, REP)
    await seed(app)
    view = await open_home(app, BOSS)
    text = view_text(view)
    assert text.index("Your team") < text.index("Your pipeline")
    assert (TOGGLE, "personal") in buttons(view)

    payload = app.send.action_payload(TOGGLE, "personal", user=BOSS)
    payload["view"] = {"id": "VHOME1", "hash": "h1", "type": "home"}
    before = len(app.fake.calls_to("views.publish"))
    for _ in range(2):  # a double click switches once: the button names the order it switches to
        assert (await app.send.interactive(payload)).status == 200
    published = await app.fake.wait_for("views.publish", count=before + 1)
    switched = view_text(published[-1].args["view"])
    assert switched.index("Your pipeline") < switched.index("Your team")
    again = await open_home(app, BOSS)  # remembered for this member
    assert view_text(again).index("Your pipeline") < view_text(again).index("Your team")
    assert (TOGGLE, "team") in buttons(again)

    await app.fake.settle()  # the refresh after the clicks is published before the rep opens theirs
    rep_view = await open_home(app, REP)
    assert not any(action == TOGGLE for action, _ in buttons(rep_view))  # reps have no team section


async def test_every_pipeline_deal_on_the_home_has_an_open_button(app):
    app.fake.add_user(BOSS, is_admin=True)
    await meet(app, BOSS, REP)
    await seed(app)
    _workspace, people = await rows(app)
    async with app.db.session() as session:
        [globex] = await persist(session, CustomerFactory(owner=people[REP], name="Globex"))
        await persist(session, DealFactory(owner=people[REP], customer=globex, title="rollout",
                                           amount_minor=90_000, stage=Stage.LEAD))  # fmt: skip
        open_ids = list(await session.scalars(
            select(Deal.id).where(Deal.owner_id == people[REP].id, Deal.stage.notin_(["won", "lost"]))
        ))  # fmt: skip
    view = await open_home(app, REP)
    assert len(open_ids) == 2
    assert {("deal_open", str(deal_id)) for deal_id in open_ids} <= set(buttons(view))
    assert "Globex" in view_text(view)
