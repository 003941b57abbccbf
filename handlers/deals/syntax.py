"""The `/deal` quick syntax, parsed without Slack: `/deal won 12.5k Acme Corp "Annual licence"`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.kit import command_text
from bot.kit.blocks import unescape
from storage.errors import UserError
from storage.models import OPEN_STAGES, Stage
from storage.money import AmountContext, AmountError, Money, take_amount

VERBS = {"new": "new", "add": "new", "won": "won", "win": "won", "lost": "lost", "lose": "lost",
         "list": "list", "ls": "list", "help": "help",
         "undo": "undo", "approval": "approval"}  # fmt: skip
OPTION_KEYS = {"stage", "close", "competitor", "reason", "title", "notes"}


class DealSyntaxError(UserError):
    """`/deal` text that cannot be understood."""


@dataclass(frozen=True)
class DealCommand:
    verb: str  # "modal" (no text), "new", "won", "lost", "list", "help", "open", "undo" or "approval"
    money: Money | None = None
    customer: str = ""
    title: str = ""
    stage: Stage | None = None
    close: dt.date | None = None
    competitor: str | None = None
    reason: str | None = None
    notes: str = ""
    options: dict[str, str] = field(default_factory=dict)
    # The customer was picked from a "Did you mean…?" question: use the name as it is.
    customer_confirmed: bool = False
    deal_id: int = 0  # `/deal 42` (or `/deal #42`) opens deal 42
    argument: str = ""  # `/deal approval 50000|off`


def tokenize(text: str) -> tuple[list[str], list[str], dict[str, str]]:
    """Split into bare words, quoted strings and key:value options (known keys only)."""
    words: list[str] = []
    quoted: list[str] = []
    options: dict[str, str] = {}
    for token in command_text.tokens(text, OPTION_KEYS):
        if token.kind == command_text.OPTION:
            options[token.key] = token.text
        elif token.quoted:
            quoted.append(token.text.strip())
        else:
            words.append(token.text)
    return words, quoted, options


def parse_deal_command(text: str, currency: AmountContext | str) -> DealCommand:
    """`currency`: what an amount naming no currency is in (storage.money.amount_context)."""
    text = unescape(text or "").strip()
    if not text:
        return DealCommand(verb="modal")
    head, _, rest = text.partition(" ")
    number = head.removeprefix("#")
    if number.isascii() and number.isdigit() and not rest.strip():
        return DealCommand(verb="open", deal_id=int(number) if int(number) < 2**31 else 0)
    verb = VERBS.get(head.lower())
    if verb is None:
        raise DealSyntaxError("deal.error.unknown_verb", verb=head)
    if verb in ("list", "help", "undo", "approval"):
        return DealCommand(verb=verb, argument=rest.strip())

    words, quoted, options = tokenize(rest)
    money: Money | None = None
    if verb in ("new", "won"):
        try:
            money, used = take_amount(words, currency)
        except AmountError as exc:
            amount = words[0] if words else ""
            raise DealSyntaxError(f"amount.error.{exc.reason}", amount=amount, **exc.params) from None
        words = words[used:]
        if money is None and verb == "new":
            raise DealSyntaxError("deal.error.amount_missing")

    customer = " ".join(words).strip()
    if not customer:
        raise DealSyntaxError("deal.error.customer_missing")
    title = options.get("title") or " ".join(quoted).strip()  # its limits are the domain's (create_deal)

    return DealCommand(
        verb=verb,
        money=money,
        customer=customer,
        title=title,
        stage=_stage(options.get("stage"), verb),
        close=_date(options.get("close")),
        competitor=options.get("competitor") or None,
        reason=options.get("reason") or None,
        notes=options.get("notes", ""),
        options=options,
    )


def _stage(value: str | None, verb: str) -> Stage:
    if verb == "won":
        return Stage.WON
    if verb == "lost":
        return Stage.LOST
    if value is None:
        return Stage.LEAD
    try:
        stage = Stage(value.lower())
    except ValueError:
        stage = None
    if stage not in OPEN_STAGES:
        raise DealSyntaxError("deal.error.bad_stage", stage=value, stages=", ".join(OPEN_STAGES))
    return stage


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    day = command_text.date_of(value)
    if day is None:
        raise DealSyntaxError("deal.error.bad_date", value=value)
    return day
