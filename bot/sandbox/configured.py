"""`python -m bot.sandbox.configured`: exit 0 when any Slack setting is configured (environment or .env).

`make run` starts `dealbell run` then (which names whatever is still missing), else the sandbox.
"""

from __future__ import annotations

import sys

from bot.settings import SettingsError, load_settings

SLACK_SETTINGS = (
    "slack_bot_token",
    "slack_signing_secret",
    "slack_app_token",
    "slack_client_id",
    "slack_client_secret",
)


def slack_configured() -> bool:
    try:
        settings = load_settings()
    except SettingsError:
        return True  # malformed settings: `dealbell run` says which
    return any(getattr(settings, name, None) for name in SLACK_SETTINGS)


if __name__ == "__main__":
    sys.exit(0 if slack_configured() else 1)
