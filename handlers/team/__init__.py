"""`/team`: the roster, roles, duties and titles, the reps' workload; the onboarding DM."""

from handlers.features import Command, Feature
from handlers.team import listeners

FEATURE = Feature(
    name="team",
    commands=(
        Command(
            "/team",
            listeners.team_command,
            description="Your team: roles, duties, titles, workload",
            usage_hint='@li | role @li manager | duties @li "Owns APAC renewals" | post | load',
            summary="team.summary",
        ),
    ),
    events={
        "member_joined_channel": listeners.member_joined_channel,
    },
)
