"""`/kudos` and reaction kudos: thank peers where the team talks."""

from slack_bolt.async_app import AsyncApp

from handlers.errors import guarded
from handlers.kudos import listeners


def register(app: AsyncApp) -> None:
    app.command("/kudos")(guarded(listeners.kudos_command))
    app.view("kudos_new")(guarded(listeners.submit_kudos_modal))
    app.action("kudos_metoo")(guarded(listeners.me_too))
    app.action("kudos_undo")(guarded(listeners.undo))
    app.event("reaction_added")(guarded(listeners.reaction_added))
    app.event("reaction_removed")(guarded(listeners.reaction_removed))
