"""`/feedback`: private, optionally anonymous feedback, and feedback requests from managers."""

from slack_bolt.async_app import AsyncApp

from handlers.errors import guarded
from handlers.feedback import listeners


def register(app: AsyncApp) -> None:
    app.command("/feedback")(guarded(listeners.feedback_command))
    app.action("feedback_reply")(guarded(listeners.open_reply_modal))
    app.view("feedback_reply")(guarded(listeners.submit_reply))
    app.action("feedback_give")(guarded(listeners.open_answer_modal))
    app.view("feedback_answer")(guarded(listeners.submit_answer))
