"""Messages of `/kudos` and reaction kudos."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
