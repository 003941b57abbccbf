"""`/training`: training sessions and team events, with RSVPs, reminders and attendance."""

from handlers.features import Command, Feature
from handlers.training import listeners

FEATURE = Feature(
    name="training",
    commands=(
        Command(
            "/training",
            listeners.training_command,
            description="Training sessions and team events",
            usage_hint='schedule "Product X deep-dive" 2026-12-03 15:00 #sales',
            summary="training.summary",
        ),
    ),
    actions={
        "training_going": listeners.going,
        "training_not_going": listeners.not_going,
        "training_attendance": listeners.attendance_button,
    },
    views={
        "training_attendance": listeners.submit_attendance,
    },
)
