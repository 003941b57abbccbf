"""`/intel`: competitor notes, and win/loss against each competitor."""

from slack_bolt.async_app import AsyncApp

from handlers.errors import guarded
from handlers.intel import listeners


def register(app: AsyncApp) -> None:
    app.command("/intel")(guarded(listeners.intel_command))
