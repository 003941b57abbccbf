"""`/goal` and `/scorecard`: individual and team goals with progress, and the reps' scorecards."""

from slack_bolt.async_app import AsyncApp

from handlers.errors import guarded
from handlers.goals import listeners


def register(app: AsyncApp) -> None:
    app.command("/goal")(guarded(listeners.goal_command))
    app.command("/scorecard")(guarded(listeners.scorecard_command))
