"""`/intel`: competitor notes, and win/loss against each competitor."""

from handlers.features import Command, Feature
from handlers.intel import listeners

FEATURE = Feature(
    name="intel",
    commands=(
        Command(
            "/intel",
            listeners.intel_command,
            description="Competitor notes and win/loss against them",
            usage_hint='Globex "launched a cheaper tier" | Globex',
            summary="intel.summary",
        ),
    ),
)
