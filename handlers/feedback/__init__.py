"""`/feedback`: private, optionally anonymous feedback, and feedback requests from managers."""

from handlers.features import Command, Feature
from handlers.feedback import listeners

FEATURE = Feature(
    name="feedback",
    commands=(
        Command(
            "/feedback",
            listeners.feedback_command,
            description="Send private feedback, or ask peers for feedback on someone",
            usage_hint="@li what worked and what to try next [--anon] | request @rep from @a @b",
            summary="feedback.summary",
        ),
    ),
    actions={
        "feedback_reply": listeners.open_reply_modal,
        "feedback_give": listeners.open_answer_modal,
    },
    views={
        "feedback_reply": listeners.submit_reply,
        "feedback_answer": listeners.submit_answer,
    },
)
