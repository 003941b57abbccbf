"""`/customer` and `/log`: a CRM-lite in Slack (customers, their owners and segments, activities)."""

from handlers.customers import listeners, render
from handlers.features import Command, Feature

FEATURE = Feature(
    name="customers",
    commands=(
        Command(
            "/customer",
            listeners.customer_command,
            description="Add or look up a customer",
            usage_hint='add Acme segment:potential owner:@li | Acme | merge "Acme Crop" into "Acme Corp"',
            summary="customers.summary",
        ),
        Command(
            "/log",
            listeners.log_command,
            description="Log a call, meeting, email, demo, visit or note with a customer",
            usage_hint='call Acme "discussed renewal" next:2026-12-01 csat:4',
            summary="customers.log.summary",
        ),
    ),
    actions={  # the "Did you mean…?" buttons: use the close customer, or create the typed one
        "customer_pick": listeners.pick_customer,
        "customer_pick_new": listeners.pick_customer,
        "deal_customer_pick": listeners.pick_deal_customer,
        "deal_customer_pick_new": listeners.pick_deal_customer,
    },
    options={render.CUSTOMER_SEARCH: listeners.customer_options},  # the deal form's customer menu
)
