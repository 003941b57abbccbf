"""Messages of the leads feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
