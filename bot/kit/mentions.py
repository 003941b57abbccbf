"""Slack's escaped references in command text (`should_escape: true`): `<@U123|ana>`, `<#C123|wins>`."""

from __future__ import annotations

import re

USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>")


def user_ids(text: str) -> list[str]:
    """Mentioned user ids in order, without repeats."""
    return list(dict.fromkeys(USER.findall(text or "")))


def channel_id(text: str) -> str | None:
    """The first channel reference, if any."""
    match = CHANNEL.search(text or "")
    return match.group(1) if match else None
