"""`/contest`: sales contests with live standings; the job announces start, mid-point and winners."""

from slack_bolt.async_app import AsyncApp

from handlers.contests import listeners
from handlers.errors import guarded


def register(app: AsyncApp) -> None:
    app.command("/contest")(guarded(listeners.contest_command))
