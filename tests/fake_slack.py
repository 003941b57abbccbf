"""The tests' fake Slack: the sandbox's (bot.sandbox.fake_slack), as strict as Slack, granting exactly the
bot scopes manifest.yml asks for. A test whose bot sent something Slack would refuse (a method without
its scope, invalid Block Kit) fails when its fake stops, unless it expected that and cleared `refusals`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from bot.sandbox import fake_slack
from bot.sandbox.fake_slack import BOT_USER, TEAM_ID, Call, Refusal, default_user

MANIFEST = Path(__file__).resolve().parent.parent / "manifest.yml"


def manifest_bot_scopes(manifest: Path = MANIFEST) -> tuple[str, ...]:
    """The bot scopes a manifest asks for (oauth_config.scopes.bot)."""
    return tuple(yaml.safe_load(manifest.read_text())["oauth_config"]["scopes"]["bot"])


# Seconds a test waits for a Slack call before failing: generous, since only a failing test waits it
# out, and on a busy machine the work after an ack can take seconds to get its turn.
WAIT_CEILING = 30.0


class FakeSlack(fake_slack.FakeSlack):
    def __init__(self, scopes: Iterable[str] | None = None, manifest: Path = MANIFEST) -> None:
        super().__init__(manifest_bot_scopes(manifest) if scopes is None else scopes)

    async def wait_for(self, method: str, count: int = 1, timeout: float = WAIT_CEILING) -> list[Call]:
        return await super().wait_for(method, count, timeout)

    async def stop(self) -> None:
        await super().stop()
        assert not self.refusals, f"Slack would have refused what the bot sent: {self.refusals}"


__all__ = [
    "BOT_USER",
    "MANIFEST",
    "TEAM_ID",
    "Call",
    "FakeSlack",
    "Refusal",
    "default_user",
    "manifest_bot_scopes",
]
