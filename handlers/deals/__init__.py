"""`/deal`: log deals and wins, move them through the stages, celebrate wins; open any deal's card
to correct it (edit, reassign, reopen, delete, undo), and hold big wins for a manager's approval."""

from handlers.deals import lifecycle, listeners
from handlers.features import Command, Feature

FEATURE = Feature(
    name="deals",
    commands=(
        Command(
            "/deal",
            listeners.deal_command,
            description="Log a deal or a win, or see your pipeline",
            usage_hint='won 12.5k Acme "Annual licence" | new 40k Globex stage:proposal | list | 42 | undo | help',
            summary="deal.summary",
        ),
    ),
    actions={
        "deal_advance": listeners.move_deal,
        "deal_won": listeners.move_deal,
        "deal_lost": listeners.open_lost_modal,
        "deal_congratulate": listeners.congratulate_deal,
        # the card, from /deal list, App Home's pipeline rows, the celebration and approval requests
        "deal_open": lifecycle.open_deal,
        "deal_edit": lifecycle.open_edit_form,
        "deal_reassign": lifecycle.open_reassign_form,
        "deal_reopen": lifecycle.reopen_deal,
        "deal_delete": lifecycle.delete_deal,
        # `/deal approval 50000`: wins above it wait for a manager (off by default)
        "deal_approve": lifecycle.approve_win,
        "deal_decline": lifecycle.decline_win,
    },
    views={
        "deal_new": listeners.submit_deal_modal,
        "deal_edit": listeners.submit_edit_form,
        "deal_lost": listeners.submit_lost_modal,
        "deal_reassign": lifecycle.submit_reassign_form,
    },
)
