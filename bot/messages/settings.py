"""Messages of the settings feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
