"""Private feedback and feedback requests (no Slack and no settings in here).

Anonymity: an anonymous row keeps `sender_id` NULL and only a salted HMAC of the sender, keyed with
a secret that never reaches the database, so the database alone cannot name the sender (and two
feedbacks by one person cannot be linked). The receiver's Reply button carries the sender's Slack
id encrypted with a key derived from the same secret; only the app can open it.

Replies make a thread through the bot: each reply DM carries a Reply button of its own (a ticket
naming who may answer with it and whom the answer goes to), so the sender of anonymous feedback
can answer a question without being named, and the receiver can answer that in turn.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_ignoring_conflicts
from storage.errors import UserError
from storage.events import mark_event_processed
from storage.models import Feedback, FeedbackRequest, Member, utcnow

SALT_BYTES = 16


class FeedbackError(UserError):
    """Feedback that cannot be sent, or a button or form that is not valid."""


# --- who may receive -----------------------------------------------------------------------------


def check_person(person: Member | None, slack_user_id: str) -> Member:
    """A person feedback can be about or asked of: known to Slack, human, still in the workspace."""
    if person is None:
        raise FeedbackError("feedback.error.unknown_user", user=slack_user_id)
    if person.is_bot:
        raise FeedbackError("feedback.error.bot", user=slack_user_id)
    if person.deleted:
        raise FeedbackError("feedback.error.deleted", user=slack_user_id)
    return person


def check_receiver(sender: Member, receiver: Member | None, slack_user_id: str) -> Member:
    if slack_user_id == sender.slack_user_id:
        raise FeedbackError("feedback.error.self")
    return check_person(receiver, slack_user_id)


# --- keyed secrets -------------------------------------------------------------------------------


def _subkey(secret: bytes, purpose: bytes) -> bytes:
    return hmac.new(secret, b"dealbell-feedback-" + purpose, hashlib.sha256).digest()


def sender_hash(secret: bytes, workspace_id: int, slack_user_id: str, salt: bytes | None = None) -> str:
    """`<salt hex>$<HMAC-SHA256(key, salt + workspace + user)>`; a fresh salt each time unless given."""
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    message = salt + f"{workspace_id}:{slack_user_id}".encode()
    return salt.hex() + "$" + hmac.new(_subkey(secret, b"sender"), message, hashlib.sha256).hexdigest()


def is_sender(secret: bytes, stored: str, workspace_id: int, slack_user_id: str) -> bool:
    """Whether `stored` is the hash of this sender (needs the secret: the database alone cannot tell)."""
    salt_hex, _, _ = stored.partition("$")
    try:
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    return hmac.compare_digest(stored, sender_hash(secret, workspace_id, slack_user_id, salt))


def _reply_cipher(secret: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"dealbell-feedback-reply:" + secret).digest()))


@dataclass(frozen=True)
class ReplyTicket:
    """What a Reply button carries, encrypted: which feedback, whom the reply goes to, and who may
    send it (empty: the feedback's receiver, as on the first DM)."""

    workspace_id: int
    feedback_id: int
    sender: str  # Slack user id the reply goes to: the feedback's author, or (answering back) its receiver
    by: str = ""  # Slack user id of who may reply with this button; "" for the feedback's receiver

    def answer(self, replier: str) -> ReplyTicket:
        """The ticket of the Reply button on the reply `replier` sends with this one: the other way."""
        return ReplyTicket(self.workspace_id, self.feedback_id, sender=replier, by=self.sender)


def seal_reply(secret: bytes, ticket: ReplyTicket) -> str:
    fields = {"w": ticket.workspace_id, "f": ticket.feedback_id, "s": ticket.sender}
    if ticket.by:
        fields["b"] = ticket.by
    return _reply_cipher(secret).encrypt(json.dumps(fields).encode()).decode()


def open_reply(secret: bytes, token: str) -> ReplyTicket:
    """The ticket in a Reply button's value; a forged, altered or foreign token is refused."""
    try:
        data = json.loads(_reply_cipher(secret).decrypt((token or "").encode()))
        return ReplyTicket(int(data["w"]), int(data["f"]), str(data["s"]), str(data.get("b", "")))
    except (InvalidToken, binascii.Error, ValueError, TypeError, KeyError, AttributeError):
        raise FeedbackError("feedback.error.bad_reply") from None


def request_ticket(secret: bytes, workspace_id: int, request_id: int, askee: str) -> str:
    """A "Give feedback" button value: the request id, signed for the one person asked."""
    return f"{request_id}.{_request_mac(secret, workspace_id, request_id, askee)}"


def request_id_of(secret: bytes, workspace_id: int, ticket: str, askee: str) -> int:
    head, _, mac = (ticket or "").partition(".")
    if not (head.isascii() and head.isdigit()) or not hmac.compare_digest(
        mac.encode(), _request_mac(secret, workspace_id, int(head), askee).encode()
    ):
        raise FeedbackError("feedback.error.bad_request_button")
    return int(head)


def _request_mac(secret: bytes, workspace_id: int, request_id: int, askee: str) -> str:
    message = f"{workspace_id}:{request_id}:{askee}".encode()
    return hmac.new(_subkey(secret, b"request"), message, hashlib.sha256).hexdigest()[:32]


# --- feedback ------------------------------------------------------------------------------------


async def get_feedback(session: AsyncSession, workspace_id: int, feedback_id: int) -> Feedback | None:
    return await session.scalar(
        select(Feedback).where(Feedback.workspace_id == workspace_id, Feedback.id == feedback_id)
    )


async def give_feedback(
    session: AsyncSession,
    workspace_id: int,
    *,
    sender: Member,
    receiver: Member,
    text: str,
    anonymous: bool,
    source_key: str,
    secret: bytes,
    about: Member | None = None,
    request_id: int | None = None,
) -> tuple[Feedback, bool]:
    """Record feedback once per `source_key` (a trigger or view id); returns (feedback, created)."""
    query = select(Feedback).where(Feedback.workspace_id == workspace_id, Feedback.source_key == source_key)
    existing = await session.scalar(query)
    if existing is not None:
        return existing, False
    result = await session.execute(
        insert_ignoring_conflicts(session, Feedback.__table__, ["workspace_id", "source_key"])
        .values(
            workspace_id=workspace_id,
            receiver_id=receiver.id,
            about_id=about.id if about else None,
            sender_id=None if anonymous else sender.id,
            sender_hash=sender_hash(secret, workspace_id, sender.slack_user_id) if anonymous else None,
            anonymous=anonymous,
            text=text,
            request_id=request_id,
            source_key=source_key,
            created_at=utcnow(),
        )
        .returning(Feedback.id)
    )
    created = result.scalar() is not None
    feedback = await session.scalar(query)  # lost a race: the other request's row
    assert feedback is not None
    return feedback, created


async def forget_feedback(session: AsyncSession, workspace_id: int, feedback_id: int) -> None:
    """Undo feedback that could not be delivered, so what is stored is what people received."""
    await session.execute(
        delete(Feedback).where(Feedback.workspace_id == workspace_id, Feedback.id == feedback_id)
    )


async def reply_target(
    session: AsyncSession, workspace_id: int, ticket: ReplyTicket, replier: Member
) -> Feedback:
    """The feedback a Reply button is for; only the person the button was given to, in its
    workspace, may reply with it (the receiver, on the feedback's DM and on answers to their replies;
    the author, on the replies they get)."""
    feedback = await get_feedback(session, workspace_id, ticket.feedback_id)
    if ticket.workspace_id != workspace_id or feedback is None:
        raise FeedbackError("feedback.error.bad_reply")
    allowed = replier.slack_user_id == ticket.by if ticket.by else feedback.receiver_id == replier.id
    if not allowed:
        raise FeedbackError("feedback.error.bad_reply")
    return feedback


def replies_as_receiver(feedback: Feedback, replier: Member) -> bool:
    """Whether `replier` answers as the feedback's receiver (else as its author)."""
    return feedback.receiver_id == replier.id


async def claim_reply(session: AsyncSession, team_id: str, view_id: str) -> bool:
    """True the first time a reply form is submitted. Replies are not stored (they would link the
    anonymous sender to the conversation), so only the submission id is remembered, like an event id."""
    return await mark_event_processed(session, f"feedback-reply:{view_id}", team_id, "feedback_reply")


# --- requests ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestPeople:
    request: FeedbackRequest
    manager: Member
    subject: Member


async def create_request(
    session: AsyncSession, workspace_id: int, *, manager: Member, subject: Member, source_key: str
) -> tuple[FeedbackRequest, bool]:
    """Record a manager's request once per `source_key`; returns (request, created).

    `source_key` is unique across workspaces in this table, so it is scoped by the workspace here.
    """
    key = f"{workspace_id}/{source_key}"
    query = select(FeedbackRequest).where(
        FeedbackRequest.workspace_id == workspace_id, FeedbackRequest.source_key == key
    )
    existing = await session.scalar(query)
    if existing is not None:
        return existing, False
    result = await session.execute(
        insert_ignoring_conflicts(session, FeedbackRequest.__table__, ["source_key"])
        .values(
            workspace_id=workspace_id,
            manager_id=manager.id,
            subject_id=subject.id,
            source_key=key,
            created_at=utcnow(),
        )
        .returning(FeedbackRequest.id)
    )
    created = result.scalar() is not None
    request = await session.scalar(query)
    assert request is not None
    return request, created


async def request_people(session: AsyncSession, workspace_id: int, request_id: int) -> RequestPeople:
    request = await session.scalar(
        select(FeedbackRequest).where(
            FeedbackRequest.workspace_id == workspace_id, FeedbackRequest.id == request_id
        )
    )
    if request is None:
        raise FeedbackError("feedback.error.request_gone")
    manager = await session.get(Member, request.manager_id)
    subject = await session.get(Member, request.subject_id)
    assert manager is not None and subject is not None
    return RequestPeople(request, manager, subject)
