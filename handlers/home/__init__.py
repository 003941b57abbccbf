"""The App Home tab: a personal dashboard (and a team section for managers), kept fresh."""

from bot.kit.views.home import ORDER_ACTION, REDEEM_ACTION
from handlers.features import Feature
from handlers.home import listeners

FEATURE = Feature(
    name="home",
    actions={
        REDEEM_ACTION: listeners.redeem_clicked,
        ORDER_ACTION: listeners.order_clicked,
    },
    events={
        "app_home_opened": listeners.home_opened,
    },
    middleware=(listeners.refresh_after_listeners,),
)
