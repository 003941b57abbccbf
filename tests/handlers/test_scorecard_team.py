"""`/scorecard team` (issue 16, item 8): a ranked list Slack can show (a section of fields per rep, within
Block Kit's limits) and, for managers, the same table as a CSV file in their DM."""

from __future__ import annotations

import csv
import io

import time_machine

from storage.models import Role
from tests.factories import MemberFactory, persist
from tests.handlers.test_goals import ANA, BOSS, LI, TODAY
from tests.handlers.test_scorecards import seed_scorecards

KIM = "U0005"


async def team_scorecard(app, user: str = BOSS):
    with time_machine.travel(TODAY, tick=True):
        reply = await app.send.command("/scorecard", "team", user=user)
    assert reply.status == 200
    return reply


async def test_the_team_scorecard_is_a_ranked_list_of_sections_with_fields(app):
    await seed_scorecards(app)
    reply = await team_scorecard(app)
    blocks = reply.json["blocks"]
    assert len(blocks) <= 50
    reps = [b for b in blocks if b["type"] == "section" and b.get("fields")]
    # ranked by revenue won in the workspace's currency: li $45K, ana $8K, kim $0
    assert [b["text"]["text"] for b in reps] == [f"*1.* <@{LI}>", f"*2.* <@{ANA}>", f"*3.* <@{KIM}>"]
    assert all(len(b["fields"]) <= 10 for b in reps)
    li = [field["text"] for field in reps[0]["fields"]]
    assert "*Revenue won*\n$45,000.00 + €7,000.00 of $100,000.00 goal (45.0%)" in li
    assert "*Win rate*\n66.7%" in li and "*Customer satisfaction*\n4.3" in li
    assert " | " not in reply.text and " | " not in str(blocks)  # no pipe-separated table
    assert "SECRET" not in reply.text


async def test_managers_get_the_same_table_as_a_csv_file_in_their_dm(app):
    await seed_scorecards(app)
    await team_scorecard(app)
    await app.fake.wait_for("files.completeUploadExternal")
    [(upload, data)] = app.fake.uploaded()
    assert upload["channel_id"] == "D" + BOSS and upload["files"]
    assert data.startswith("\ufeff".encode())  # opens in Excel with names intact
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [row["member"] for row in rows] == [LI, ANA, KIM]
    li = rows[0]
    assert (li["rank"], li["revenue"], li["currency"], li["other_revenue"]) == (
        "1",
        "45000.00",
        "USD",
        "EUR 7000.00",
    )
    assert (li["goal_percent"], li["deals_won"], li["deals_lost"], li["win_rate"]) == (
        "45.0",
        "4",
        "2",
        "66.7",
    )
    assert (li["activities"], li["csat"], li["kudos"], li["feedback"]) == ("5", "4.3", "3", "2")


async def test_a_large_team_stays_within_block_kits_limits(app):
    workspace, _m = await seed_scorecards(app)
    async with app.db.session() as session:
        await persist(session, *(
            MemberFactory(workspace=workspace, slack_user_id=f"UR{n:03d}", name=f"rep{n:03d}", role=Role.REP.value)
            for n in range(70)
        ))  # fmt: skip
    reply = await team_scorecard(app)
    blocks = reply.json["blocks"]
    assert len(blocks) <= 50
    assert "and 28 more" in str(blocks[-1])  # 73 reps, 45 shown; the CSV has them all
    await app.fake.wait_for("files.completeUploadExternal")
    [(_, data)] = app.fake.uploaded()
    assert len(data.decode("utf-8-sig").strip().splitlines()) == 1 + 73
