"""`/lead`: new leads, assigned to the least-loaded rep, who accepts or passes them back."""

from handlers.features import Command, Feature
from handlers.leads import listeners

FEATURE = Feature(
    name="leads",
    commands=(
        Command(
            "/lead",
            listeners.lead_command,
            description="Add a lead; it goes to the least-loaded rep",
            usage_hint='new "Globex" source:web',
            summary="lead.summary",
        ),
    ),
    actions={
        "lead_accept": listeners.accept,
        "lead_pass": listeners.pass_back,
        "lead_reassign": listeners.reassign_from_menu,
    },
    views={
        "lead_new": listeners.submit_lead_modal,
    },
)
