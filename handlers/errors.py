"""What the user hears when a listener fails, before or after it acknowledged the request.

Listeners are registered through `guarded`, which answers Slack as soon as a listener acks and
lets it finish its work afterwards; it handles failures after the ack itself (the user gets an
ephemeral "something went wrong" where there is a response_url) and leaves only failures before
it to Bolt's error handler, which answers the request.

When the database is out of reach, the command's answer says so ("try again in a minute"), in
the member's language: remembered from their last request, since it cannot be read then.

When the server is too busy to answer within Slack's deadline, the listener is stopped before it
keeps anything and the user is told so once ("busy, try again in a moment"), in time for Slack to
show it: nothing was saved, so trying again is safe.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.kit.i18n import t
from storage.db import Commitments, is_unavailable, track_commitments

log = logging.getLogger(__name__)

Listener = Callable[..., Awaitable[None]]
GUARD_NEEDS = {"ack", "body", "context"}
SLACK_DEADLINE = 3.0  # seconds: Slack shows the user an error when no answer came by then
# Seconds after a request arrived by which a listener must have answered; what is left of Slack's 3
# seconds carries the "busy" answer back and covers the network between Slack and us both ways.
ACK_TIMEOUT = 2.7
STOP_TIMEOUT = 0.1  # seconds a stopped listener gets to roll back before the busy answer goes out
RECEIVED_AT = "received_at"  # context key: time.monotonic() when the request arrived (bot.server)
LISTENER_TASKS = "listener_tasks"  # context key: the ListenerTasks the server drains at shutdown
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


class ListenerTasks:
    """The tasks `guarded` starts (a listener's work after its ack, a late answer), kept until they
    end: what shutdown waits for and tests wait on, without scanning every task of the loop per request."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self, work: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def running(self) -> set[asyncio.Task[Any]]:
        """Those still running on this event loop (tests run several loops in one process)."""
        loop = asyncio.get_running_loop()
        return {task for task in self._tasks if not task.done() and task.get_loop() is loop}

    async def wait(self, within: float) -> set[asyncio.Task[Any]]:
        """Wait up to `within` seconds for the running ones, and those they start meanwhile; those
        still running then."""
        deadline = time.monotonic() + within
        while (pending := self.running()) and (left := deadline - time.monotonic()) > 0:
            await asyncio.wait(pending, timeout=left)
        return self.running()


# Where a request's context names none (Socket Mode, tests calling listeners directly).
DEFAULT_LISTENER_TASKS = ListenerTasks()


def listener_tasks(context: AsyncBoltContext) -> ListenerTasks:
    return context.get(LISTENER_TASKS) or DEFAULT_LISTENER_TASKS


class AckSignal:
    """Bolt's `ack`, which also tells `guarded` the moment it was called.

    Once `guarded` has answered for a listener (the deadline passed), the listener's own ack comes
    too late for Bolt: it is kept in `late` and sent through the response_url when the work ends."""

    def __init__(self, ack: Any) -> None:
        self._ack = ack
        self.called = asyncio.Event()
        self.wakers: list[Callable[[], None]] = []  # called with the ack (guarded's waits)
        self.abandoned = False  # Bolt stopped waiting: a failure before the ack is only logged
        self.answered_for = False  # guarded answered in the listener's place
        self.late: dict[str, Any] | None = None

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.answered_for:
            self.late = {"text": args[0] if args else kwargs.get("text"), "blocks": kwargs.get("blocks")}
            return None
        try:
            return await self._ack(*args, **kwargs)
        finally:
            self.called.set()
            for wake in list(self.wakers):
                wake()

    @property
    def response(self) -> BoltResponse | None:
        return self._ack.response


def guarded(listener: Listener) -> Listener:
    """Wrap a listener: Bolt gets its answer the moment it acks, and the rest of its work runs on
    in a task (events are acknowledged at once). A failure after the ack is logged and reported,
    never raised into Bolt; a failure before it is, so that Bolt answers (report_before_ack).

    A listener that has not answered ACK_TIMEOUT seconds after the request arrived (an overloaded
    server) is stopped: what it has not committed is rolled back, and the user is told the server is
    busy and nothing was saved, so their retry cannot do it twice. One that has already committed a
    write is not stopped (that write stays); it gets until Slack's deadline to answer, and if it
    cannot, Slack is answered empty and the listener's answer follows through the response_url.

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
        body, context = kwargs["body"], kwargs["context"]
        commitments = Commitments()
        work = listener_tasks(context).start(_to_the_end(listener, {**kwargs, "ack": ack}, commitments))
        if body.get("type") == "event_callback":
            ack.abandoned = True  # nothing to answer: a failure is logged
            return  # Bolt acknowledges an event as soon as this returns
        arrived = context.get(RECEIVED_AT) or time.monotonic()
        await _until_acked(work, ack, arrived + ACK_TIMEOUT)
        if ack.response is None and not work.done() and commitments.permanent:
            # Past the point where stopping would undo anything: give it what is left of Slack's time.
            await _until_acked(work, ack, arrived + SLACK_DEADLINE - STOP_TIMEOUT)
        if work.done() and not work.cancelled() and (error := work.result()) is not None:
            raise error  # failed before acknowledging: Bolt answers, through report_before_ack
        if ack.response is not None or work.done():
            return  # answered; or ended without answering (Bolt answers 404, as to any unhandled request)
        if commitments.permanent:
            ack.abandoned = ack.answered_for = True
            await ack._ack()  # an empty answer: no error shown for work that was done
            log.warning("%s saved its work but gave no answer in time: it follows", listener.__name__)
            return
        # Stop the listener, so what it has not committed is not kept either: the user will try
        # again and must not find it done twice.
        ack.abandoned = True
        work.cancel()
        await asyncio.wait({work}, timeout=STOP_TIMEOUT)
        log.warning("%s gave no answer within %.1f s: stopped, told busy", listener.__name__, ACK_TIMEOUT)
        await answer_busy(ack, body, context)

    return run


async def _until_acked(work: asyncio.Task[Any], ack: AckSignal, deadline: float) -> None:
    """Wait until the listener acks or ends, or the (time.monotonic) deadline passes.

    One future woken by either (no waiter task, no asyncio.wait, per request)."""
    if work.done() or ack.called.is_set():
        return
    loop = asyncio.get_running_loop()
    woken = loop.create_future()

    def wake(*_args: Any) -> None:
        if not woken.done():
            woken.set_result(None)

    work.add_done_callback(wake)
    ack.wakers.append(wake)
    try:
        # loop.time() is time.monotonic() on every platform asyncio supports
        async with asyncio.timeout_at(loop.time() + max(0.0, deadline - time.monotonic())):
            await woken
    except TimeoutError:
        pass
    finally:
        work.remove_done_callback(wake)
        ack.wakers.remove(wake)


async def answer_busy(ack: AckSignal, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """The answer in a stopped listener's place: "busy, nothing was saved, try again in a moment",
    where the user sees it (a command's reply, a modal's first field, or the response_url)."""
    ack.answered_for = True
    busy = t(_locale(context), "error.busy")
    if body.get("command"):
        await ack._ack(text=":hourglass: " + busy)
        return
    if body.get("type") == "view_submission" and (block_id := _first_input(body.get("view") or {})):
        await ack._ack(response_action="errors", errors={block_id: busy})
        return
    await ack._ack()
    if response_url := _response_url(body):
        listener_tasks(context).start(_send(response_url, ":hourglass: " + busy))


def _first_input(view: dict[str, Any]) -> str | None:
    """The block id of the modal's first input (its state lists the inputs, in order)."""
    return next(iter((view.get("state") or {}).get("values") or {}), None)


def _response_url(body: dict[str, Any]) -> str | None:
    return body.get("response_url") or next(iter(body.get("response_urls") or []), {}).get("response_url")


async def _send(response_url: str, text: str | None, blocks: list[Any] | None = None) -> None:
    try:
        await AsyncWebhookClient(response_url).send(
            text=text, blocks=blocks, response_type="ephemeral", replace_original=False
        )
    except Exception as error:  # the user is unreachable; do not fail twice
        log.warning("could not answer the user: %s", type(error).__name__)


async def _to_the_end(
    listener: Listener, kwargs: dict[str, Any], commitments: Commitments
) -> Exception | None:
    """Run the listener; the error it raised before acking (for Bolt to answer), else None."""
    ack: AckSignal = kwargs["ack"]
    context: AsyncBoltContext = kwargs["context"]
    track_commitments(commitments)  # in this task's own context: the commits of the listener's sessions
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
    if ack.late is not None and (response_url := _response_url(kwargs["body"])):
        await _send(response_url, ack.late["text"], ack.late["blocks"])
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
    response_url = _response_url(body)
    if not response_url:
        return  # events and modals have no response_url: the log is all there is
    await _send(response_url, ":warning: " + t(_locale(context), "error.after_ack"))


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
        log.warning("database unavailable: %s (%s)", type(error).__name__, driver_message(error))
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


def driver_message(error: BaseException, limit: int = 120) -> str:
    """The database driver's own words for `error` ("database is locked", "connection was closed
    in the middle of operation"): its first line, without the statement and parameters SQLAlchemy
    adds to its own message."""
    orig = getattr(error, "orig", None) or error.__cause__ or error
    return (str(orig).strip().splitlines() or [""])[0][:limit]


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
