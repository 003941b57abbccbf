"""The REST API against the running app: tokens, tenants, pages, idempotency, parity with `/deal`."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import func, select

from bot import cli
from storage.models import Deal
from tests.api.conftest import ApiApp, create_token

WON = {"owner": "U0001", "customer": "Acme", "amount": "12.5k", "title": "Annual licence", "stage": "won"}


async def deal_count(app: ApiApp) -> int:
    async with app.db.session() as session:
        return await session.scalar(select(func.count()).select_from(Deal))


def is_problem(reply, status: int) -> bool:
    return (
        reply.status == status
        and reply.headers["Content-Type"].startswith("application/problem+json")
        and reply.body["status"] == status
        and reply.body["title"]
    )


async def test_no_token_a_wrong_one_a_revoked_one_and_a_read_token_writing_are_refused(api_app: ApiApp):
    assert is_problem(await api_app.api.as_(None).get("/deals"), 401)
    assert is_problem(await api_app.api.as_("dbk_not-a-real-token").get("/deals"), 401)
    assert is_problem(await api_app.api.as_("xoxb-a-slack-token").get("/deals"), 401)
    assert (await api_app.read.get("/deals")).status == 200
    refused = await api_app.read.post("/deals", WON)
    assert is_problem(refused, 403) and "scope:write" in refused.body["detail"]
    assert await deal_count(api_app) == 0

    revoked = await api_app.send.command("/dealbell", "api tokens revoke bi")
    assert "revoked" in revoked.text
    assert is_problem(await api_app.read.get("/deals"), 401)
    listing = await api_app.send.command("/dealbell", "api tokens")
    assert "`ci` (write)" in listing.text and "`bi`" not in listing.text


async def test_only_workspace_admins_make_tokens_and_the_secret_is_not_stored(api_app: ApiApp):
    reply = await api_app.send.command("/dealbell", "api tokens create mine scope:write", user="U0002")
    assert "Only workspace admins and owners" in reply.text and "dbk_" not in reply.text
    async with api_app.db.session() as session:
        stored = await session.execute(select(func.count()).select_from(Deal))
        assert stored.scalar() == 0
        from storage.models import ApiToken

        hashes = (await session.scalars(select(ApiToken.token_hash))).all()
    assert api_app.api.token not in hashes and len(hashes) == 2


async def test_a_token_of_another_workspace_gets_404_for_its_ids_and_never_its_rows(api_app: ApiApp):
    api_app.fake.add_user("U0900", is_admin=True)
    other = api_app.api.as_(await create_token(api_app.send, "theirs", "write", team="T0002", user="U0900"))
    theirs = await other.post("/deals", {**WON, "owner": "U0900", "customer": "Secret Corp"})
    assert theirs.status == 201
    ours = await api_app.api.post("/deals", {**WON, "stage": "lead"})
    assert ours.status == 201

    assert is_problem(await api_app.api.get(f"/deals/{theirs.body['id']}"), 404)
    assert is_problem(await api_app.api.patch(f"/deals/{theirs.body['id']}", {"stage": "won"}), 404)
    listed = await api_app.api.get("/deals")
    assert [d["customer"] for d in listed.body["items"]] == ["Acme"]
    assert "U0900" not in str((await api_app.api.get("/members")).body)
    assert is_problem(await api_app.api.post("/deals", {**WON, "owner": "U0900"}), 404)  # their member
    assert (await other.get(f"/deals/{theirs.body['id']}")).body["customer"] == "Secret Corp"


async def test_pages_stay_stable_while_deals_are_inserted(api_app: ApiApp):
    for n in range(5):
        assert (await api_app.api.post("/deals", {**WON, "stage": "lead", "customer": f"C{n}"})).status == 201
    seen, cursor = [], None
    while True:
        page = await api_app.api.get("/deals?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert page.status == 200
        seen += [d["id"] for d in page.body["items"]]
        # someone logs a deal between two pages: it comes after, never twice, never in place of another
        await api_app.send.command("/deal", f"new 1k Inserted{len(seen)}", user="U0002")
        cursor = page.body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(set(seen))
    assert set(range(1, 6)) <= set(seen)


async def test_the_same_idempotency_key_makes_one_deal_and_one_celebration(api_app: ApiApp):
    await api_app.send.command("/dealbell", "channels wins <#C0WINS|wins>")
    first, second = await asyncio.gather(
        api_app.api.post("/deals", WON, Idempotency_Key="order-42"),
        api_app.api.post("/deals", WON, Idempotency_Key="order-42"),
    )
    assert {first.status, second.status} == {201}
    assert first.body == second.body
    assert await deal_count(api_app) == 1
    await api_app.fake.wait_for("chat.postMessage")
    await api_app.fake.settle()
    wins = [c for c in api_app.fake.calls_to("chat.postMessage") if c.args["channel"] == "C0WINS"]
    assert len(wins) == 1 and "Acme" in wins[0].args["text"]

    other_body = await api_app.api.post("/deals", {**WON, "amount": "13k"}, Idempotency_Key="order-42")
    assert is_problem(other_body, 422) and "Idempotency-Key" in other_body.body["detail"]
    assert await deal_count(api_app) == 1


@pytest.mark.parametrize(
    ("field", "value", "command"),
    [
        ("amount", "0", "new 0 Acme"),
        ("amount", "12.345", "new 12.345 Acme"),
        ("customer", "x" * 201, "new 5k " + "x" * 201),
    ],
)
async def test_bad_amounts_and_names_get_the_refusal_deal_gives(api_app: ApiApp, field, value, command):
    refused = await api_app.api.post("/deals", {**WON, field: value})
    slack = await api_app.send.command("/deal", command)
    assert is_problem(refused, 422)
    assert refused.body["detail"].replace("`", "") in slack.text.replace("`", "")
    assert await deal_count(api_app) == 0


async def test_patch_to_won_celebrates_once_and_history_shows_it(api_app: ApiApp):
    await api_app.send.command("/dealbell", "channels wins <#C0WINS|wins>")
    created = await api_app.api.post("/deals", {**WON, "stage": "proposal", "expected_close": "2026-12-20"})
    deal = f"/deals/{created.body['id']}"
    first = await api_app.api.patch(deal, {"stage": "won", "amount": "15k"}, Idempotency_Key="a")
    again = await api_app.api.patch(deal, {"stage": "won"}, Idempotency_Key="b")
    assert first.status == again.status == 200
    assert first.body["stage"] == "won" and first.body["amount"] == {"minor": 1_500_000, "currency": "USD"}
    await api_app.fake.wait_for("chat.postMessage")
    await api_app.fake.settle()
    assert len(api_app.fake.calls_to("chat.postMessage")) == 1
    detail = (await api_app.api.get(deal)).body
    assert [(h["from_stage"], h["to_stage"]) for h in detail["history"]] == [
        (None, "proposal"),
        ("proposal", "won"),
    ]


async def test_external_keys_make_post_an_upsert(api_app: ApiApp):
    body = {**WON, "stage": "lead", "external_source": "zapier", "external_id": "42"}
    first = await api_app.api.post("/deals", body)
    second = await api_app.api.post("/deals", {**body, "stage": "qualified", "amount": "20k"})
    assert (first.status, second.status) == (201, 200)
    assert second.body["id"] == first.body["id"] and second.body["stage"] == "qualified"
    assert await deal_count(api_app) == 1
    assert is_problem(await api_app.api.post("/deals", {**WON, "external_id": "7"}), 422)


async def test_kudos_from_a_named_user_follow_kudos_rules(api_app: ApiApp):
    given = await api_app.api.post(
        "/kudos", {"giver": "U0002", "receivers": ["U0003"], "message": "great demo"}
    )
    assert given.status == 201 and given.body["items"][0]["receiver"]["slack_id"] == "U0003"
    to_self = await api_app.api.post("/kudos", {"giver": "U0002", "receivers": ["U0002"], "message": "me"})
    assert is_problem(to_self, 422)
    listed = await api_app.read.get("/kudos?receiver=U0003&period=week")
    assert [k["message"] for k in listed.body["items"]] == ["great demo"]
    points = await api_app.read.get("/points/U0003")
    assert points.status == 200 and points.body["balance"] == 1
    board = await api_app.read.get("/leaderboards/kudos?period=week")
    assert board.body["rows"] == [{"rank": 1, "slack_id": "U0003", "value": 1}]
    assert (await api_app.read.get("/goals")).body == {"items": []}


async def test_openapi_is_3_1_and_the_docs_page_loads_nothing_from_elsewhere(api_app: ApiApp):
    document = (await api_app.api.as_(None).get("/openapi.json")).body
    assert document["openapi"] == "3.1.0"
    assert {"/api/v1/deals", "/api/v1/deals/{id}", "/api/v1/kudos", "/api/v1/goals"} <= set(document["paths"])
    page = (await api_app.api.as_(None).get("/docs")).body
    assert "/api/v1/deals/{id}" in page
    assert not re.search(r"""(src|href)=['"]?(https?:)?//""", page)


async def test_the_cli_makes_a_token_that_works_and_revokes_it(api_app: ApiApp, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", api_app.settings.database_url)
    args = ["api", "tokens", "create", "--team", "T0001", "--name", "payroll", "--scope", "read"]
    assert await asyncio.to_thread(cli.main, args) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("dbk_")
    assert (await api_app.api.as_(token).get("/members")).status == 200
    assert await asyncio.to_thread(cli.main, [*args[:2], "list", "--team", "T0001"]) == 0
    assert "payroll" in capsys.readouterr().out
    assert (
        await asyncio.to_thread(cli.main, [*args[:2], "revoke", "--team", "T0001", "--name", "payroll"]) == 0
    )
    assert is_problem(await api_app.api.as_(token).get("/members"), 401)
    assert await asyncio.to_thread(cli.main, [*args[:4], "T9999", "--name", "x"]) == 2
