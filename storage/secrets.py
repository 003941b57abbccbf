"""Slack tokens at rest: encrypted with keys derived from DEALBELL_SECRET_KEY.

DEALBELL_SECRET_KEY holds one key, or several separated by commas, the current one first
(`new,old`): tokens are encrypted with the first and read with any. Each key is stretched with HKDF
(SHA-256) into a Fernet key (AES-128-CBC and HMAC-SHA256), so any long random string will do. A value
written before encryption (plain `xoxb-…`) is still read as it is; `rotate_tokens` (the CLI's
`dealbell secrets rotate`) rewrites every stored token under the current key.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Table, Text, TypeDecorator, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import slack_bots, slack_installations

SEALED = "fernet:"  # marks an encrypted value; Slack's tokens start with "xox"
HKDF_INFO = b"dealbell slack tokens v1"  # a key derived for this use only
TOKEN_COLUMNS: dict[Table, tuple[str, ...]] = {
    slack_installations: ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
    slack_bots: ("bot_token", "bot_refresh_token"),
}
TOKEN_COLUMNS_BY_NAME = {table.name: columns for table, columns in TOKEN_COLUMNS.items()}


class SecretKeyError(ValueError):
    """A stored token cannot be read with the keys given (the key it was sealed with is missing)."""


def derived_key(secret: str, info: bytes = HKDF_INFO) -> bytes:
    """A Fernet key from any secret string, for the use `info` names (Slack tokens, CRM credentials…)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info)
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


def multi_fernet(keys: list[str], info: bytes = HKDF_INFO) -> MultiFernet:
    """Seals with the first key, opens with any (DEALBELL_SECRET_KEY=new,old)."""
    return MultiFernet([Fernet(derived_key(key, info)) for key in keys])


def key_list(setting: str) -> list[str]:
    """The keys of DEALBELL_SECRET_KEY, the current one first."""
    return [key.strip() for key in setting.split(",") if key.strip()]


@dataclass(frozen=True)
class TokenCipher:
    fernet: MultiFernet

    @classmethod
    def from_setting(cls, setting: str) -> TokenCipher:
        keys = key_list(setting)
        if not keys:
            raise SecretKeyError("DEALBELL_SECRET_KEY is empty")
        return cls(multi_fernet(keys))

    def seal(self, token: str | None) -> str | None:
        if not token:
            return token
        return SEALED + self.fernet.encrypt(token.encode()).decode()

    def open(self, stored: str | None) -> str | None:
        """The token of a stored value: decrypted, or as it is when it was stored before encryption."""
        if not stored or not stored.startswith(SEALED):
            return stored
        try:
            return self.fernet.decrypt(stored.removeprefix(SEALED).encode()).decode()
        except InvalidToken:
            raise SecretKeyError(
                "a stored Slack token was encrypted with a key DEALBELL_SECRET_KEY no longer lists "
                "(give the old key after the new one: DEALBELL_SECRET_KEY=new,old)"
            ) from None


class SealedToken(TypeDecorator[str]):
    """A token column: encrypted on the way in, decrypted on the way out (plain old values pass)."""

    impl = Text
    cache_ok = True

    def __init__(self, cipher: TokenCipher) -> None:
        super().__init__()
        self.cipher = cipher

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return self.cipher.seal(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return self.cipher.open(value)


def seal_columns(table: Table, cipher: TokenCipher) -> None:
    """Make `table`'s token columns (a copy of slack_sdk's table, not dealbell's) encrypt and decrypt."""
    for name in TOKEN_COLUMNS_BY_NAME[table.name]:
        table.c[name].type = SealedToken(cipher)


async def rotate_tokens(session: AsyncSession, cipher: TokenCipher) -> int:
    """Re-encrypt every stored token under the current key (plain ones for the first time), in the
    caller's transaction. Returns the number of rows rewritten. SecretKeyError if one cannot be read."""
    rewritten = 0
    for table, columns in TOKEN_COLUMNS.items():
        rows = await session.execute(select(table.c.id, *(table.c[c] for c in columns)))
        for row in rows.all():
            values = {c: cipher.seal(cipher.open(getattr(row, c))) for c in columns}
            await session.execute(update(table).where(table.c.id == row.id).values(**values))
            rewritten += 1
    return rewritten
