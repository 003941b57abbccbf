"""Messages of the goals feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
