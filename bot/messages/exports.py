"""Messages of the exports feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
