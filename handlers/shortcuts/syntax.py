"""What a message says, read for a shortcut's form: its people, its permalink, a deal it mentions.

"we signed Acme for 12k" is not `/deal` syntax, so the words are read loosely, but with `/deal`'s own
pieces: its amount reader (storage.money.take_amount) and its stage words (won, signed, closed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.kit.blocks import unescape
from bot.kit.command_text import LINK
from bot.kit.mentions import USER
from storage.models import Stage
from storage.money import AmountError, Money, take_amount

# Words that say a deal is won, in the deal form's stages (lost deals are not logged from a message).
WON_WORDS = {"won", "win", "signed", "closed", "booked"}
_EDGE = re.compile(r"^[\s,;:.!?()\[\]{}\"'“”]+|[\s,;:.!?()\[\]{}\"'“”]+$")
# Capitalised words that start a sentence rather than name a customer.
NOT_NAMES = {"we", "i", "they", "she", "he", "you", "just", "finally", "today", "the", "a", "an", "our"}
MAX_RECEIVERS = 10  # the kudos form's multi_users_select


@dataclass(frozen=True)
class DealDraft:
    customer: str = ""
    amount: str = ""  # the words as written ("12k", "EUR 900"), shown in the form's amount field
    currency: str = ""
    stage: Stage = Stage.LEAD

    def prefill(self) -> dict[str, str]:
        return {"customer": self.customer, "amount": self.amount, "currency": self.currency,
                "stage": self.stage.value}  # fmt: skip


def permalink(shortcut: dict[str, Any]) -> str:
    """The message's link as Slack shows it, from the team domain, channel and ts of the payload."""
    domain = (shortcut.get("team") or {}).get("domain", "")
    channel = (shortcut.get("channel") or {}).get("id", "")
    ts = shortcut.get("message_ts") or shortcut["message"].get("ts", "")
    return f"https://{domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"


def is_from_bot(message: dict[str, Any]) -> bool:
    return bool(message.get("bot_id")) or message.get("subtype") == "bot_message"


def people_of(message: dict[str, Any], giver: str) -> list[str]:
    """The author (unless a bot) and everyone the message names, in order, without the giver."""
    found = [] if is_from_bot(message) else [message.get("user", "")]
    found += USER.findall(message.get("text", ""))
    return [user for user in dict.fromkeys(found) if user and user != giver][:MAX_RECEIVERS]


def _words(text: str) -> list[str]:
    text = USER.sub(" ", LINK.sub(" ", unescape(text or "")))
    return [word for word in (_EDGE.sub("", raw) for raw in text.split()) if word]


def read_deal(text: str, default_currency: str) -> DealDraft:
    """The customer, amount and stage a message mentions; what it does not say is left empty."""
    words = _words(text)
    stage = Stage.WON if any(word.lower() in WON_WORDS for word in words) else Stage.LEAD
    amount, money, rest = _take_amount_anywhere(words, default_currency)
    names = [word for word in rest if word.lower() not in WON_WORDS]
    return DealDraft(
        customer=_first_name(names),
        amount=amount,
        currency=money.currency if money else "",
        stage=stage,
    )


def _take_amount_anywhere(words: list[str], currency: str) -> tuple[str, Money | None, list[str]]:
    for start in range(len(words)):
        try:
            money, used = take_amount(words[start:], currency)
        except AmountError:
            continue
        if money is not None:
            return " ".join(words[start : start + used]), money, words[:start] + words[start + used :]
    return "", None, words


def _first_name(words: list[str]) -> str:
    """The first run of capitalised words ("Acme Corp"): how a message names a customer."""
    run: list[str] = []
    for word in words:
        if word[:1].isupper() and word.lower() not in NOT_NAMES:
            run.append(word)
        elif run:
            break
    return " ".join(run)


def customer_candidates(text: str, longest: int = 4) -> list[str]:
    """Every run of up to `longest` words of the message, longest first: the names it might say."""
    words = _words(text)
    return [
        " ".join(words[i : i + size]) for size in range(longest, 0, -1) for i in range(len(words) - size + 1)
    ]
