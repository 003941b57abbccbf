"""Messages of the home feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
