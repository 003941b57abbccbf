"""What the user hears when a listener fails, before or after it acknowledged the request.

Bolt runs a listener as a task and polls for its ack(); when a listener raises moments after
acking, Bolt's error path overwrites the recorded ack with None and the request ends in a 404
(Slack then retries events). So listeners are registered through `guarded`, which handles
failures after the ack itself and leaves only failures before it to Bolt's error handler.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.i18n import t

log = logging.getLogger(__name__)

Listener = Callable[..., Awaitable[None]]
GUARD_NEEDS = {"ack", "body", "context"}


def guarded(listener: Listener) -> Listener:
    """Wrap a listener so a failure after ack() is logged and reported, never re-raised into Bolt."""
    missing = GUARD_NEEDS - set(inspect.getfullargspec(listener).args)
    if missing:
        raise TypeError(f"{listener.__name__} must take {sorted(missing)} to be guarded")

    @functools.wraps(listener)  # Bolt reads the wrapped function's argument names
    async def run(**kwargs: Any) -> None:
        try:
            await listener(**kwargs)
        except Exception as error:
            if kwargs["ack"].response is None:
                raise  # not acknowledged yet: Bolt answers, through report_before_ack
            log.error("%s failed after ack: %s", listener.__name__, type(error).__name__, exc_info=error)
            await tell_after_ack(kwargs["body"], kwargs["context"])

    return run


def _locale(context: AsyncBoltContext) -> str | None:
    member = context.get("member")
    return member.locale if member else None


async def tell_after_ack(body: dict[str, Any], context: AsyncBoltContext) -> None:
    response_url = body.get("response_url") or next(iter(body.get("response_urls") or []), {}).get(
        "response_url"
    )
    if not response_url:
        return  # events and modals have no response_url: the log is all there is
    try:
        await AsyncWebhookClient(response_url).send(
            text=":warning: " + t(_locale(context), "error.after_ack"),
            response_type="ephemeral",
            replace_original=False,
        )
    except Exception as error:  # the user is unreachable; do not fail twice
        log.warning("could not report a failure to the user: %s", type(error).__name__)


async def report_before_ack(
    error: Exception, body: dict[str, Any], context: AsyncBoltContext, response: BoltResponse | None
) -> None:
    """Bolt's global error handler: a slash command still gets a plain ephemeral answer.

    Modals and buttons keep Slack's own error display, which leaves the user's input in place.
    """
    log.error("listener failed: %s", type(error).__name__, exc_info=error)
    if response is not None and body.get("command"):
        response.status = 200
        response.body = json.dumps(
            {"response_type": "ephemeral", "text": ":warning: " + t(_locale(context), "error.try_again")}
        )
        response.headers["content-type"] = ["application/json;charset=utf-8"]
    elif response is None:
        await tell_after_ack(body, context)


def register(app: AsyncApp) -> None:
    app.error(report_before_ack)
