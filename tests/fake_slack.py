"""The tests' fake Slack lives with the sandbox, which reuses it; this keeps the tests' import short."""

from bot.sandbox.fake_slack import BOT_USER, TEAM_ID, Call, FakeSlack, default_user

__all__ = ["BOT_USER", "TEAM_ID", "Call", "FakeSlack", "default_user"]
