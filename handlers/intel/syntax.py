"""The `/intel` text, parsed without Slack: `/intel Globex "launched a cheaper tier"` or `/intel Globex`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kit.blocks import unescape
from storage.errors import UserError
from storage.intel import MAX_COMPETITOR, MAX_NOTE, collapse

OPENING_QUOTES = '"“”'  # phones and macOS type curly quotes
CLOSING_QUOTES = '"”“'


class IntelSyntaxError(UserError):
    """`/intel` text that cannot be understood."""


@dataclass(frozen=True)
class IntelCommand:
    verb: str  # "list" (no text), "help", "card" or "note"
    competitor: str = ""
    note: str = ""


def parse_intel_command(text: str) -> IntelCommand:
    """The competitor is everything before the first quote; the note is the quoted rest.

    Both are kept as typed (Slack's `&amp;` `&lt;` `&gt;` undone) and escaped where shown."""
    text = unescape((text or "").strip())
    if not text:
        return IntelCommand(verb="list")
    if text.lower() in ("help", "list"):
        return IntelCommand(verb=text.lower())
    quote = next((i for i, ch in enumerate(text) if ch in OPENING_QUOTES), None)
    name = collapse(text if quote is None else text[:quote])
    if not name:
        raise IntelSyntaxError("intel.error.no_competitor")
    if len(name) > MAX_COMPETITOR:
        raise IntelSyntaxError("intel.error.name_too_long", limit=MAX_COMPETITOR)
    if quote is None:
        return IntelCommand(verb="card", competitor=name)
    note = text[quote + 1 :].strip()
    if note and note[-1] in CLOSING_QUOTES:
        note = note[:-1].strip()
    if not note:
        raise IntelSyntaxError("intel.error.empty_note", competitor=name)
    if len(note) > MAX_NOTE:
        raise IntelSyntaxError("intel.error.note_too_long", limit=MAX_NOTE, length=len(note))
    return IntelCommand(verb="note", competitor=name, note=note)
