"""mrkdwn escaping, mention parsing, the catalogue and settings validation."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.kit.blocks import escape
from bot.kit.i18n import CATALOGUE, t
from bot.kit.mentions import channel_id, user_ids
from bot.logs import configure_logging
from bot.settings import SettingsError, load_settings


@given(st.text())
def test_escaped_text_has_no_control_sequences(text):
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert re.sub(r"&(amp|lt|gt);", "", escaped).count("&") == 0
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


def test_mentions():
    assert user_ids("<@U0002|li> <@U0003|sam> and <@U0002>") == ["U0002", "U0003"]
    assert channel_id("wins <#C0WINS|wins>") == "C0WINS"
    assert channel_id("#wins") is None


def test_both_languages_have_the_same_keys_and_placeholders():
    assert set(CATALOGUE["en"]) == set(CATALOGUE["zh"])
    for key, english in CATALOGUE["en"].items():
        assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", CATALOGUE["zh"][key])), key


def test_language_follows_slack_locale():
    assert t("zh-CN", "stage.won") == "赢单"
    assert t("en-US", "stage.won") == t(None, "stage.won") == "Won"


def test_missing_settings_are_named_with_how_to_get_them(monkeypatch):
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(_env_file=None)
    with pytest.raises(SettingsError) as info:
        settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    message = str(info.value)
    assert "SLACK_BOT_TOKEN" in message and "SLACK_SIGNING_SECRET" in message and "manifest.yml" in message


def test_malformed_settings_are_all_reported(monkeypatch):
    monkeypatch.setenv("PORT", "eighty")
    monkeypatch.setenv("DEALBELL_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("DEALBELL_CURRENCY", "XYZ")
    monkeypatch.setenv("SLACK_API_URL", "slack.com/api")
    with pytest.raises(SettingsError) as info:
        load_settings(_env_file=None)
    message = str(info.value)
    for name in ("PORT", "DEALBELL_TIMEZONE", "DEALBELL_CURRENCY", "SLACK_API_URL"):
        assert name in message


def test_defaults(monkeypatch):
    for name in ("DATABASE_URL", "PORT", "SLACK_API_URL", "DEALBELL_TIMEZONE", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite:///dealbell.db"
    assert settings.port == 3000
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.dealbell_timezone == "UTC"


def test_debug_logging_never_turns_on_slack_payload_logs(monkeypatch):
    import logging

    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings(_env_file=None)
    configure_logging(settings)
    try:
        assert logging.getLogger().level == logging.DEBUG
        assert logging.getLogger("slack_sdk").getEffectiveLevel() == logging.INFO
        assert logging.getLogger("slack_bolt").getEffectiveLevel() == logging.INFO
    finally:
        logging.getLogger().setLevel(logging.WARNING)
