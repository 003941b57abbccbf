"""Slack re-delivers an event it thinks failed, with X-Slack-Retry-Num 1..3 and the same event_id.

For every event type dealbell listens to, the original and its three retries, one after another or
all at once, record the effect once: the same rows and the same Slack calls as the original alone.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from handlers.features import discover
from tests.reliability.effects import changed, row_counts, settled, slack_writes

RETRIES = (1, 2, 3)
MESSAGE = ("C0001", "1800000000.000200")


async def meet(app, *users: str) -> None:
    """Seen before: the first request of a workspace or member creates its row, which is not the event's."""
    for user in users:
        await settled(app.send.command("/kudos", "help", user=user))


async def clapped_message(app) -> None:
    await meet(app, "U0003", "U0004")
    app.fake.add_message(*MESSAGE, "U0003", "Closed Initech")


async def clap_then_unclap(app) -> None:
    await clapped_message(app)
    await settled(app.send.event("event_reaction_added", event_id="EvCLAP"))


async def team_channel(app) -> None:
    app.fake.add_user("U0001", is_admin=True)
    await settled(app.send.command("/dealbell", "channels team <#C0TEAM|team>"))
    await meet(app, "U0009")


async def departing_user(app) -> None:
    await meet(app, "U0002")


async def home_user(app) -> None:
    await meet(app, "U0001")


@dataclass(frozen=True)
class Case:
    payload: str  # tests/payloads/<payload>.json
    setup: Callable[[Any], Awaitable[None]]
    fields: dict[str, Any] = field(default_factory=dict)
    # What one delivery does: rows added (by table) and Slack calls made (by method).
    rows: dict[str, int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    warnings: int = 0  # log lines at WARNING from the listener (all an uninstall does with one token)


# Every `app.event(...)` in handlers/ (test_every_handled_event_type_has_a_case keeps this complete).
CASES = {
    "reaction_added": Case(
        "event_reaction_added",
        clapped_message,
        rows={"kudos_gives": 1, "kudos": 1, "points_ledger": 1, "kudos_reaction_states": 1},
        calls={"chat.postMessage": 1, "chat.postEphemeral": 1},
    ),
    "reaction_removed": Case(
        "event_reaction_removed",
        clap_then_unclap,
        rows={"kudos_gives": -1, "kudos": -1, "points_ledger": 1},  # the points reversed
        calls={"chat.delete": 1},
    ),
    "member_joined_channel": Case(
        "event_member_joined_channel",
        team_channel,
        {"user": "U0009", "channel": "C0TEAM"},
        calls={"chat.postMessage": 1},
    ),
    "app_home_opened": Case("event_app_home_opened", home_user, calls={"views.publish": 1}),
    "user_change": Case("event_user_change", departing_user),  # updates the member row only
    # No payload file for these two: the app_home_opened envelope carries their event.
    "app_uninstalled": Case("event_app_home_opened", home_user, {"type": "app_uninstalled"}, warnings=1),
    "tokens_revoked": Case(
        "event_app_home_opened",
        home_user,
        {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}},
        warnings=1,
    ),
}


def test_every_handled_event_type_has_a_case():
    registered = {event for feature in discover() for event in feature.events}
    assert registered == set(CASES)


async def deliver(app, case: Case, retry_num: int | None) -> None:
    reply = await app.send.event(case.payload, event_id="EvRETRIED", retry_num=retry_num, **case.fields)
    assert reply.status == 200, reply.text


@pytest.mark.parametrize("together", [False, True], ids=["one-after-another", "all-at-once"])
@pytest.mark.parametrize("name", list(CASES))
async def test_an_event_and_its_retries_are_recorded_once(app, name, together, caplog):
    case = CASES[name]
    await case.setup(app)
    caplog.set_level(logging.WARNING, logger="handlers")
    rows_before, calls_before = await row_counts(app.db), len(app.fake.calls)

    if together:
        await settled(deliver(app, case, None), *(deliver(app, case, n) for n in RETRIES), together=True)
    else:
        await settled(deliver(app, case, None))
        once = await row_counts(app.db), slack_writes(app.fake, calls_before)
        await settled(*(deliver(app, case, n) for n in RETRIES))

    rows_after = await row_counts(app.db)
    made = slack_writes(app.fake, calls_before)
    if not together:
        assert (rows_after, made) == once
    table_changes = changed(rows_before, rows_after)
    table_changes.pop("processed_events", None)  # the event id itself, kept to spot the retries
    assert table_changes == case.rows
    by_method: dict[str, int] = {}
    for (method, _where), count in made.items():
        by_method[method] = by_method.get(method, 0) + count
    assert by_method == case.calls
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name.startswith("handlers")]
    assert len(warnings) == case.warnings
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
