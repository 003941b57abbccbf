"""The buttons of the daily follow-up reminder DM (the DM itself is sent by jobs/follow_ups.py)."""

from bot.kit.views import followups as render
from handlers.features import Feature
from handlers.followups import listeners

FEATURE = Feature(
    name="followups",
    actions={
        render.DONE: listeners.mark_done,
        render.SNOOZE: listeners.snooze,
        render.OPEN: listeners.open_customer,
    },
)
