"""`/standup`: async standups, with holidays, out-of-office days, reminders and a summary."""

from slack_bolt.async_app import AsyncApp

from handlers.errors import guarded
from handlers.standups import listeners


def register(app: AsyncApp) -> None:
    app.command("/standup")(guarded(listeners.standup_command))
    app.view("standup_setup")(guarded(listeners.submit_setup))
    app.action("standup_answer")(guarded(listeners.answer_button))
    app.view("standup_answer")(guarded(listeners.submit_answer))
