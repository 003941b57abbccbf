"""Messages of the digests feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
