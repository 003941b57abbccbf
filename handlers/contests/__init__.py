"""`/contest`: sales contests with live standings; the job announces start, mid-point and winners."""

from handlers.contests import listeners
from handlers.features import Command, Feature

FEATURE = Feature(
    name="contests",
    commands=(
        Command(
            "/contest",
            listeners.contest_command,
            description="Contests with live standings",
            usage_hint='new "December sprint" metric:revenue from:2026-12-01 to:2026-12-31 prize:"Team dinner"',
            summary="contests.summary",
        ),
    ),
)
