"""CRM credentials encrypted at rest: Fernet with a key derived (HKDF-SHA256) from DEALBELL_SECRET_KEY.

A module of its own: storage/secrets.py (Slack tokens, the same scheme) landed on main after this
branch began; the lead may fold this into it. DEALBELL_SECRET_KEY may hold several keys, comma
separated, the current first: credentials are sealed with the first and opened with any. The HKDF
`info` names this use, so the same secret key gives CRM credentials a key of their own."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b"dealbell crm credentials v1"


class CredentialsUnreadable(Exception):
    """Stored credentials the current secret key cannot open (the key changed): reconnect."""


def fernet(secret_key: bytes) -> MultiFernet:
    keys = [key.strip() for key in secret_key.split(b",") if key.strip()] or [secret_key]
    return MultiFernet([Fernet(_derived(key)) for key in keys])


def _derived(key: bytes) -> bytes:
    return base64.urlsafe_b64encode(
        HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(key)
    )


def seal(secret_key: bytes, credentials: dict[str, Any]) -> str:
    return fernet(secret_key).encrypt(json.dumps(credentials).encode()).decode()


def open_sealed(secret_key: bytes, sealed: str) -> dict[str, Any]:
    try:
        return json.loads(fernet(secret_key).decrypt(sealed.encode()))
    except InvalidToken as error:
        raise CredentialsUnreadable from error
