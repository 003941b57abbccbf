"""`/deal`: log deals and wins, move them through the stages, celebrate wins."""

from handlers.deals import listeners
from handlers.features import Command, Feature

FEATURE = Feature(
    name="deals",
    commands=(
        Command(
            "/deal",
            listeners.deal_command,
            description="Log a deal or a win, or see your pipeline",
            usage_hint='won 12.5k Acme "Annual licence" | new 40k Globex stage:proposal | list | help',
            summary="deal.summary",
        ),
    ),
    actions={
        "deal_advance": listeners.move_deal,
        "deal_won": listeners.move_deal,
        "deal_lost": listeners.open_lost_modal,
        "deal_congratulate": listeners.congratulate_deal,
    },
    views={
        "deal_new": listeners.submit_deal_modal,
        "deal_lost": listeners.submit_lost_modal,
    },
)
