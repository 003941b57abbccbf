"""What the user hears when a listener fails, before or after it acknowledged the request.

Listeners are registered through `guarded`, which answers Slack as soon as a listener acks and
lets it finish its work afterwards; it handles failures after the ack itself (the user gets an
ephemeral "something went wrong" where there is a response_url) and leaves only failures before
it to Bolt's error handler, which answers the request.

When the database is out of reach, the command's answer says so ("try again in a minute"), in
the member's language: remembered from their last request, since it cannot be read then.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.kit.i18n import t
from storage.db import is_unavailable

log = logging.getLogger(__name__)

Listener = Callable[..., Awaitable[None]]
GUARD_NEEDS = {"ack", "body", "context"}
ACK_TIMEOUT = 3.0  # seconds: Slack shows the user an error when no answer came by then
AFTER_LISTENER = "after_listener"  # context key: async (body, context) -> None, run after each listener
REMEMBERED_LOCALES = 10_000  # (team, user) -> locale, most recent kept; a few hundred KB at most


class Locales:
    """Members' locales as last loaded, per app, for answering when the database cannot be read."""

    def __init__(self, size: int = REMEMBERED_LOCALES) -> None:
        self.size = size
        self._known: OrderedDict[tuple[str, str], str] = OrderedDict()

    @staticmethod
    def _key(context: AsyncBoltContext) -> tuple[str, str]:
        return context.get("team_id") or "", context.get("user_id") or ""

    def remember(self, context: AsyncBoltContext, locale: str) -> None:
        key = self._key(context)
        self._known[key] = locale
        self._known.move_to_end(key)
        if len(self._known) > self.size:
            self._known.popitem(last=False)

    def recall(self, context: AsyncBoltContext) -> str | None:
        return self._known.get(self._key(context))


class AckSignal:
    """Bolt's `ack`, which also tells `guarded` the moment it was called."""

    def __init__(self, ack: Any) -> None:
        self._ack = ack
        self.called = asyncio.Event()
        self.abandoned = False  # Bolt stopped waiting: a failure before the ack is only logged

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await self._ack(*args, **kwargs)
        finally:
            self.called.set()

    @property
    def response(self) -> BoltResponse | None:
        return self._ack.response


def guarded(listener: Listener) -> Listener:
    """Wrap a listener: Bolt gets its answer the moment it acks, and the rest of its work runs on
    in a task (events are acknowledged at once). A failure after the ack is logged and reported,
    never raised into Bolt; a failure before it is, so that Bolt answers (report_before_ack).

    Bolt can do the same itself (process_before_response=False), but it polls for the ack every
    10 ms, which adds up to 10 ms to every answer and wakes the loop 100 times a second per request
    waiting. After the work, the hook the app put in the context under AFTER_LISTENER runs (the
    App Home refresh)."""
    missing = GUARD_NEEDS - set(inspect.getfullargspec(listener).args)
    if missing:
        raise TypeError(f"{listener.__name__} must take {sorted(missing)} to be guarded")

    @functools.wraps(listener)  # Bolt reads the wrapped function's argument names
    async def run(**kwargs: Any) -> None:
        ack = AckSignal(kwargs["ack"])
        work = asyncio.create_task(_to_the_end(listener, {**kwargs, "ack": ack}))
        if kwargs["body"].get("type") == "event_callback":
            ack.abandoned = True  # nothing to answer: a failure is logged
            return  # Bolt acknowledges an event as soon as this returns
        acked = asyncio.create_task(ack.called.wait())
        try:
            await asyncio.wait({work, acked}, timeout=ACK_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        finally:
            acked.cancel()
        if work.done() and (error := work.result()) is not None:
            raise error  # failed before acknowledging: Bolt answers, through report_before_ack
        if ack.response is None:
            # No answer within Slack's 3 s: Bolt answers 404 and Slack shows the user an error. Stop
            # the listener, so what it has not committed yet is not kept either: the user will try
            # again and must not find it done twice.
            ack.abandoned = True
            work.cancel()
            log.warning("%s gave no answer within %.0f s: stopped", listener.__name__, ACK_TIMEOUT)

    return run


async def _to_the_end(listener: Listener, kwargs: dict[str, Any]) -> Exception | None:
    """Run the listener; the error it raised before acking (for Bolt to answer), else None."""
    ack: AckSignal = kwargs["ack"]
    context: AsyncBoltContext = kwargs["context"]
    try:
        await listener(**kwargs)
    except Exception as error:
        if ack.response is None:
            if not ack.abandoned:
                return error
            log.error("%s failed: %s", listener.__name__, type(error).__name__, exc_info=error)
            return None
        log.error("%s failed after ack: %s", listener.__name__, type(error).__name__, exc_info=error)
        await tell_after_ack(kwargs["body"], context)
    after = context.get(AFTER_LISTENER)
    if after is not None:
        try:
            await after(kwargs["body"], context)
        except Exception as error:  # what follows a listener must never fail it
            log.warning("after %s: %s", listener.__name__, type(error).__name__, exc_info=error)
    return None


def _locale(context: AsyncBoltContext, locales: Locales | None = None) -> str | None:
    member = context.get("member")
    if member:
        return member.locale
    return locales.recall(context) if locales is not None else None


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
    error: Exception,
    body: dict[str, Any],
    context: AsyncBoltContext,
    response: BoltResponse | None,
    locales: Locales | None = None,
) -> None:
    """Bolt's global error handler: a slash command still gets a plain ephemeral answer.

    Modals and buttons keep Slack's own error display, which leaves the user's input in place.
    """
    unavailable = is_unavailable(error)
    if unavailable:  # expected while it lasts: one line, no traceback per request
        log.warning("database unavailable: %s", type(error).__name__)
    else:
        log.error("listener failed: %s", type(error).__name__, exc_info=error)
    if response is not None and body.get("command"):
        key = "error.database_unavailable" if unavailable else "error.try_again"
        response.status = 200
        response.body = json.dumps(
            {"response_type": "ephemeral", "text": ":warning: " + t(_locale(context, locales), key)}
        )
        response.headers["content-type"] = ["application/json;charset=utf-8"]
    elif response is None:
        await tell_after_ack(body, context)


def register(app: AsyncApp) -> None:
    """After handlers.middleware.register: `remember_locale` reads the member it loads."""
    locales = Locales()

    async def remember_locale(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        member = context.get("member")
        if member is not None and member.locale:
            locales.remember(context, member.locale)
        await next()

    async def report(
        error: Exception, body: dict[str, Any], context: AsyncBoltContext, response: BoltResponse | None
    ) -> None:
        await report_before_ack(error, body, context, response, locales)

    app.use(remember_locale)
    app.error(report)
