"""REST API tokens and idempotency keys (no HTTP in here).

A token is `dbk_` and 40 random URL-safe characters, shown once when created; only its SHA-256 is
stored, so a leaked database does not leak working tokens. Each token belongs to one workspace:
every API read and write is scoped by the workspace its token names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.authority import require_admin
from storage.db import insert_ignoring_conflicts
from storage.errors import UserError
from storage.models import ApiIdempotencyKey, ApiToken, Member, utcnow

PREFIX = "dbk_"
SCOPES = ("read", "write")
TOKEN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
MAX_IDEMPOTENCY_KEY = 200
# last_used_at is written at most this often per token: not one UPDATE per API call
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenError(UserError):
    """A refused token change; nothing was written."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the whole token, shown once


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_token_request(name: str, scope: str) -> None:
    if not TOKEN_NAME.match(name):
        raise TokenError("api.error.bad_name")
    if scope not in SCOPES:
        raise TokenError("api.error.bad_scope")


async def active_token(session: AsyncSession, workspace_id: int, name: str) -> ApiToken | None:
    return await session.scalar(
        select(ApiToken).where(
            ApiToken.workspace_id == workspace_id, ApiToken.name == name, ApiToken.revoked_at.is_(None)
        )
    )


async def create_token(
    session: AsyncSession, workspace_id: int, name: str, scope: str, *, by: Member | None
) -> IssuedToken:
    """A new token (admins only; `by` None is the operator's CLI); TokenError for a taken name."""
    if by is not None:
        require_admin(by)
    check_token_request(name, scope)
    if await active_token(session, workspace_id, name) is not None:
        raise TokenError("api.error.name_taken", name=name)
    secret = PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(
        workspace_id=workspace_id,
        name=name,
        scope=scope,
        token_hash=hash_token(secret),
        prefix=secret[:8],
        created_by=by.slack_user_id if by is not None else "cli",
        created_at=utcnow(),
    )
    session.add(token)
    await session.flush()
    return IssuedToken(token, secret)


async def list_tokens(session: AsyncSession, workspace_id: int) -> list[ApiToken]:
    """The workspace's tokens not revoked, oldest first."""
    query = select(ApiToken).where(ApiToken.workspace_id == workspace_id, ApiToken.revoked_at.is_(None))
    return list(await session.scalars(query.order_by(ApiToken.id)))


async def revoke_token(session: AsyncSession, workspace_id: int, name: str, *, by: Member | None) -> ApiToken:
    if by is not None:
        require_admin(by)
    token = await active_token(session, workspace_id, name)
    if token is None:
        raise TokenError("api.error.no_such_token", name=name)
    token.revoked_at = utcnow()
    await session.flush()
    return token


async def authenticate(session: AsyncSession, secret: str, now: dt.datetime) -> ApiToken | None:
    """The live token `secret` is, or None (unknown, revoked, or not one of ours)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = await session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None))
    )
    if token is not None and (token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION):
        await session.execute(
            update(ApiToken)
            .where(ApiToken.id == token.id)
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        token.last_used_at = now
    return token


# --- Idempotency-Key ------------------------------------------------------------------------------


def request_hash(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Replay:
    """What an Idempotency-Key already stands for: the first answer, or a different request."""

    status: int
    response: Any
    same_request: bool


async def claim_idempotency_key(
    session: AsyncSession, token: ApiToken, key: str, fingerprint: str
) -> Replay | None:
    """None when this request is the key's first (it then runs in this transaction, which also
    stores its answer); else the earlier answer. A concurrent first holds the row: this waits for it."""
    inserted = await session.execute(
        insert_ignoring_conflicts(session, ApiIdempotencyKey.__table__, ["token_id", "key"]).values(
            workspace_id=token.workspace_id, token_id=token.id, key=key, request_hash=fingerprint,
            status=0, created_at=utcnow(),
        )
    )  # fmt: skip
    if inserted.rowcount == 1:
        return None
    row = await session.scalar(
        select(ApiIdempotencyKey).where(ApiIdempotencyKey.token_id == token.id, ApiIdempotencyKey.key == key)
    )
    assert row is not None
    return Replay(row.status, row.response, row.request_hash == fingerprint)


async def store_answer(session: AsyncSession, token: ApiToken, key: str, status: int, response: Any) -> None:
    await session.execute(
        update(ApiIdempotencyKey)
        .where(ApiIdempotencyKey.token_id == token.id, ApiIdempotencyKey.key == key)
        .values(status=status, response=response)
        .execution_options(synchronize_session=False)
    )
