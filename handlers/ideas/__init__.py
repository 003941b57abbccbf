"""`/idea`: the idea box, with upvotes, statuses set by managers, and the month's top ideas."""

from handlers.features import Command, Feature
from handlers.ideas import listeners

FEATURE = Feature(
    name="ideas",
    commands=(
        Command(
            "/idea",
            listeners.idea_command,
            description="Suggest an improvement to the idea box",
            usage_hint="Share call recordings in #wins",
            summary="ideas.summary",
        ),
    ),
    actions={
        "ideas_upvote": listeners.upvote,
        "ideas_status": listeners.change_status,
    },
)
