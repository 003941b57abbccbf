"""`/kudos` and reaction kudos: thank peers where the team talks."""

from handlers.features import Command, Feature
from handlers.kudos import listeners

FEATURE = Feature(
    name="kudos",
    commands=(
        Command(
            "/kudos",
            listeners.kudos_command,
            description="Thank peers for their help, tagged with the team's values",
            usage_hint="@ana @li for the Acme demo #teamwork | stats month | help",
            summary="kudos.summary",
        ),
    ),
    actions={
        "kudos_metoo": listeners.me_too,
        "kudos_undo": listeners.undo,
    },
    views={
        "kudos_new": listeners.submit_kudos_modal,
    },
    events={
        "reaction_added": listeners.reaction_added,
        "reaction_removed": listeners.reaction_removed,
    },
)
