"""The one error type users see: a catalogue key plus the values that fill it."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused change; `key` names the message in bot/kit/i18n.py, `params` fill it."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
