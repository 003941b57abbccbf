"""`/idea`: the idea box, with upvotes, statuses set by managers, and the month's top ideas."""

from slack_bolt.async_app import AsyncApp

from handlers.errors import guarded
from handlers.ideas import listeners


def register(app: AsyncApp) -> None:
    app.command("/idea")(guarded(listeners.idea_command))
    app.action("ideas_upvote")(guarded(listeners.upvote))
    app.action("ideas_status")(guarded(listeners.change_status))
