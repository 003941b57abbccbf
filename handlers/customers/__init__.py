"""`/customer` and `/log`: a CRM-lite in Slack (customers, their owners and segments, activities)."""

from slack_bolt.async_app import AsyncApp

from handlers.customers import listeners
from handlers.errors import guarded


def register(app: AsyncApp) -> None:
    app.command("/customer")(guarded(listeners.customer_command))
    app.command("/log")(guarded(listeners.log_command))
