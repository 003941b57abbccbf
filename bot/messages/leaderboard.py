"""Messages of the leaderboard feature."""

MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
