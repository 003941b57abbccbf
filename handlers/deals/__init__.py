"""`/deal`: log deals and wins, move them through the stages, celebrate wins."""

from slack_bolt.async_app import AsyncApp

from handlers.deals import listeners
from handlers.errors import guarded


def register(app: AsyncApp) -> None:
    app.command("/deal")(guarded(listeners.deal_command))
    app.view("deal_new")(guarded(listeners.submit_deal_modal))
    app.view("deal_lost")(guarded(listeners.submit_lost_modal))
    app.action("deal_advance")(guarded(listeners.move_deal))
    app.action("deal_won")(guarded(listeners.move_deal))
    app.action("deal_lost")(guarded(listeners.open_lost_modal))
    app.action("deal_congratulate")(guarded(listeners.congratulate_deal))
