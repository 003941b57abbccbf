"""`/training`: training sessions and team events, with RSVPs, reminders and attendance."""

from slack_bolt.async_app import AsyncApp

from handlers.errors import guarded
from handlers.training import listeners


def register(app: AsyncApp) -> None:
    app.command("/training")(guarded(listeners.training_command))
    app.action("training_going")(guarded(listeners.going))
    app.action("training_not_going")(guarded(listeners.not_going))
    app.action("training_attendance")(guarded(listeners.attendance_button))
    app.view("training_attendance")(guarded(listeners.submit_attendance))
