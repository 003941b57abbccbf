"""`/contest` through signed requests: creating (managers only, once per trigger), bad input, live standings.

The workspace is in Asia/Shanghai (UTC+8): a December contest runs from 2026-11-30 16:00 UTC to
2026-12-31 16:00 UTC. People come from the leaderboard tests' seed; here U0003 is an account
manager and U0005 a manager (managers do not compete), U0009 has left the workspace.
"""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import func, select, update

from storage.models import Contest, Member
from tests.handlers.test_leaderboard import add_deal, seed_team

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
DURING = dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC)
SPRINT = 'new "December sprint" metric:revenue from:2026-12-01 to:2026-12-31 prize:"Team dinner"'


async def count_contests(db) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(Contest))


async def contests(db) -> list[Contest]:
    async with db.session() as session:
        return list(await session.scalars(select(Contest).order_by(Contest.id)))


async def seed_people(app):
    workspace, members = await seed_team(app)
    async with app.db.session() as session:
        for user, role in (("U0003", "account-manager"), ("U0005", "manager")):
            await session.execute(update(Member).where(Member.id == members[user].id).values(role=role))
    return workspace, members


async def seed_december(app, members) -> None:
    """Revenue won in December (Shanghai): ana $500 and li $300 + $200 tie; sam $200 + $50."""
    await add_deal(app, members, "U0002", 50000, "2026-12-05T03:00")
    await add_deal(app, members, "U0003", 30000, "2026-12-04T03:00")
    await add_deal(app, members, "U0003", 20000, "2026-12-06T03:00")
    await add_deal(app, members, "U0004", 20000, "2026-12-06T03:00")
    await add_deal(app, members, "U0004", 5000, "2026-11-30T16:10")  # 00:10 on 1 December there
    # none of these count: before the start there, another currency, lost, a manager, someone who left
    await add_deal(app, members, "U0002", 100000, "2026-11-30T15:30")
    await add_deal(app, members, "U0002", 70000, "2026-12-05T03:00", currency="EUR")
    await add_deal(app, members, "U0004", 999900, "2026-12-05T03:00", stage="lost")
    await add_deal(app, members, "U0005", 90000, "2026-12-05T03:00")
    await add_deal(app, members, "U0009", 9999900, "2026-12-05T03:00")


async def create(app, text: str = SPRINT, **kwargs) -> str:
    with time_machine.travel(NOW, tick=True):
        reply = await app.send.command("/contest", text, **kwargs)
    assert reply.status == 200
    return reply.text


def standings_lines(blocks: list[dict], contest_id: int) -> list[str]:
    block = next(b for b in blocks if b.get("block_id") == f"contest_{contest_id}_standings")
    return block["text"]["text"].split("\n")


async def test_a_manager_creates_a_contest_once_per_trigger(app):
    await seed_people(app)
    text = await create(app, SPRINT + " team:Rep", trigger_id="trigger.sprint")
    assert "Contest #" in text and "*December sprint* is set for Dec 1, 2026 – Dec 31, 2026" in text
    assert "<#C0001>" in text
    again = await create(app, SPRINT + " team:Rep", trigger_id="trigger.sprint")  # Slack's retry
    assert "was already created" in again
    [contest] = await contests(app.db)
    assert (contest.name, contest.metric, contest.starts_on, contest.ends_on, contest.prize) == (
        "December sprint", "revenue", dt.date(2026, 12, 1), dt.date(2026, 12, 31), "Team dinner",
    )  # fmt: skip
    assert (contest.team_role, contest.channel_id, contest.source_key) == (
        "rep", "C0001", "command:trigger.sprint",
    )  # fmt: skip
    await create(app, "new Kudos week metric:kudos from:2026-11-20 to:2026-11-26 <#C0WINS|wins>")
    latest = (await contests(app.db))[-1]
    assert (latest.name, latest.channel_id, latest.team_role) == ("Kudos week", "C0WINS", None)


async def test_only_managers_create_contests(app):
    await seed_people(app)
    for user in ("U0002", "U0003"):  # a rep and an account manager
        text = await create(app, user=user)
        assert "Only managers and workspace admins can do that" in text
    assert await count_contests(app.db) == 0
    text = await create(app, user="U0005")  # a manager by role, not a Slack admin
    assert "is set for" in text
    assert await count_contests(app.db) == 1


async def test_bad_input_is_refused_and_nothing_is_written(app):
    await seed_people(app)
    cases = [
        ('new "X" metric:calls from:2026-12-01 to:2026-12-02', "`calls` is not a contest metric"),
        ('new "X" metric:deals from:2026-11-19 to:2026-12-02', "can't start in the past"),
        ('new "X" metric:deals from:2026-12-05 to:2026-12-02', "ends (2026-12-02) before it starts"),
        ('new "X" metric:deals from:2026-12-01 to:2027-12-01', "at most a year: end it by 2027-11-30"),
        ('new "X" metric:deals from:2026-12-01 to:2026-12-32', "`to:2026-12-32` is not a date"),
        ('new "X" metric:deals from:2026-12-01', "Add `to:`"),
        ("new metric:deals from:2026-12-01 to:2026-12-02", "Give the contest a name"),
        ('new "X" metric:deals from:2026-12-01 to:2026-12-02 team:sales', "`team:sales` is not a team"),
        ('new "X" metric:deals from:2026-12-01 to:2026-12-02 team:manager', "`team:manager` is not a team"),
        (f'new "{"n" * 201}" metric:deals from:2026-12-01 to:2026-12-02', "name is too long"),
        (f'new "X" metric:deals from:2026-12-01 to:2026-12-02 prize:{"p" * 201}', "prize is too long"),
        ('new "<!channel>" metric:oops from:2026-12-01 to:2026-12-02', "`oops`"),
        ("launch", "I don't know `launch`"),
    ]
    for text, message in cases:
        reply = await create(app, text)
        assert message in reply, (text, reply)
        assert ":warning:" in reply
    assert "`/contest new" in await create(app, "help")
    assert await count_contests(app.db) == 0
    await app.fake.settle()
    assert app.fake.calls_to("chat.postMessage") == []


async def test_live_standings_share_ranks_on_ties(app):
    _, members = await seed_people(app)
    await create(app)
    await create(app, 'new "Team December" metric:revenue from:2026-12-01 to:2026-12-31 team:account-manager')
    await create(app, 'new "Kudos &amp; <!here> January" metric:kudos from:2027-01-01 to:2027-01-31')
    await seed_december(app, members)
    individual, team, upcoming = await contests(app.db)
    with time_machine.travel(DURING, tick=True):
        reply = await app.send.command("/contest", "", user="U0002")  # anyone may look
        one = await app.send.command("/contest", str(individual.id), user="U0004")
    blocks = reply.json["blocks"]
    assert standings_lines(blocks, individual.id) == [
        "*1.* <@U0002> · $500.00",
        "*1.* <@U0003> · $500.00",
        "*3.* <@U0004> · $250.00",
    ]
    assert standings_lines(blocks, team.id) == ["*1.* Reps · $750.00", "*2.* Account managers · $500.00"]
    texts = str(blocks)
    assert "running until Dec 31, 2026" in texts and "Prize: Team dinner" in texts
    assert "*Kudos &amp; &lt;!here&gt; January*" in texts and "starts Jan 1, 2027" in texts
    assert f"contest_{upcoming.id}_standings" not in texts  # no standings before it starts
    assert standings_lines(one.json["blocks"], individual.id) == standings_lines(blocks, individual.id)
    assert f"contest_{team.id}" not in str(one.json["blocks"])


async def test_unknown_and_other_workspaces_contests_are_not_shown(app):
    await seed_people(app)
    app.fake.add_user("U0001", is_admin=True)
    await create(app, team="T0002")  # the same admin, in another workspace
    [theirs] = await contests(app.db)
    with time_machine.travel(DURING, tick=True):
        reply = await app.send.command("/contest", str(theirs.id))
        listing = await app.send.command("/contest", "")
    assert f"There is no contest #{theirs.id}" in reply.text
    assert "No contests are running or coming up" in listing.text


async def test_chinese_members_read_chinese(app):
    await seed_people(app)
    app.fake.add_user("U0002", locale="zh-CN")
    async with app.db.session() as session:
        await session.execute(update(Member).where(Member.slack_user_id == "U0002").values(locale="zh-CN"))
    text = await create(app, user="U0002")
    assert "只有经理和工作区管理员可以这样做" in text
