"""Slack's mrkdwn emphasis next to Chinese text: one rule, applied to every message (pure functions).

Slack makes `*word*` bold (and `~word~` struck through) only when the opening `*` follows the start of the line, a space or ASCII
punctuation, and the closing `*` is followed by the end, a space or ASCII punctuation. Chinese text
puts full-width punctuation and ideographs right against the marks (`已记录商机：*Globex*，二期`), and
Slack then shows the asterisks literally. A zero-width space (U+200B) counts as a boundary for Slack
and is invisible, so one goes between a mark and such a neighbour; nothing else changes, and text
that already has its boundaries (most English) comes out as it went in.
"""

from __future__ import annotations

import re
import string

ZERO_WIDTH_SPACE = "\u200b"

# A code span (left alone: Slack shows a `*` inside one as it is), or a `*…*` (bold) or `~…~`
# (strike-through) pair on one line whose inside starts and ends with a non-space (Slack's condition);
# a pair may hold code spans. (`_…_` is left out: emoji names like :white_check_mark: hold underscores.)
_SPAN = re.compile(r"`[^`\n]*`|([*~])(?=[^\s*~])(?:`[^`\n]*`|(?!\1)[^\n`])*?(?<=[^\s*~])\1")
_BOUNDARY = frozenset(string.whitespace + string.punctuation + ZERO_WIDTH_SPACE)


def needs_boundary(neighbour: str) -> bool:
    """Whether a `*` beside this character (empty: the start or end of the text) lacks Slack's boundary."""
    return bool(neighbour) and neighbour not in _BOUNDARY


def slack_emphasis(text: str) -> str:
    """`text` with a zero-width space wherever a bold mark lacks Slack's boundary (a letter or
    full-width punctuation right against it)."""
    if "*" not in text and "~" not in text:
        return text
    pieces: list[str] = []
    last = 0
    for match in _SPAN.finditer(text):
        start, end = match.span()
        if text[start] == "`":
            continue
        before, after = text[start - 1 : start], text[end : end + 1]
        pieces.append(text[last:start])
        if needs_boundary(before):
            pieces.append(ZERO_WIDTH_SPACE)
        pieces.append(match.group(0))
        if needs_boundary(after):
            pieces.append(ZERO_WIDTH_SPACE)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)
