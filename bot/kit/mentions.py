"""Slack's escaped references in command text (`should_escape: true`): `<@U123|ana>`, `<#C123|wins>`,
and the @names people type as plain text instead of picking someone from Slack's @ menu.

A person picked from the menu arrives as `<@U123|ana>`. Typed by hand (`@Ana Souza`), or naming
someone who is not in the workspace (`@bob`), it arrives as plain text. `spell_out` turns a typed
@name that names exactly one member into the reference Slack would have sent, and refuses one that
names nobody or several people; `named_in` words a refusal about an unknown reference the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from storage.db import Database
from storage.errors import UserError
from storage.models import Member
from storage.workspaces import list_members

USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>")
# Where an @name typed as text starts: not inside an email address, a reference or `@@`.
TYPED = re.compile(r"(?<![\w<|@])@(?=[^\s@<>])")
_WORD = re.compile(r"[^\s,;:.!?()\[\]{}\"'“”，。；：！？、]+")


class MentionError(UserError):
    """An @name that names nobody in the workspace, or several people; nothing was done."""


def user_ids(text: str) -> list[str]:
    """Mentioned user ids in order, without repeats."""
    return list(dict.fromkeys(USER.findall(text or "")))


def channel_id(text: str) -> str | None:
    """The first channel reference, if any."""
    match = CHANNEL.search(text or "")
    return match.group(1) if match else None


def _as_typed(name: str) -> str:
    """The name as typed (a refusal escapes what it echoes)."""
    return "@" + name


def not_found(name: str) -> MentionError:
    return MentionError("mentions.error.not_found", name=_as_typed(name))


def named_in(text: str, error: UserError) -> UserError:
    """A refusal about an unknown person (`….unknown_user`, naming a user id), reworded to name them
    as the text shows them (`@bob`) and to say how to pick them; any other error as it is."""
    user = error.params.get("user")
    if not error.key.endswith(".unknown_user") or not isinstance(user, str):
        return error
    label = next((m.group(0) for m in USER.finditer(text or "") if m.group(1) == user), "")
    _, _, name = label[:-1].partition("|")
    return not_found(name.lstrip("@") or user)


def _names(member: Member) -> set[str]:
    return {name for name in (member.name, member.real_name) if name.strip()}


def _match(rest: str, people: Iterable[Member]) -> tuple[str, list[Member]]:
    """The longest member name `rest` starts with (any case, ending at a word's end), and who has it."""
    best, found = "", []
    for member in people:
        for name in _names(member):
            if rest[: len(name)].casefold() != name.casefold() or rest[len(name) : len(name) + 1].isalnum():
                continue
            if len(name) > len(best):
                best, found = rest[: len(name)], [member]
            elif len(name) == len(best) and member not in found:
                found.append(member)
    return best, found


def resolve_typed(text: str, people: list[Member], *, first_only: bool = False) -> str:
    """`text` with each typed @name (only the first, if `first_only`) turned into `<@U…|name>` when it
    names one of `people`; a MentionError for a name that matches nobody, or several people."""
    pieces, last = [], 0
    for match in TYPED.finditer(text):
        if match.start() < last:
            continue  # inside a name already taken
        rest = text[match.end() :]
        name, found = _match(rest, people)
        if not found:
            word = _WORD.match(rest)
            raise not_found(word.group(0) if word else rest.split()[0])
        if len({m.slack_user_id for m in found}) > 1:
            others = ", ".join(m.real_name or m.name for m in found)
            raise MentionError("mentions.error.ambiguous", name=_as_typed(name), people=others)
        pieces += [text[last : match.start()], f"<@{found[0].slack_user_id}|{name}>"]
        last = match.end() + len(name)
        if first_only:
            break
    return "".join(pieces) + text[last:]


async def spell_out(db: Database, workspace_id: int, text: str, *, addressee_only: bool = False) -> str:
    """Command text with typed @names resolved against the workspace's people (see `resolve_typed`).

    `addressee_only`: the command takes one person (first) and the rest is free text, which may
    hold an `@` of its own: only the first typed @name is read, and only when no one was picked
    from the @ menu.
    """
    text = text or ""
    if not TYPED.search(text) or (addressee_only and USER.search(text)):
        return text
    async with db.session() as session:
        members = await list_members(session, workspace_id)
    people = [member for member in members if not member.is_bot]
    return resolve_typed(text, people, first_only=addressee_only)
