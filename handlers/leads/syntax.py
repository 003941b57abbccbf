"""The `/lead` text, parsed without Slack.

/lead                                            the modal
/lead new "Globex" source:web
/lead new Globex Inc source:referral amount:20k notes:"met at the fair"
/lead assign 42 @li                              managers: give lead #42 to Li
/lead help
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.kit import command_text
from bot.kit.mentions import USER
from storage.errors import UserError
from storage.leads import MAX_NOTES, NewLead, normalise_source
from storage.money import AmountError, Money, parse_amount

VERBS = {"new": "new", "add": "new", "assign": "assign", "reassign": "assign", "help": "help"}
OPTION_KEYS = {"source", "amount", "notes"}
DEAL_ID = re.compile(r"#?([0-9]{1,9})")  # within a 32-bit id (PostgreSQL integer)


class LeadSyntaxError(UserError):
    """`/lead` text or modal input that cannot be understood."""


@dataclass(frozen=True)
class LeadCommand:
    verb: str  # "modal" (no text), "new", "assign" or "help"
    lead: NewLead | None = None
    deal_id: int = 0
    user_id: str = ""


def company_of(text: str | None) -> str:
    company = " ".join((text or "").split())
    if not company:
        raise LeadSyntaxError("lead.error.company_missing")
    return company


def source_of(text: str | None) -> str | None:
    """None when no source is given; a lower-case single word otherwise."""
    if text is None:
        return None
    source = normalise_source(text)
    if source is None:
        raise LeadSyntaxError("lead.error.bad_source", source=text.strip()[:70])
    return source


def money_of(text: str | None, default_currency: str) -> Money | None:
    if text is None:
        return None
    try:
        return parse_amount(text, default_currency)
    except AmountError as error:
        raise LeadSyntaxError(f"lead.error.amount.{error.reason}", amount=text.strip()[:70]) from None


def notes_of(text: str | None) -> str:
    notes = (text or "").strip()
    if len(notes) > MAX_NOTES:
        raise LeadSyntaxError("lead.error.notes_too_long", limit=MAX_NOTES)
    return notes


def tokenize(text: str) -> tuple[list[str], dict[str, str]]:
    """The company's words (quoted or bare, in order) and the known key:value options."""
    words: list[str] = []
    options: dict[str, str] = {}
    for token in command_text.tokens(text, OPTION_KEYS):  # "Acme:Labs" is part of a name, not an option
        if token.kind == command_text.OPTION:
            options[token.key] = token.text
        else:
            words.append(token.text)
    return words, options


def parse_lead_command(text: str, default_currency: str) -> LeadCommand:
    text = (text or "").strip()
    if not text:
        return LeadCommand(verb="modal")
    head, _, rest = text.partition(" ")
    verb = VERBS.get(head.lower())
    if verb is None:
        raise LeadSyntaxError("lead.error.unknown_verb", verb=head[:70])
    if verb == "help":
        return LeadCommand(verb="help")
    if verb == "assign":
        return _assign(rest)
    words, options = tokenize(rest)
    lead = NewLead(
        company=company_of(" ".join(words)),
        source=source_of(options.get("source")),
        money=money_of(options.get("amount"), default_currency),
        notes=notes_of(options.get("notes")),
    )
    return LeadCommand(verb="new", lead=lead)


def _assign(rest: str) -> LeadCommand:
    """`assign 42 @li`: exactly one lead number and one person."""
    users = list(dict.fromkeys(USER.findall(rest)))
    others = USER.sub(" ", rest).split()
    if len(users) != 1 or len(others) != 1 or not DEAL_ID.fullmatch(others[0]):
        raise LeadSyntaxError("lead.error.assign_usage")
    match = DEAL_ID.fullmatch(others[0])
    assert match is not None
    return LeadCommand(verb="assign", deal_id=int(match.group(1)), user_id=users[0])
