"""Messages of the intel feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
