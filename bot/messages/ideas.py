"""Messages of the ideas feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
