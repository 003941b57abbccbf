"""The buttons of the daily follow-up reminder DM (the DM itself is sent by jobs/follow_ups.py)."""

from slack_bolt.async_app import AsyncApp

from bot.kit.views import followups as render
from handlers.errors import guarded
from handlers.followups import listeners


def register(app: AsyncApp) -> None:
    app.action(render.DONE)(guarded(listeners.mark_done))
    app.action(render.SNOOZE)(guarded(listeners.snooze))
    app.action(render.OPEN)(guarded(listeners.open_customer))
