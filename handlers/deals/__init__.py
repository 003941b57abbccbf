"""`/deal`: log deals and wins, move them through the stages, celebrate wins."""

from slack_bolt.async_app import AsyncApp

from handlers.deals import listeners


def register(app: AsyncApp) -> None:
    app.command("/deal")(listeners.deal_command)
    app.view("deal_new")(listeners.submit_deal_modal)
    app.view("deal_lost")(listeners.submit_lost_modal)
    app.action("deal_advance")(listeners.move_deal)
    app.action("deal_won")(listeners.move_deal)
    app.action("deal_lost")(listeners.open_lost_modal)
    app.action("deal_congratulate")(listeners.congratulate_deal)
