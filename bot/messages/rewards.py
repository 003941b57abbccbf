"""Messages of the rewards feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
