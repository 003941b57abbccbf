"""Messages of the standups feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
