"""Messages of the customers feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
