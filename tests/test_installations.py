"""OAuth: installing into many workspaces through Bolt's flow against the fake Slack's oauth.v2.access,
tokens in dealbell's own database, token rotation, uninstall and revoked tokens, and the purge."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

import aiohttp
import pytest
import yaml
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, func, select

from bot import cli
from bot.installations import BOT_SCOPES, Installations, NotInstalled
from bot.server import job_services
from storage.models import Base, Deal, KudosGive, Workspace, slack_bots, slack_installations
from storage.secrets import TOKEN_COLUMNS_BY_NAME, TokenCipher
from storage.workspaces import get_workspace
from tests.oauth_app import OAUTH, OAuthApp, running_oauth_app


@pytest.fixture
async def oauth_app(db, database_url, fake_slack) -> AsyncIterator[OAuthApp]:
    async with running_oauth_app(db, database_url, fake_slack) as running:
        yield running


async def bot_rows(db, team: str) -> list[SimpleNamespace]:
    """The workspace's rows of slack_bots, tokens decrypted (they are stored encrypted)."""
    cipher = TokenCipher.from_setting(OAUTH["dealbell_secret_key"])
    sealed = TOKEN_COLUMNS_BY_NAME["slack_bots"]
    async with db.session() as session:
        rows = (await session.execute(select(slack_bots).where(slack_bots.c.team_id == team))).all()
    return [
        SimpleNamespace(**{k: cipher.open(v) if k in sealed else v for k, v in row._mapping.items()})
        for row in rows
    ]


async def test_install_stores_the_token_and_requests_from_that_workspace_use_it(oauth_app):
    status, page = await oauth_app.install("T0002")
    assert status == 200, page
    exchange = oauth_app.fake.calls_to("oauth.v2.access")
    assert len(exchange) == 1
    assert exchange[0].args["code"] == "code-T0002"
    (bot,) = await bot_rows(oauth_app.db, "T0002")
    assert bot.bot_token.startswith("xoxe.xoxb-T0002-") and bot.bot_refresh_token
    async with oauth_app.db.session() as session:
        workspace = await get_workspace(session, "T0002")
    assert workspace is not None and workspace.uninstalled_at is None  # known at once: its jobs start

    reply = await oauth_app.send.command("/deal", "won 5k Initech", team="T0002")
    assert reply.status == 200
    posted = await oauth_app.fake.wait_for("chat.postMessage")
    assert posted[0].token == bot.bot_token
    assert {c.token for c in oauth_app.fake.calls if c.method != "oauth.v2.access"} == {bot.bot_token}


async def test_each_workspace_gets_its_own_token(oauth_app):
    for team in ("T0002", "T0003"):
        assert (await oauth_app.install(team))[0] == 200
    await oauth_app.send.command("/kudos", "<@U0009|u0009> thanks for the demo", team="T0003")
    await oauth_app.fake.settle()
    (t3,) = await bot_rows(oauth_app.db, "T0003")
    used = {c.token for c in oauth_app.fake.calls if c.method not in ("oauth.v2.access", "auth.test")}
    assert used == {t3.bot_token}


async def test_a_forged_or_replayed_state_installs_nothing(oauth_app):
    async with aiohttp.ClientSession() as browser:
        state, cookie = await oauth_app.start_install(browser)
        raw = state.rpartition(".")[0]
        oauth_app.fake.grant_install("code-x", "T0666")
        for forged in (f"{raw}.{'0' * 32}", raw, "made-up"):
            status, _page = await oauth_app.come_back(
                browser, "code-x", forged, f"slack-app-oauth-state={forged}"
            )
            assert status >= 400
        assert oauth_app.fake.calls_to("oauth.v2.access") == []
        assert (await oauth_app.come_back(browser, "code-x", state, cookie))[0] == 200
        assert (await oauth_app.come_back(browser, "code-x", state, cookie))[0] >= 400  # a state is good once
    assert len(await bot_rows(oauth_app.db, "T0666")) == 1


async def test_expiring_tokens_are_rotated_for_requests_and_for_jobs(oauth_app):
    oauth_app.fake.token_lifetime = 60  # expires within Bolt's two-hour margin: rotate before use
    await oauth_app.install("T0002")
    (first,) = await bot_rows(oauth_app.db, "T0002")

    await oauth_app.send.command("/deal", "won 5k Initech", team="T0002")
    posted = await oauth_app.fake.wait_for("chat.postMessage")
    (second,) = await bot_rows(oauth_app.db, "T0002")
    refreshes = [
        c for c in oauth_app.fake.calls_to("oauth.v2.access") if c.args.get("grant_type") == "refresh_token"
    ]
    assert refreshes and refreshes[0].args["refresh_token"] == first.bot_refresh_token
    assert second.bot_token != first.bot_token and posted[0].token == second.bot_token

    async with oauth_app.db.session() as session:
        workspace = await get_workspace(session, "T0002")
    client = job_services(oauth_app.settings, oauth_app.db).client_for(workspace)
    await client.chat_postMessage(channel="C0001", text="from a job")
    (third,) = await bot_rows(oauth_app.db, "T0002")
    assert third.bot_token != second.bot_token  # the job rotated the (again expiring) token itself
    assert oauth_app.fake.calls_to("chat.postMessage")[-1].token == third.bot_token


async def test_uninstall_deletes_that_workspaces_tokens_only_and_stops_its_jobs(oauth_app):
    for team in ("T0002", "T0003"):
        await oauth_app.install(team)
    assert await oauth_app.lifecycle_event("T0002", {"type": "app_uninstalled"}) == 200
    await oauth_app.fake.settle()
    assert await bot_rows(oauth_app.db, "T0002") == []
    async with oauth_app.db.session() as session:
        left = (await session.execute(select(slack_installations.c.team_id))).scalars().all()
        gone = await get_workspace(session, "T0002")
        kept = await get_workspace(session, "T0003")
    assert left == ["T0003"]
    assert gone.uninstalled_at is not None and kept.uninstalled_at is None
    with pytest.raises(NotInstalled):
        await Installations(oauth_app.settings, oauth_app.db).bot_token("T0002", None)

    await oauth_app.install("T0002", code="again")  # installing again brings it back
    async with oauth_app.db.session() as session:
        assert (await get_workspace(session, "T0002")).uninstalled_at is None


async def test_revoked_bot_token_is_deleted(oauth_app):
    await oauth_app.install("T0002")
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}
    assert await oauth_app.lifecycle_event("T0002", event) == 200
    await oauth_app.fake.settle()
    assert await bot_rows(oauth_app.db, "T0002") == []


async def test_purge_deletes_one_workspaces_data_and_tokens(oauth_app, monkeypatch, capsys):
    for team in ("T0002", "T0003"):
        await oauth_app.install(team)
        await oauth_app.send.command("/deal", "won 5k Initech", team=team)
        await oauth_app.send.command("/kudos", "<@U0009|u0009> thanks for the demo #teamwork", team=team)
    await oauth_app.fake.settle()
    monkeypatch.setenv("DATABASE_URL", str(oauth_app.settings.database_url))

    async def counts() -> dict[str, int]:
        async with oauth_app.db.session() as session:
            return {
                team: sum([
                    await session.scalar(select(func.count()).select_from(Deal).join(Workspace).where(Workspace.team_id == team)),
                    await session.scalar(select(func.count()).select_from(KudosGive).join(Workspace).where(Workspace.team_id == team)),
                    len((await session.execute(select(slack_bots).where(slack_bots.c.team_id == team))).all()),
                ])
                for team in ("T0002", "T0003")
            }  # fmt: skip

    before = await counts()
    assert before["T0002"] == before["T0003"] == 3
    assert await cli.workspace_purge(oauth_app.settings, "T0002", None, yes=False) == 0
    assert "would delete" in capsys.readouterr().out
    assert await counts() == before  # without --yes nothing goes

    assert await cli.workspace_purge(oauth_app.settings, "T0002", None, yes=True) == 0
    assert await counts() == {"T0002": 0, "T0003": 3}
    async with oauth_app.db.session() as session:
        assert await get_workspace(session, "T0002") is None
        for table in Base.metadata.sorted_tables:  # no row anywhere still points at the purged workspace
            if "workspace_id" in table.c:
                ids = set((await session.execute(select(table.c.workspace_id))).scalars())
                assert ids <= {(await get_workspace(session, "T0003")).id}, table.name
    assert await cli.workspace_purge(oauth_app.settings, "T0002", None, yes=True) == 1


async def test_single_workspace_mode_serves_no_install_pages(app):
    async with aiohttp.ClientSession() as browser, browser.get(f"{app.url}/slack/install") as page:
        assert page.status == 404
    reply = await app.send.command("/deal", "won 5k Initech")
    assert reply.status == 200
    assert (await app.fake.wait_for("chat.postMessage"))[0].token == "xoxb-test-token"


def test_oauth_settings_missing_one_are_named(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_CLIENT_ID", "111.222")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    assert cli.main(["run", "--http"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_CLIENT_SECRET" in err and "SLACK_STATE_SECRET" in err and "SLACK_BOT_TOKEN" not in err


def test_install_scopes_are_the_manifests(repo_root):
    manifest = yaml.safe_load((repo_root / "manifest.yml").read_text())
    assert sorted(BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])


def test_oauth_tables_match_slack_sdks_own_definitions():
    """slack_sdk's stores read and write these tables; a slack_sdk upgrade that changes them shows here.
    The token columns are TEXT in ours: they hold encrypted tokens (storage/secrets.py)."""
    theirs = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(theirs, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(theirs, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(theirs, "slack_oauth_states")
    for name, table in theirs.tables.items():
        ours = Base.metadata.tables[name]
        sealed = TOKEN_COLUMNS_BY_NAME.get(name, ())
        assert [(c.name, repr(c.type), c.nullable) for c in ours.columns] == [
            (c.name, "Text()" if c.name in sealed else repr(c.type), c.nullable) for c in table.columns
        ], name
