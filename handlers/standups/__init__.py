"""`/standup`: async standups, with holidays, out-of-office days, reminders and a summary."""

from handlers.features import Command, Feature
from handlers.standups import listeners

FEATURE = Feature(
    name="standups",
    commands=(
        Command(
            "/standup",
            listeners.standup_command,
            description="Async standups, holidays and out-of-office",
            usage_hint="setup | now | skip | holidays add 2026-12-25 Christmas | ooo 2026-12-24..2026-12-31",
            summary="standups.summary",
        ),
    ),
    actions={
        "standup_answer": listeners.answer_button,
    },
    views={
        "standup_setup": listeners.submit_setup,
        "standup_answer": listeners.submit_answer,
    },
)
