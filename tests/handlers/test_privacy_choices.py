"""Issue 17, item 7: each member decides what is public about them (`/dealbell privacy`, the Home).

Through signed requests into the running app, on both databases: a member who asks to be left out
of public boards is missing from `/leaderboard`, the weekly post and contest standings, yet still
counted on their own Home; kudos to a member who asked for DMs go to their DM, not the channel.
"""

from __future__ import annotations

import time_machine

from jobs import JOBS
from jobs.runner import run_job
from storage import home
from storage.models import utcnow
from storage.workspaces import get_member, get_workspace
from tests.handlers.test_contests import DURING, contests, create, seed_december, seed_people, standings_lines
from tests.slack_requests import checkbox_value

HIDDEN = "hidden_from_boards"
BY_DM = "kudos_by_dm"


async def choose(app, user: str, *choices: str):
    """Open the privacy modal with `/dealbell privacy` and submit it with `choices` ticked."""
    reply = await app.send.command("/dealbell", "privacy", user=user)
    assert reply.status == 200
    [opened] = await app.fake.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == "privacy_modal"
    app.fake.calls.clear()
    values = {"privacy_choices": checkbox_value(*choices)}
    submitted = await app.send.view_submission("privacy_modal", values, user=user)
    assert submitted.status == 200
    await app.fake.wait_for("chat.postMessage")  # the DM saying what was saved
    app.fake.calls.clear()


async def kudos_week(app) -> None:
    """This week: U0002 gets two kudos and wins $5,000, U0003 one kudos and $3,000."""
    await app.send.command("/kudos", "<@U0002|ana> <@U0003|li> for the Acme demo")
    await app.send.command("/kudos", "<@U0002|ana> for the renewal", user="U0004")
    await app.send.command("/deal", "won 5k Acme", user="U0002")
    await app.send.command("/deal", "won 3k Globex", user="U0003")
    await app.fake.settle()
    app.fake.calls.clear()


async def test_a_member_left_out_of_public_boards_is_missing_from_them_but_counted_on_their_home(app):
    app.fake.add_user("U0001", is_admin=True)
    await app.send.command("/dealbell", "channels leaderboard <#C0LEADERS|leaders>")
    await kudos_week(app)
    await choose(app, "U0002", HIDDEN)

    board = await app.send.command("/leaderboard", "kudos", user="U0003")
    assert "<@U0003>" in board.text or "<@U0003>" in str(board.json)
    assert "U0002" not in str(board.json)
    revenue = await app.send.command("/leaderboard", "revenue", user="U0003")
    assert "U0002" not in str(revenue.json) and "<@U0003>" in str(revenue.json)

    async with app.db.session() as session:
        workspace = await get_workspace(session, "T0001")
    await run_job(JOBS["weekly-leaderboard"], workspace, app.services, as_scheduled=False, now=utcnow())
    [post] = await app.fake.wait_for("chat.postMessage")
    assert post.args["channel"] == "C0LEADERS"
    assert "<@U0003>" in str(post.args["blocks"]) and "U0002" not in str(post.args)

    # their own Home still counts them; so does the managers' view of the team
    async with app.db.session() as session:
        ana = await get_member(session, workspace.id, "U0002")
        mine = await home.member_home(session, workspace, ana, utcnow())
        team = await home.team_home(session, workspace, utcnow())
    assert mine.kudos_received == 2 and mine.week.revenue == {"USD": 500000}
    assert [row.key for row in team.leaders.rows] == ["U0002", "U0003"]


async def test_showing_again_puts_them_back(app):
    await kudos_week(app)
    await choose(app, "U0002", HIDDEN)
    await choose(app, "U0002")  # nothing ticked: shown again
    board = await app.send.command("/leaderboard", "kudos", user="U0003")
    assert "<@U0002>" in str(board.json)


async def test_kudos_to_someone_who_asked_for_dms_go_to_their_dm_not_the_channel(app):
    app.fake.add_user("U0001", is_admin=True)
    await app.send.command("/dealbell", "channels kudos <#C0KUDOS|kudos>")
    await choose(app, "U0002", BY_DM)

    reply = await app.send.command("/kudos", "<@U0002|ana> for the Acme demo", channel="C0SALES")
    assert "<@U0002>" in reply.text
    [card] = await app.fake.wait_for("chat.postMessage")
    assert card.args["channel"] == "U0002" and "thread_ts" not in card.args
    assert "for the Acme demo" in str(card.args["blocks"])

    app.fake.calls.clear()  # someone who did not ask still gets the channel
    await app.send.command("/kudos", "<@U0003|li> for the Globex demo", channel="C0SALES")
    [card] = await app.fake.wait_for("chat.postMessage")
    assert card.args["channel"] == "C0KUDOS"


async def test_the_home_button_opens_the_modal_with_the_current_choices(app):
    await choose(app, "U0002", BY_DM)
    await app.send.event("event_app_home_opened", user="U0002")
    [published] = await app.fake.wait_for("views.publish")
    buttons = [e for b in published.args["view"]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "privacy_open" in [button["action_id"] for button in buttons]

    app.fake.calls.clear()
    await app.send.action("privacy_open", "open", user="U0002")
    [opened] = await app.fake.wait_for("views.open")
    element = opened.args["view"]["blocks"][1]["element"]
    assert [o["value"] for o in element["initial_options"]] == [BY_DM]


async def test_contest_standings_leave_them_out_and_team_sums_still_count_them(app):
    _, members = await seed_people(app)
    await create(app)
    await create(app, 'new "Team December" metric:revenue from:2026-12-01 to:2026-12-31 team:account-manager')
    await seed_december(app, members)
    await choose(app, "U0002", HIDDEN)
    individual, team = await contests(app.db)
    with time_machine.travel(DURING, tick=True):
        reply = await app.send.command("/contest", "", user="U0003")
    blocks = reply.json["blocks"]
    assert standings_lines(blocks, individual.id) == ["*1.* <@U0003> · $500.00", "*2.* <@U0004> · $250.00"]
    assert standings_lines(blocks, team.id) == ["*1.* Reps · $750.00", "*2.* Account managers · $500.00"]
