"""Messages of the followups feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
