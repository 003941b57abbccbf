"""`/leaderboard`: who leads this week, month, quarter or year, in the member's own time zone."""

from handlers.features import Command, Feature
from handlers.leaderboard import listeners

FEATURE = Feature(
    name="leaderboard",
    commands=(
        Command(
            "/leaderboard",
            listeners.leaderboard_command,
            description="Who is leading this week, month, quarter or year",
            usage_hint="[week|month|quarter|year] [revenue|deals|kudos|activities]",
            summary="leaderboard.summary",
        ),
    ),
)
