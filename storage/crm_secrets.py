"""CRM credentials encrypted at rest, with the Slack tokens' scheme (storage/secrets.py: Fernet keys
derived by HKDF-SHA256 from DEALBELL_SECRET_KEY, sealed with the first key, opened with any). The
HKDF `info` names this use, so the same secret key gives CRM credentials a key of their own."""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet

from storage.secrets import key_list, multi_fernet

INFO = b"dealbell crm credentials v1"


class CredentialsUnreadable(Exception):
    """Stored credentials the current secret key cannot open (the key changed): reconnect."""


def fernet(secret_key: bytes) -> MultiFernet:
    setting = secret_key.decode()
    return multi_fernet(key_list(setting) or [setting], INFO)


def seal(secret_key: bytes, credentials: dict[str, Any]) -> str:
    return fernet(secret_key).encrypt(json.dumps(credentials).encode()).decode()


def open_sealed(secret_key: bytes, sealed: str) -> dict[str, Any]:
    try:
        return json.loads(fernet(secret_key).decrypt(sealed.encode()))
    except InvalidToken as error:
        raise CredentialsUnreadable from error
