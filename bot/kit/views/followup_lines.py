"""Reading what the DM's buttons and blocks carry (pure: no Slack, no database).

A button's value is "<kind>:<id>:<DM date>", e.g. "c:12:2026-03-10" for a customer line or
"d:7:2026-03-10" for a deal line; a line's blocks are named "followup_item:<kind>:<id>" and
"followup_actions:<kind>:<id>".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from storage.followups import CUSTOMER, DEAL, FollowUpError, Target

ITEM_BLOCK = "followup_item:"
ACTIONS_BLOCK = "followup_actions:"
MAX_ID = 2**63 - 1

_TARGET = re.compile(rf"({CUSTOMER}|{DEAL}):([1-9][0-9]{{0,18}})")
_VALUE = re.compile(rf"({CUSTOMER}|{DEAL}):([1-9][0-9]{{0,18}}):([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})")


def button_value(target: Target, day: dt.date) -> str:
    return f"{target.key}:{day.isoformat()}"


def parse_target(text: str) -> Target | None:
    match = _TARGET.fullmatch(text)
    if match is None or int(match[2]) > MAX_ID:
        return None
    return Target(match[1], int(match[2]))


def parse_value(value: str) -> tuple[Target, dt.date]:
    """The line a button is for and the date of the DM it is in; a mangled value is "not found"."""
    match = _VALUE.fullmatch(value or "")
    if match is None or int(match[2]) > MAX_ID:
        raise FollowUpError("followups.error.not_found")
    try:
        day = dt.date.fromisoformat(match[3])
    except ValueError:
        raise FollowUpError("followups.error.not_found") from None
    return Target(match[1], int(match[2])), day


def targets_in(blocks: Iterable[dict[str, Any]]) -> list[Target]:
    """The lines of a DM, in order, from its blocks (as Slack sends the message back on a click)."""
    found: list[Target] = []
    for block in blocks:
        block_id = str(block.get("block_id") or "")
        if block_id.startswith(ITEM_BLOCK):
            target = parse_target(block_id.removeprefix(ITEM_BLOCK))
            if target is not None and target not in found:
                found.append(target)
    return found
