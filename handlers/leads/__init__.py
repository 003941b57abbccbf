"""`/lead`: new leads, assigned to the least-loaded rep, who accepts or passes them back."""

from slack_bolt.async_app import AsyncApp

from handlers.errors import guarded
from handlers.leads import listeners


def register(app: AsyncApp) -> None:
    app.command("/lead")(guarded(listeners.lead_command))
    app.view("lead_new")(guarded(listeners.submit_lead_modal))
    app.action("lead_accept")(guarded(listeners.accept))
    app.action("lead_pass")(guarded(listeners.pass_back))
    app.action("lead_reassign")(guarded(listeners.reassign_from_menu))
