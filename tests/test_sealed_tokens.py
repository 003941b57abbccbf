"""Issue 17, item 10: Slack tokens at rest are encrypted with DEALBELL_SECRET_KEY. Installed through the
real OAuth flow against the fake Slack, the rows read raw from the database; rotation through the CLI."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, update

from bot import cli
from bot.settings import Settings
from storage.models import slack_bots, slack_installations
from storage.secrets import SEALED, TOKEN_COLUMNS_BY_NAME, SecretKeyError, TokenCipher
from tests.oauth_app import OAUTH, OAuthApp, running_oauth_app

KEY = OAUTH["dealbell_secret_key"]
TABLES = (slack_installations, slack_bots)


@pytest.fixture
async def oauth_app(db, database_url, fake_slack) -> AsyncIterator[OAuthApp]:
    async with running_oauth_app(db, database_url, fake_slack) as running:
        yield running


async def raw_rows(db) -> list[dict]:
    """Every row of both token tables as the database holds it (no decryption)."""
    async with db.session() as session:
        return [dict(row._mapping) for table in TABLES for row in await session.execute(select(table))]


def issued_tokens(app: OAuthApp) -> set[str]:
    """The bot and refresh tokens the fake Slack handed out (oauth.v2.access) and still honours."""
    return set(app.fake.token_teams) | set(app.fake.refresh_tokens)


async def deal_reaches_slack_with(app: OAuthApp, team: str) -> str:
    before = len(app.fake.calls_to("chat.postMessage"))
    await app.send.command("/deal", "won 5k Initech", team=team)
    posted = await app.fake.wait_for("chat.postMessage", count=before + 1)
    return posted[-1].token


async def store_plain(db) -> None:
    """Turn the stored tokens back into plain text, as an install before encryption left them."""
    cipher = TokenCipher.from_setting(KEY)
    async with db.session() as session:
        for table in TABLES:
            columns = TOKEN_COLUMNS_BY_NAME[table.name]
            for row in (await session.execute(select(table))).all():
                plain = {c: cipher.open(getattr(row, c)) for c in columns}
                await session.execute(update(table).where(table.c.id == row.id).values(**plain))


async def rotate(app: OAuthApp, keys: str) -> int:
    """`dealbell secrets rotate` with DEALBELL_SECRET_KEY=keys."""
    return await cli.secrets_rotate(app.settings.model_copy(update={"dealbell_secret_key": keys}))


def no_token_in(rows: list[dict], tokens: set[str]) -> bool:
    text = repr(rows)
    return "xox" not in text and not any(token in text for token in tokens)


async def test_no_token_is_stored_in_plain_text_and_requests_still_use_it(oauth_app):
    assert (await oauth_app.install("T0002"))[0] == 200
    tokens = issued_tokens(oauth_app)
    assert tokens  # the fake handed out a bot token and a refresh token
    rows = await raw_rows(oauth_app.db)
    assert len(rows) == 2  # one installation, one bot
    assert no_token_in(rows, tokens)
    assert all(row["bot_token"].startswith(SEALED) for row in rows)
    assert await deal_reaches_slack_with(oauth_app, "T0002") in tokens


async def test_plain_rows_stay_readable_and_rotate_encrypts_them(oauth_app, capsys):
    await oauth_app.install("T0002")
    tokens = issued_tokens(oauth_app)
    await store_plain(oauth_app.db)
    assert not no_token_in(await raw_rows(oauth_app.db), tokens)
    assert await deal_reaches_slack_with(oauth_app, "T0002") in tokens  # an old plain row still works

    assert await rotate(oauth_app, KEY) == 0
    assert "2 rows" in capsys.readouterr().out
    assert no_token_in(await raw_rows(oauth_app.db), tokens)
    assert await deal_reaches_slack_with(oauth_app, "T0002") in tokens


async def test_rotate_moves_the_tokens_to_the_new_key_given_new_then_old(oauth_app, capsys):
    await oauth_app.install("T0002")
    before = await raw_rows(oauth_app.db)

    assert await rotate(oauth_app, "a-key-nobody-used") == 1  # the old key left out: refused
    assert "new,old" in capsys.readouterr().err
    assert await raw_rows(oauth_app.db) == before  # nothing changed

    assert await rotate(oauth_app, f"brand-new-key,{KEY}") == 0
    after = await raw_rows(oauth_app.db)
    new_only, old_only = TokenCipher.from_setting("brand-new-key"), TokenCipher.from_setting(KEY)
    for old_row, new_row in zip(before, after, strict=True):
        assert new_only.open(new_row["bot_token"]) == old_only.open(old_row["bot_token"])
        with pytest.raises(SecretKeyError):
            old_only.open(new_row["bot_token"])


def test_oauth_mode_without_a_secret_key_does_not_start(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DEALBELL_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in OAUTH.items():
        if name != "dealbell_secret_key":
            monkeypatch.setenv(name.upper(), value)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    assert cli.main(["run", "--http"]) == 2
    err = capsys.readouterr().err
    assert "DEALBELL_SECRET_KEY" in err and "encrypts the stored Slack tokens" in err
    assert not (tmp_path / "dealbell.db").exists()  # refused before anything was written


async def test_single_workspace_mode_stores_no_token_and_needs_no_key(app):
    assert app.settings.dealbell_secret_key is None
    await app.send.command("/deal", "won 5k Initech")
    assert (await app.fake.wait_for("chat.postMessage"))[0].token == "xoxb-test-token"
    assert await raw_rows(app.db) == []


def test_while_rotating_the_feedback_key_is_the_current_key():
    """Anonymous-feedback hashes and Reply links use the first key of `new,old`, not the whole list."""
    assert Settings(_env_file=None, dealbell_secret_key="new-key, old-key").secret_key == b"new-key"  # type: ignore[call-arg]
