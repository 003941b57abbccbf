"""Slack telling dealbell it was uninstalled or its tokens were revoked."""

from handlers.features import Feature
from handlers.installs import listeners

FEATURE = Feature(
    name="installs",
    # Forgetting a workspace's tokens must not be lost: unguarded, a failure answers 500 and Slack
    # retries the event; guarded would acknowledge it at once and only log the failure.
    unguarded_because="a failure must reach Slack, which then retries the event",
    events={
        "app_uninstalled": listeners.app_uninstalled,
        "tokens_revoked": listeners.tokens_revoked,
    },
)
