"""`/team`: the roster, roles, duties and titles, the reps' workload; the onboarding DM."""

from slack_bolt.async_app import AsyncApp

from handlers.errors import guarded
from handlers.team import listeners


def register(app: AsyncApp) -> None:
    app.command("/team")(guarded(listeners.team_command))
    app.event("member_joined_channel")(guarded(listeners.member_joined_channel))
