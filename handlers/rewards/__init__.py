"""`/reward`: awards with honorary titles, points, monthly nominations and the reward catalogue."""

from slack_bolt.async_app import AsyncApp

from handlers.errors import guarded
from handlers.rewards import listeners


def register(app: AsyncApp) -> None:
    app.command("/reward")(guarded(listeners.reward_command))
    app.action("rewards_nomination_announce")(guarded(listeners.nomination_clicked))
    app.action("rewards_nomination_skip")(guarded(listeners.nomination_clicked))
    app.action("rewards_redemption_approve")(guarded(listeners.redemption_clicked))
    app.action("rewards_redemption_decline")(guarded(listeners.redemption_clicked))
