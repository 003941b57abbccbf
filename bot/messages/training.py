"""Messages of the training feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
