"""Messages of the team feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
