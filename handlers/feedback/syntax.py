"""The `/feedback` syntax, parsed without Slack: `/feedback @li <text> [--anon]`, `request @rep from @a @b`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.kit.command_text import LINK
from bot.kit.mentions import USER, user_ids
from storage.errors import UserError

MAX_TEXT = 1000
MAX_ASKEES = 20

# `--anon` anywhere, as its own word; phones and macOS turn `--` into an en or em dash.
ANON = re.compile(r"[ \t]*(?<!\S)(?:--|—|–)anon(?:ymous)?(?!\S)[ \t]*", re.IGNORECASE)
# A user group mention as Slack escapes it: <!subteam^S123|@sales> (the label may be missing).
GROUP = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>")
CHANNEL = re.compile(r"<#[CGD][A-Z0-9]+\|([^>]*)>")


class FeedbackSyntaxError(UserError):
    """`/feedback` text, or a modal's text, that cannot be sent."""


@dataclass(frozen=True)
class FeedbackCommand:
    verb: str  # "help", "give" or "request"
    recipient: str = ""  # give: the Slack user id the feedback is for
    text: str = ""  # give: the feedback, mentions turned into plain "@name"
    anonymous: bool = False
    subject: str = ""  # request: whom the feedback is about
    askees: tuple[str, ...] = ()  # request: who is asked


def verb_of(text: str) -> str:
    """ "help", "request" or "give", from the first word alone (so permissions are checked before syntax)."""
    words = (text or "").split()
    if not words or (len(words) == 1 and words[0].lower() == "help"):
        return "help"
    return "request" if words[0].lower() == "request" else "give"


def plain_text(text: str) -> str:
    """Command text as the person typed it: `<@U1|li>` → `@li`, `<#C1|wins>` → `#wins`, links → URL,
    and Slack's `&lt;` `&gt;` `&amp;` back to `<` `>` `&`.

    Special mentions (`<!channel>`, `<!here>`) are left as they are; whoever shows the text escapes it.
    """
    text = USER.sub(lambda m: "@" + (_label(m.group(0)) or m.group(1)), text)
    text = CHANNEL.sub(lambda m: "#" + m.group(1), text)
    text = LINK.sub(lambda m: m.group(1), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _label(reference: str) -> str:
    _, _, label = reference[:-1].partition("|")
    return label.lstrip("@")


def check_text(text: str | None) -> str:
    """The feedback or reply text, trimmed; refused when empty or longer than MAX_TEXT characters."""
    text = (text or "").strip()
    if not text:
        raise FeedbackSyntaxError("feedback.error.empty")
    if len(text) > MAX_TEXT:
        raise FeedbackSyntaxError("feedback.error.too_long", limit=MAX_TEXT, length=len(text))
    return text


def refuse_groups(text: str) -> None:
    match = GROUP.search(text)
    if match:
        raise FeedbackSyntaxError("feedback.error.group", group=match.group(2) or match.group(1))


def parse_feedback_command(text: str) -> FeedbackCommand:
    text = (text or "").strip()
    verb = verb_of(text)
    if verb == "help":
        return FeedbackCommand(verb="help")
    refuse_groups(text)
    if verb == "request":
        return _parse_request(text.split(None, 1)[1] if " " in text else "")
    return _parse_give(text)


def _parse_give(text: str) -> FeedbackCommand:
    anonymous = bool(ANON.search(text))
    text = ANON.sub(" ", text).strip()
    people = user_ids(text)
    if not people:
        raise FeedbackSyntaxError("feedback.error.no_recipient")
    if len(people) > 1:
        raise FeedbackSyntaxError("feedback.error.one_recipient")
    recipient = people[0]
    leading = USER.match(text)
    if leading:  # "@li great demo": the name is the address, not part of the feedback
        text = text[leading.end() :]
    return FeedbackCommand(
        verb="give", recipient=recipient, text=check_text(plain_text(text)), anonymous=anonymous
    )


def _parse_request(rest: str) -> FeedbackCommand:
    """`@rep from @a @b`: one subject before `from`, the people asked after it."""
    before: list[str] = []
    after: list[str] = []
    seen_from = False
    for word in rest.split():
        mention = USER.fullmatch(word)
        if mention:
            (after if seen_from else before).append(mention.group(1))
        elif word.lower() == "from" and not seen_from:
            seen_from = True
        else:
            raise FeedbackSyntaxError("feedback.error.request_word", word=word)
    before = list(dict.fromkeys(before))
    if len(before) != 1:
        raise FeedbackSyntaxError("feedback.error.request_subject")
    askees = tuple(dict.fromkeys(after))
    if not askees:
        raise FeedbackSyntaxError("feedback.error.request_askees")
    if len(askees) > MAX_ASKEES:
        raise FeedbackSyntaxError("feedback.error.too_many_askees", limit=MAX_ASKEES)
    subject = before[0]
    if subject in askees:
        raise FeedbackSyntaxError("feedback.error.askee_is_subject", user=subject)
    return FeedbackCommand(verb="request", subject=subject, askees=askees)
