"""Slash-command text split into its shared pieces, one way for every command.

    /deal won 12k "Acme Corp" close:2026-12-20 notes:"call back" <#C1|wins> <@U1|li>

gives words, quoted strings ("…" or “…”: phones and macOS type curly quotes), `key:value` options
(only the keys a command knows, so `Acme:Labs` stays a word), user mentions and channels, each a
`Token` in the order typed. Dates (`2026-12-01`, `2026-12-1`) and times (`9:30`, `09：30`) are read by
`date_of` and `time_of`. What each command makes of the pieces is its own `syntax` module's job.
The text is Slack's (`should_escape`): references stay `<@U…|name>`; `blocks.unescape` undoes `&amp;`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass

from bot.kit.mentions import CHANNEL, USER

WORD, QUOTED, OPTION, USER_MENTION, CHANNEL_MENTION = "word", "quoted", "option", "user", "channel"
QUOTES = ('"', "“", "”")
LINK = re.compile(r"<((?:https?://|mailto:)[^|>]+)(?:\|[^>]*)?>")  # Slack's <url|label>: group 1 the url

_REFERENCE = rf"{USER.pattern}|{CHANNEL.pattern}"
# key:"quoted" | key:“curly” | key:<reference> | key:value (maybe empty) | "quoted" | “curly” |
# <@U…> | <#C…> | a word. A reference comes whole, even with spaces in its label.
_TOKEN = re.compile(
    "|".join(
        (
            rf"""(?P<key>[A-Za-z]+):(?:"(?P<kq>[^"]*)"|“(?P<kc>[^”]*)”|(?P<kr>{_REFERENCE})|(?P<kv>\S*))""",
            r'"(?P<q>[^"]*)"',
            r"“(?P<c>[^”]*)”",
            rf"(?P<ref>{_REFERENCE})",
            r"(?P<word>\S+)",
        )
    )
)  # not re.VERBOSE: a channel reference's `#` would start a comment
# ASCII digits only: `\d` would take full-width and other scripts' digits, which are not numbers here.
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_TIME = re.compile(r"([0-9]{1,2})[:：]([0-9]{2})")


@dataclass(frozen=True)
class Token:
    kind: str  # WORD, QUOTED, OPTION, USER_MENTION or CHANNEL_MENTION
    text: str  # a quoted string's or an option's value without the quotes; otherwise as typed
    key: str = ""  # an option's name, lower-cased
    ref: str = ""  # the id a mention names (a user, or a channel); for an option whose value is one, too

    @property
    def quoted(self) -> bool:
        return self.kind == QUOTED

    @property
    def stray_quote(self) -> bool:
        """A word holding a quote mark: a quote opened and never closed (or closed never opened)."""
        return self.kind == WORD and any(mark in self.text for mark in QUOTES)


def tokens(text: str, options: Collection[str] = ()) -> list[Token]:
    """The pieces of `text` in order; `key:value` is an option only for the keys in `options`
    (lower-case; matched in any case), otherwise it stays a word as typed. Option values are stripped."""
    found: list[Token] = []
    for match in _TOKEN.finditer(text or ""):
        key = (match["key"] or "").lower()
        if key and key in options:
            value = next(v for v in match.group("kq", "kc", "kr", "kv") if v is not None).strip()
            found.append(Token(OPTION, value, key=key, ref=_ref(match["kr"] or "")))
        elif key:
            found.append(Token(WORD, match.group(0)))
        elif match["q"] is not None or match["c"] is not None:
            found.append(Token(QUOTED, match["q"] if match["q"] is not None else match["c"]))
        elif match["ref"] is not None:
            reference = match["ref"]
            kind = USER_MENTION if USER.fullmatch(reference) else CHANNEL_MENTION
            found.append(Token(kind, reference, ref=_ref(reference)))
        else:
            found.append(Token(WORD, match["word"]))
    return found


def _ref(reference: str) -> str:
    match = USER.fullmatch(reference) or CHANNEL.fullmatch(reference)
    return match.group(1) if match else ""


def date_of(text: str) -> dt.date | None:
    """`2026-12-01` (or `2026-12-1`) as a date; None for anything else, or a day no calendar has."""
    match = _DATE.fullmatch((text or "").strip())
    if match is None:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def time_of(text: str) -> dt.time | None:
    """`9:30`, `09:30` (or with a full-width colon, `09：30`) as a time of day; None otherwise."""
    match = _TIME.fullmatch((text or "").strip())
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return dt.time(int(match.group(1)), int(match.group(2)))
