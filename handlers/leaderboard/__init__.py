"""`/leaderboard`: who leads this week, month, quarter or year, in the member's own time zone."""

from slack_bolt.async_app import AsyncApp

from handlers.errors import guarded
from handlers.leaderboard import listeners


def register(app: AsyncApp) -> None:
    app.command("/leaderboard")(guarded(listeners.leaderboard_command))
