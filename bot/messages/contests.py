"""Messages of the contests feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
