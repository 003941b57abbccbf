"""The pages show the digest's, the boards' and the scorecards' own numbers, by role, per workspace, in the
member's language; every table downloads as CSV (the Slack exports' columns where Slack has an export)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import update

from bot.kit.format import money, percent
from storage import leaderboard, metrics, scorecards
from storage.models import KudosGiveValue, Member, Role
from storage.periods import Period
from storage.workspaces import Profile, ensure_workspace, save_member
from tests.factories import DealFactory, give_kudos
from tests.handlers.test_goals import ANA, BOSS, LI, TODAY, utc
from tests.handlers.test_scorecards import seed_scorecards
from tests.web.conftest import sign_in

SHANGHAI = "Asia/Shanghai"


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'<b data-metric="([^"]+)">([^<]*)</b>', html))


def cells(html: str) -> list[list[str]]:
    return [
        re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", html) if "<td>" in row
    ]


async def get(browser, url: str, status: int = 200) -> str:
    async with browser.get(url, allow_redirects=False) as r:
        assert r.status == status, (url, r.status)
        return await r.text()


async def test_the_team_week_shows_the_weekly_digests_numbers(dash, browser):
    workspace, _m = await seed_scorecards(dash)
    async with dash.db.session() as session:
        digest = await metrics.manager_digest(session, workspace.id, "USD", "weekly", TODAY.date(), SHANGHAI)
    await sign_in(dash, browser, BOSS)
    html = await get(browser, f"{dash.url}/app?p=week&at={digest.period.start}")
    assert figures(html) == {
        "won-count": str(metrics.count_of(digest.closed, "won")),
        "lost-count": str(metrics.count_of(digest.closed, "lost")),
        "win-rate": percent(digest.win_rate),
        "cycle-days": "—" if digest.cycle_days is None else str(digest.cycle_days),
        "deals-growth": percent(digest.deals_growth.percent, signed=True),
    }
    assert figures(html)["won-count"] == "3" and figures(html)["lost-count"] == "2"  # seeded: checked by hand
    shown = [row for row in cells(html) if row[0] in digest.revenue_growth]
    assert shown == [
        [code, money(g.now, code, "en"), percent(g.percent, signed=True)]
        for code, g in digest.revenue_growth.items()
    ]


async def test_the_reps_table_is_the_scorecard_team_csv_and_the_boards_are_the_leaderboards(dash, browser):
    workspace, _m = await seed_scorecards(dash)
    async with dash.db.session() as session:
        members = await scorecards.scored_members(session, workspace.id)
        cards = await scorecards.scorecards(session, workspace, members, "month", TODAY)
        expected_csv = scorecards.team_csv(scorecards.ranked(cards, "USD"), "USD")
        week = Period.containing("week", TODAY, SHANGHAI)
        window, previous = week.utc_bounds(SHANGHAI), week.previous().utc_bounds(SHANGHAI)
        [revenue] = await leaderboard.boards(session, workspace, ["revenue"], window, previous)
    await sign_in(dash, browser, BOSS)
    async with browser.get(f"{dash.url}/app/reps.csv?p=month&at=2026-11-18&table=scorecards") as r:
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
        assert await r.read() == expected_csv  # the very file /scorecard team sends in Slack
    html = await get(browser, f"{dash.url}/app/boards?p=week&at={week.start}")
    board = html.split("<h2>")[1]
    assert [row[2] for row in cells(board)] == [money(r.value, "USD", "en") for r in revenue.rows]


async def test_a_rep_sees_their_own_page_and_the_public_boards_but_not_another_reps(dash, browser):
    await seed_scorecards(dash)
    await sign_in(dash, browser, ANA)
    async with browser.get(f"{dash.url}/app", allow_redirects=False) as r:
        assert r.status == 302 and r.headers["Location"] == f"/app/reps/{ANA}"
    assert "Ana" in await get(browser, f"{dash.url}/app/reps/{ANA}?p=month&at=2026-11-18")
    await get(browser, f"{dash.url}/app/reps/{LI}", 403)
    await get(browser, f"{dash.url}/app/reps/{LI}.csv", 403)
    await get(browser, f"{dash.url}/app/reps", 403)
    await get(browser, f"{dash.url}/app/reps.csv", 403)
    await get(browser, f"{dash.url}/app/tv", 403)
    await get(browser, f"{dash.url}/app/boards")


async def test_a_manager_of_another_workspace_sees_none_of_this_ones_numbers(dash, browser):
    await seed_scorecards(dash)
    async with dash.db.session() as session:
        other = await ensure_workspace(session, "T0002")
        boss = await save_member(
            session, other.id, "U0100", Profile(name="olga", real_name="Olga", is_admin=True)
        )
        await session.execute(update(Member).where(Member.id == boss.id).values(role=Role.MANAGER.value))
        await session.commit()
    await sign_in(dash, browser, "U0100", team="T0002")
    await get(browser, f"{dash.url}/app/reps/{LI}", 404)
    for path in ("/app/reps.csv?table=scorecards", "/app/boards?p=month&at=2026-11-18", "/app?p=month&at=2026-11-18",
                 "/app/recognition?p=month&at=2026-11-18", "/app/competitors?p=month&at=2026-11-18"):  # fmt: skip
        body = await get(browser, f"{dash.url}{path}")
        assert LI not in body and "Li" not in re.sub(r"<[^>]+>", " ", body).split(), path
        assert "45,000" not in body and "8,000" not in body, path
    overview = await get(browser, f"{dash.url}/app?p=month&at=2026-11-18")
    assert figures(overview)["won-count"] == "0"


async def test_every_page_answers_in_the_members_language(dash, browser):
    await seed_scorecards(dash)
    async with dash.db.session() as session:
        await session.execute(update(Member).where(Member.slack_user_id == BOSS).values(language="zh"))
        await session.commit()
    await sign_in(dash, browser, BOSS)
    for name in ("", "/boards", "/trends", "/funnel", "/reps", "/recognition", "/competitors", f"/reps/{LI}"):
        html = await get(browser, f"{dash.url}/app{name}?p=month&at=2026-11-18")
        assert '<html lang="zh-Hans">' in html and "退出登录" in html, name
        assert "<script>" not in html  # scripts only from files (the CSP allows no inline script)
    csv_link = re.search(r'href="(/app/competitors\.csv[^"]*)"', html)
    assert csv_link is None  # a rep's page links its own CSV
    html = await get(browser, f"{dash.url}/app/competitors?p=month&at=2026-11-18")
    href = re.search(r'href="(/app/competitors\.csv[^"]*)"', html).group(1).replace("&amp;", "&")
    async with browser.get(f"{dash.url}{href}") as r:
        assert (await r.read()).decode("utf-8-sig").splitlines()[0] == "竞争对手,丢单"


async def test_recognition_shows_who_recognises_whom_and_competitors_the_win_rate_against_each(dash, browser):
    workspace, m = await seed_scorecards(dash)
    async with dash.db.session() as session:
        for stage, competitor in (
            ("won", "Initech"),
            ("lost", "initech "),
            ("lost", "Initech"),
            ("lost", "Globex"),
        ):
            session.add(DealFactory(owner=m[LI], customer=m["customer"], stage=stage, competitor=competitor,
                                    closed_at=utc("2026-11-12T03:00")))  # fmt: skip
        give = await give_kudos(session, m[BOSS], [m[LI], m[ANA]], created_at=utc("2026-11-20T03:00"))
        session.add(KudosGiveValue(give_id=give.id, value="Ownership"))
        await session.commit()
        month = Period.containing("month", TODAY, SHANGHAI).utc_bounds(SHANGHAI)
        received = await leaderboard.kudos_received(session, workspace.id, month)
        lost = await metrics.lost_by_competitor(session, workspace.id, month)
    await sign_in(dash, browser, BOSS)
    html = await get(browser, f"{dash.url}/app/recognition?p=month&at=2026-11-18")
    kudos, flow, values = html.split("<h2>")[1:4]
    assert {row[0]: int(row[1]) for row in cells(kudos)} == {"Li": received[LI], "Ana": received[ANA]}
    assert cells(flow) == [["Boss", "Li", "3"], ["Boss", "Ana", "1"], ["Ana", "Li", "1"], ["Li", "Ana", "1"]]
    assert cells(values) == [["Ownership", "2"]]  # one give to two people
    html = await get(browser, f"{dash.url}/app/competitors?p=month&at=2026-11-18")
    lost_table, rates = html.split("<h2>")[1:3]
    assert [(row[0], int(row[1])) for row in cells(lost_table) if row[0] != "(not named)"] == [
        (name, n) for name, n in lost if name
    ]
    assert cells(rates) == [["Initech", "1", "2", "33.3%"], ["Globex", "0", "1", "0.0%"]]


async def test_trends_are_the_weekly_charts_sums_and_the_pipeline_created(dash, browser):
    workspace, _m = await seed_scorecards(dash)
    await sign_in(dash, browser, BOSS)
    html = await get(browser, f"{dash.url}/app/trends?p=month&at=2026-11-18")
    rows = cells(html)
    assert len(rows) == 52 and rows[-1][0] == "2026-W49"  # the week of Nov 30, the month's last day
    async with dash.db.session() as session:
        weeks = [Period("week", dt.date.fromisoformat(d), dt.date.fromisoformat(d) + dt.timedelta(days=7))
                 for d in ("2026-11-09", "2026-11-16")]  # fmt: skip
        won = await leaderboard.won_per_window(
            session, workspace.id, "USD", [w.utc_bounds(SHANGHAI) for w in weeks]
        )
    shown = {row[0]: row[2] for row in rows}
    assert [shown["2026-W46"], shown["2026-W47"]] == [money(v, "USD", "en") for v in won]
    assert shown["2026-W46"] == "$58,000.00"  # ana $8,000 + the departed rep's $50,000 (the team's revenue)
    created = [row[1] for row in rows if row[1] != "$0.00"]
    assert created == ["$210,999.00"]  # every seeded USD deal was created on 2026-01-01
    html = await get(browser, f"{dash.url}/app/reps/{LI}?p=month&at=2026-11-18")
    li_weeks = {row[0]: row[1] for row in cells(html.split("<h2>")[2])}
    assert li_weeks["2026-W47"] == "$12,000.00" and li_weeks["2026-W46"] == "$0.00"  # only li's own deals


async def test_a_bad_period_is_a_clear_400(dash, browser):
    await seed_scorecards(dash)
    await sign_in(dash, browser, BOSS)
    for path in ("/app?p=custom&from=2026-11-30&to=2026-11-01", f"/app/reps/{LI}?p=custom&from=x&to=y",
                 "/app/trends?p=week&at=2026-13-40"):  # fmt: skip
        async with browser.get(f"{dash.url}{path}") as r:
            assert r.status == 400 and "not valid" in await r.text(), path
    html = await get(browser, f"{dash.url}/app?p=custom&from=2026-11-09&to=2026-11-15")
    assert figures(html)["won-count"] == "3"  # the custom range of the digest's week, the same numbers
