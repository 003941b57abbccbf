"""Messages of the charts feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
