"""The App Home tab: a personal dashboard (and a team section for managers), kept fresh."""

from slack_bolt.async_app import AsyncApp

from bot.kit.views.home import REDEEM_ACTION
from handlers.errors import guarded
from handlers.home import listeners


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(guarded(listeners.home_opened))
    app.action(REDEEM_ACTION)(guarded(listeners.redeem_clicked))
    app.use(listeners.refresh_after_listeners)
