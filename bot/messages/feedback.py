"""Messages of `/feedback`."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
