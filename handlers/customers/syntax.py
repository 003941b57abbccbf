"""`/customer` and `/log` text, parsed without Slack.

    /customer add "Acme Corp" segment:potential owner:@li
    /customer Acme
    /log call Acme "discussed renewal" next:2026-12-01 csat:4

Names and notes come back as the person typed them: Slack's `&lt;` `&gt;` `&amp;` are turned back
into `<` `>` `&` (whoever shows them escapes them again).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.kit import command_text
from bot.kit.command_text import LINK, QUOTES, Token
from bot.kit.mentions import USER
from storage.activities import MAX_NOTE
from storage.customers import MAX_NAME, CustomerError
from storage.models import ACTIVITY_KINDS, SEGMENTS

CUSTOMER_OPTIONS = ("segment", "owner")
LOG_OPTIONS = ("next", "csat")
KIND_ALIASES = {"feedback": "customer-feedback"}
CHANNEL = re.compile(r"<#[CGD][A-Z0-9]+(?:\|([^>]*))?>")


class CustomerSyntaxError(CustomerError):
    """`/customer` or `/log` text that cannot be understood; nothing was written."""


@dataclass(frozen=True)
class CustomerCommand:
    verb: str  # "help", "add", "show" or "merge"
    name: str = ""
    segment: str | None = None
    owner: str | None = None  # a Slack user id
    into: str = ""  # merge: the customer `name` is merged into


@dataclass(frozen=True)
class LogTarget:
    """One way to read the words after the kind: this customer, with this note."""

    customer: str
    note: str


@dataclass(frozen=True)
class LogCommand:
    verb: str  # "help" or "log"
    kind: str = ""
    # The possible (customer, note) readings, longest customer first; the first naming a known
    # customer is meant. More than one only when nothing was quoted: `/log call Acme Corp met Jo`.
    targets: tuple[LogTarget, ...] = ()
    next_follow_up: dt.date | None = None
    csat: int | None = None


def unescape(text: str) -> str:
    """Slack's escaping undone, references turned into what the person saw: `<@U1|li>` → `@li`."""
    text = USER.sub(lambda m: "@" + (_label(m.group(0)) or m.group(1)), text)
    text = CHANNEL.sub(lambda m: "#" + (m.group(1) or "channel"), text)
    text = LINK.sub(lambda m: m.group(1), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _label(reference: str) -> str:
    _, _, label = reference[:-1].partition("|")
    return label.lstrip("@")


def tokenize(text: str, option_keys: tuple[str, ...]) -> list[Token]:
    """Words, quoted strings and key:value options (known keys only; other `a:b` stay words)."""
    tokens = command_text.tokens(text, option_keys)
    if any(token.stray_quote for token in tokens):
        raise CustomerSyntaxError("customers.error.unclosed_quote")
    return tokens


def clean_name(text: str) -> str:
    """A customer name: unescaped, whitespace collapsed, 1 to MAX_NAME characters."""
    name = " ".join(unescape(text).split())
    if not name:
        raise CustomerSyntaxError("customers.error.name_missing")
    if len(name) > MAX_NAME:
        raise CustomerSyntaxError("customers.error.name_too_long", limit=MAX_NAME, length=len(name))
    return name


# --- /customer -----------------------------------------------------------------------------------


def parse_customer_command(text: str) -> CustomerCommand:
    text = (text or "").strip()
    if not text:
        return CustomerCommand(verb="help")
    tokens = tokenize(text, CUSTOMER_OPTIONS)
    head = tokens[0]
    if not head.quoted and not head.key and head.text.lower() == "help" and len(tokens) == 1:
        return CustomerCommand(verb="help")
    if not head.quoted and not head.key and head.text.lower() == "add":
        return _parse_add(tokens[1:])
    if not head.quoted and not head.key and head.text.lower() == "merge" and len(tokens) > 1:
        return _parse_merge(tokens[1:])
    options = [t for t in tokens if t.key or USER.fullmatch(t.text)]
    if options:
        raise CustomerSyntaxError(
            "customers.error.options_need_add",
            name=unescape(" ".join(t.text for t in tokens if t not in options)),
        )
    return CustomerCommand(verb="show", name=clean_name(" ".join(t.text for t in tokens)))


def _parse_add(tokens: list[Token]) -> CustomerCommand:
    segment: str | None = None
    owners: list[str] = []
    parts: list[str] = []
    for token in tokens:
        if token.key == "segment":
            segment = token.text.lower()
            if segment not in SEGMENTS:
                raise CustomerSyntaxError(
                    "customers.error.bad_segment", segment=token.text, segments=", ".join(SEGMENTS)
                )
        elif token.key == "owner":
            mention = USER.fullmatch(token.text)
            if mention is None:
                raise CustomerSyntaxError("customers.error.bad_owner", value=unescape(token.text))
            owners.append(mention.group(1))
        elif not token.quoted and (mention := USER.fullmatch(token.text)):
            owners.append(mention.group(1))
        elif not token.quoted and re.fullmatch(r"[A-Za-z]+:\S*", token.text):
            # `segmnet:vip` is a typo far more often than part of a name; quoted names may hold colons.
            raise CustomerSyntaxError(
                "customers.error.unknown_option",
                option=token.text.split(":", 1)[0] + ":",
                options=", ".join(f"{k}:" for k in CUSTOMER_OPTIONS),
            )
        else:
            parts.append(token.text)
    if len(set(owners)) > 1:
        raise CustomerSyntaxError("customers.error.one_owner")
    return CustomerCommand(
        verb="add", name=clean_name(" ".join(parts)), segment=segment, owner=owners[0] if owners else None
    )


def _parse_merge(tokens: list[Token]) -> CustomerCommand:
    """`merge "Acme Crop" into "Acme Corp"`: the first name goes, the second stays."""
    split = next((i for i, t in enumerate(tokens) if not t.quoted and t.text.lower() == "into"), None)
    if split is None or split == 0 or split == len(tokens) - 1:
        raise CustomerSyntaxError("customers.merge.usage")
    return CustomerCommand(
        verb="merge",
        name=clean_name(" ".join(t.text for t in tokens[:split])),
        into=clean_name(" ".join(t.text for t in tokens[split + 1 :])),
    )


# --- /log ----------------------------------------------------------------------------------------


def parse_kind(word: str) -> str:
    kind = word.lower()
    kind = KIND_ALIASES.get(kind, kind)
    if kind not in ACTIVITY_KINDS:
        raise CustomerSyntaxError(
            "customers.error.bad_kind", kind=unescape(word), kinds=", ".join(ACTIVITY_KINDS)
        )
    return kind


def parse_date(value: str) -> dt.date:
    """`next:2026-12-01`; anything but a real date is refused."""
    day = command_text.date_of(value)
    if day is None:
        raise CustomerSyntaxError("customers.error.bad_date", value=unescape(value))
    return day


def parse_csat(value: str) -> int:
    if not re.fullmatch(r"[1-5]", value.strip()):
        raise CustomerSyntaxError("customers.error.bad_csat", value=unescape(value))
    return int(value)


def parse_log_command(text: str) -> LogCommand:
    text = (text or "").strip()
    if not text or text.lower() == "help":
        return LogCommand(verb="help")
    head, _, rest = text.partition(" ")
    if any(q in head for q in QUOTES):
        raise CustomerSyntaxError("customers.error.kind_missing", kinds=", ".join(ACTIVITY_KINDS))
    kind = parse_kind(head)
    tokens = tokenize(rest, LOG_OPTIONS)
    next_follow_up = csat = None
    body: list[Token] = []
    for token in tokens:
        if token.key == "next":
            next_follow_up = parse_date(token.text)
        elif token.key == "csat":
            csat = parse_csat(token.text)
        else:
            body.append(token)
    targets = _targets(body)
    if len(targets) == 1 and len(targets[0].note) > MAX_NOTE:  # other readings: checked once chosen
        raise CustomerSyntaxError(
            "customers.error.note_too_long", limit=MAX_NOTE, length=len(targets[0].note)
        )
    return LogCommand(verb="log", kind=kind, targets=targets, next_follow_up=next_follow_up, csat=csat)


def _join(tokens: list[Token]) -> str:
    return " ".join(unescape(t.text).strip() for t in tokens if t.text.strip())


def _targets(body: list[Token]) -> tuple[LogTarget, ...]:
    """`"New Co" note…` and `Acme Corp "note"` name the customer exactly; `Acme Corp met Jo` does not."""
    if not body or not body[0].text.strip():
        raise CustomerSyntaxError("customers.error.customer_missing")
    if body[0].quoted:
        return (LogTarget(clean_name(body[0].text), _join(body[1:])),)
    first_quote = next((i for i, t in enumerate(body) if t.quoted), None)
    if first_quote is not None:
        return (LogTarget(clean_name(_join(body[:first_quote])), _join(body[first_quote:])),)
    targets = []
    for end in range(len(body), 0, -1):
        name = _join(body[:end])
        if len(name) <= MAX_NAME:
            targets.append(LogTarget(clean_name(name), _join(body[end:])))
    if not targets:
        raise CustomerSyntaxError("customers.error.name_too_long", limit=MAX_NAME, length=len(_join(body)))
    return tuple(targets)
