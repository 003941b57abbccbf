"""`/goal` and `/scorecard`: individual and team goals with progress, and the reps' scorecards."""

from handlers.features import Command, Feature
from handlers.goals import listeners

FEATURE = Feature(
    name="goals",
    commands=(
        Command(
            "/goal",
            listeners.goal_command,
            description="Individual and team goals with progress",
            usage_hint="set @li revenue 100k month | set team deals 30 quarter",
            summary="goals.summary",
        ),
        Command(
            "/scorecard",
            listeners.scorecard_command,
            description="A rep's assessment for a period",
            usage_hint="[@rep] [month|quarter|year] | team",
            summary="goals.scorecard.summary",
        ),
    ),
)
