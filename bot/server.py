"""Serving: aiohttp for HTTP mode (`POST /slack/events`, `GET /healthz`, `/readyz`, `/metrics`) and Socket Mode."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web
from alembic.runtime.migration import MigrationContext
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot import __version__
from bot.api import ApiOptions, setup_api
from bot.app import create_app
from bot.installations import Installations
from bot.integrations import setup_integrations, win_celebrator
from bot.logs import install_redaction
from bot.observability import Metrics, describe_request, job_outcome_counter, status_class
from bot.settings import Settings, SettingsError
from bot.slack import SlackConnections, make_client
from bot.web import DashboardConfig, dashboard_config, mount, security_headers
from handlers.errors import LISTENER_TASKS, RECEIVED_AT, ListenerTasks
from jobs.base import JobServices
from jobs.scheduler import build_scheduler, sync_workspace_jobs
from storage.db import POSTGRES_POOL, Database
from storage.migrate import head_revision
from storage.models import Workspace
from storage.webhooks import RetryPolicy

log = logging.getLogger(__name__)
request_log = logging.getLogger("dealbell.requests")

DB = web.AppKey("db", Database)
BOLT = web.AppKey("bolt", AsyncApp)
METRICS = web.AppKey("metrics", Metrics)
HEAD = web.AppKey("head", str)
BACKGROUND = web.AppKey("background", ListenerTasks)
VERIFIER = web.AppKey("verifier", SignatureVerifier)

SHUTDOWN_TIMEOUT = 25.0  # seconds in-flight requests get after SIGTERM (within a typical 30 s grace)
DRAIN_TIMEOUT = 20.0  # seconds Bolt's listeners still running after their ack get to finish
PROBE_TIMEOUT = 2.0  # seconds /healthz and /readyz wait for the database (probes time out too)

# Hostile or broken clients: what a connection may hold before it is closed. Slack sends its whole
# request at once, so these only ever cut off clients that stall.
HEADER_TIMEOUT = 10.0  # seconds from connecting (or from the last answer) to complete request headers
BODY_TIMEOUT = 10.0  # seconds to receive the whole body once its headers are in
LINGER_TIMEOUT = 1.0  # seconds the unread rest of a refused body is drained before the socket closes
MAX_BODY = 1024**2  # bytes; Slack's payloads are a few kB (aiohttp answers 413 beyond)
MAX_CONNECTIONS = 512  # open connections; beyond, a new one gets a 503 and is closed at once
ACCEPT_ERROR_INTERVAL = 60.0  # seconds between two "out of system resource" log lines
MAX_TIMESTAMP_DIGITS = 12  # a Unix time in seconds has 10 digits until the year 2286


# Unique per process start: a container restarted with the same hostname and pid 1 must not renew
# (and so keep alive forever) the job claims its killed predecessor left behind.
PROCESS_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claimant() -> str:
    return PROCESS_ID


def job_services(
    settings: Settings,
    db: Database,
    metrics: Metrics | None = None,
    connections: SlackConnections | None = None,
) -> JobServices:
    """Jobs post with the one bot token, or (OAuth) with each workspace's own installed token."""

    def prepared(client: AsyncWebClient) -> AsyncWebClient:
        if metrics is not None:
            metrics.observe_client(client)
        return connections.attach(client) if connections is not None else client

    if settings.oauth:
        installations = Installations(settings, db)

        def client_for(workspace: Workspace) -> AsyncWebClient:
            return prepared(installations.client_for(workspace))
    else:
        client = prepared(make_client(settings))

        def client_for(workspace: Workspace) -> AsyncWebClient:
            return client

    return JobServices(
        db=db,
        client_for=client_for,
        claimant=claimant(),
        on_outcome=job_outcome_counter(metrics) if metrics is not None else None,
        secret_key=crm_secret_key(settings),
        on_win=win_celebrator(db, client_for),
    )


def crm_secret_key(settings: Settings) -> bytes | None:
    """CRM credentials are sealed with it; without one, CRM sync is off (`dealbell check` says why)."""
    try:
        return settings.secret_key
    except SettingsError:
        return None


def started_work(before: set[asyncio.Task[Any]]) -> set[asyncio.Task[Any]]:
    """Tasks started since `before` and still running, but for aiohttp servers' connection handlers:
    a kept-alive connection's handler lives as long as the connection, whatever it is serving.
    For tests waiting on everything (the fake Slack's work too); requests never scan (ListenerTasks)."""
    return {
        task
        for task in asyncio.all_tasks() - before
        if not task.done() and getattr(task.get_coro(), "__qualname__", "") != "RequestHandler.start"
    }


async def slack_events(request: web.Request) -> web.Response:
    received_at = time.monotonic()
    bolt_request = await to_bolt_request(request)
    bolt_request.context[RECEIVED_AT] = received_at  # Slack's 3 s run from here (handlers.errors.guarded)
    bolt_request.context[LISTENER_TASKS] = request.app[BACKGROUND]  # what shutdown waits for
    bolt_response = await request.app[BOLT].async_dispatch(bolt_request)
    return await to_aiohttp_response(bolt_response)


async def read_body(request: web.Request) -> bytes | None:
    """The whole body, or None when the client stalls for BODY_TIMEOUT (the connection is then closed)."""
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            return await request.read()
    except TimeoutError:
        return None


def refusal(request: web.Request, body: bytes) -> tuple[int, str] | None:
    """Why a request is not served (status, reason), or None for a signed, fresh request from Slack.

    Checked on the raw bytes before anything parses them: nothing an unsigned client sends reaches a
    JSON or form parser, Bolt, or a log line. The headers are checked for shape first because
    SignatureVerifier raises (rather than answering False) on an empty or non-numeric timestamp, one
    too large for a float, or a non-ASCII signature."""
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    well_formed = (
        timestamp.isascii()
        and timestamp.isdigit()
        and len(timestamp) <= MAX_TIMESTAMP_DIGITS
        and signature.isascii()
    )
    if not well_formed:
        return 401, "signature"
    try:
        body.decode()  # Slack sends UTF-8; SignatureVerifier and Bolt decode it and raise otherwise
    except UnicodeDecodeError:
        return 400, "not_utf8"
    if not request.app[VERIFIER].is_valid(body, timestamp, signature):
        return 401, "signature"
    return None


async def slack_install(request: web.Request) -> web.Response:
    """GET /slack/install: the "Add to Slack" page (OAuth mode)."""
    flow = request.app[BOLT].oauth_flow
    return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))


async def slack_oauth_redirect(request: web.Request) -> web.Response:
    """GET /slack/oauth_redirect: Slack's consent screen sends the installer back here with a code."""
    flow = request.app[BOLT].oauth_flow
    return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))


@web.middleware
async def slack_observer(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Around the Bolt dispatch on /slack/events: the body read within BODY_TIMEOUT and its signature
    verified before anything parses it, then latency, counts and one log line. (The listeners' work
    after the ack is tracked where it starts, handlers.errors.ListenerTasks: no task scans here.)"""
    if request.path != "/slack/events" or request.method != "POST" or request.match_info.http_exception:
        return await handler(request)  # not a Slack request, or no such route (Socket Mode): a 404
    started = time.monotonic()
    try:
        body = await read_body(request)
    except web.HTTPRequestEntityTooLarge:
        return refuse(request, 413, "too_large")
    refused = (408, "timeout") if body is None else refusal(request, body)
    if refused is not None:
        return refuse(request, *refused)
    about = describe_request(body, request.content_type)
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        elapsed = time.monotonic() - started
        metrics = request.app[METRICS]
        metrics.requests.labels(about["type"], status_class(status)).inc()
        metrics.latency.labels(about["type"]).observe(elapsed)
        fields = {**about, "status": status, "latency_ms": round(elapsed * 1000, 1)}
        request_log.info(
            "slack %s %s team=%s user=%s status=%s %.0fms",
            about["type"], about["id"], about["team"], about["user"], status, elapsed * 1000,
            extra={"fields": fields},
        )  # fmt: skip


def refuse(request: web.Request, status: int, reason: str) -> web.Response:
    """Counted and logged by reason only: an unverified request's contents are not Slack's and not logged."""
    request.app[METRICS].refused.labels(reason).inc()
    request_log.info("slack request refused: %s status=%s", reason, status,
                     extra={"fields": {"type": "refused", "reason": reason, "status": status}})  # fmt: skip
    response = web.json_response({"error": "invalid request"}, status=status)
    if status == 408:
        response.force_close()  # the client stalled: do not wait for its next request
    return response


async def metrics_endpoint(request: web.Request) -> web.Response:
    """This process's metrics; with several workers (PROMETHEUS_MULTIPROC_DIR set), all of theirs summed."""
    registry = request.app[METRICS].registry
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    body = generate_latest(registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def readyz(request: web.Request) -> web.Response:
    """Ready to serve: the database answers and its schema is at the code's migration head.

    503 while the database is out of reach (a load balancer sends Slack's requests elsewhere), and
    200 again on its own once it is back: pooled connections are pinged before use."""
    head = request.app[HEAD]
    try:
        async with asyncio.timeout(PROBE_TIMEOUT), request.app[DB].engine.connect() as conn:
            current = await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    except Exception:
        return web.json_response(
            {"status": "unavailable", "database": "unreachable", "migrations": "unknown"}, status=503
        )
    if current != head:
        body = {"status": "unavailable", "database": "ok", "migrations": "pending", "current": current,
                "head": head}  # fmt: skip
        return web.json_response(body, status=503)
    return web.json_response({"status": "ok", "database": "ok", "migrations": "current", "revision": head})


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process and its event loop answer. The database's state is in the body, but
    an outage does not fail liveness: restarting every replica cannot bring the database back, and
    a live process keeps answering Slack ("try again in a minute") and recovers by itself when the
    database returns. Readiness (/readyz) is what turns 503 meanwhile."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            reachable = await request.app[DB].ping()
    except TimeoutError:
        reachable = False
    return web.json_response(
        {"status": "ok", "database": "ok" if reachable else "unreachable", "version": __version__}
    )


def create_web_app(
    bolt_app: AsyncApp,
    db: Database,
    services: JobServices | None = None,
    *,
    slack_path: bool = True,
    metrics: Metrics | None = None,
    connections: SlackConnections | None = None,
    close_db: bool = True,
    api_options: ApiOptions | None = None,
    dashboard: DashboardConfig | None = None,
) -> web.Application:
    """The aiohttp application; with `services`, the scheduler runs inside its event loop
    (`close_db=False`: the caller disposes of `db`, as tests sharing one engine do).

    On cleanup (after in-flight requests): Bolt's background listeners finish, the scheduler stops,
    the connections to Slack close, then the database closes."""
    install_redaction()  # also where configure_logging never ran (tests, embedding)
    web_app = web.Application(
        middlewares=[slack_observer],
        client_max_size=MAX_BODY,
        # aiohttp's keep-alive timer runs from the moment a connection opens and after each answer,
        # and closes the connection while no complete request headers have arrived: a header timeout.
        handler_args={"keepalive_timeout": HEADER_TIMEOUT, "lingering_time": LINGER_TIMEOUT},
    )
    web_app[DB] = db
    web_app[VERIFIER] = SignatureVerifier(bolt_app._signing_secret)  # the secret Bolt verifies with
    web_app[BOLT] = bolt_app
    web_app[METRICS] = metrics or Metrics()
    web_app[HEAD] = head_revision() or ""
    web_app[BACKGROUND] = ListenerTasks()
    web_app[METRICS].observe_client(bolt_app.client)
    stop_counting = web_app[METRICS].count_statements(db.engine.sync_engine)
    web_app.on_cleanup.append(lambda _app: _call(stop_counting))
    connections = connections or SlackConnections()
    connections.attach(bolt_app.client)  # Bolt gives each request's client this client's session
    if slack_path:
        web_app.router.add_post("/slack/events", slack_events)
    if bolt_app.oauth_flow is not None:
        web_app.router.add_get(bolt_app.oauth_flow.install_path, slack_install)
        web_app.router.add_get(bolt_app.oauth_flow.redirect_uri_path, slack_oauth_redirect)
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)
    web_app.router.add_get("/metrics", metrics_endpoint)
    # the REST API and the webhook sender (bot/api): jobs' clients, else Bolt's (tests, one workspace)
    api_client_for = services.client_for if services is not None else (lambda _workspace: bolt_app.client)
    setup_api(web_app, db, api_client_for, claimant(), api_options)
    web_app.on_response_prepare.append(security_headers)  # a CSP without inline scripts on every response
    if dashboard is not None:
        mount(web_app, db, dashboard)  # /app (Sign in with Slack) and /tv/<token>: bot/web
    if services is not None and services.secret_key is not None:
        setup_integrations(web_app, services)  # CRM webhooks (bot/integrations)
    web_app.cleanup_ctx.append(_quiet_accept_errors)
    web_app.cleanup_ctx.append(_connections_context(connections))
    if services is not None:
        web_app.cleanup_ctx.append(_scheduler_context(services))
    web_app.cleanup_ctx.append(_drain_background)  # cleanup_ctx unwinds in reverse: this goes first
    if close_db:
        web_app.on_cleanup.append(lambda _app: db.dispose())
    return web_app


async def _call(function: Callable[[], None]) -> None:
    function()


class AcceptErrorLimiter:
    """The event loop's exception handler, but "socket.accept() out of system resource" (out of file
    descriptors) is logged at most once per ACCEPT_ERROR_INTERVAL, with a count and no traceback: asyncio
    reports it on every accept attempt, hundreds of thousands of lines while the process is at its limit."""

    MESSAGE = "socket.accept() out of system resource"

    def __init__(
        self, previous: Callable[[asyncio.AbstractEventLoop, dict[str, Any]], object] | None
    ) -> None:
        self.previous = previous
        self.last_logged: float | None = None
        self.unlogged = 0

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if context.get("message") != self.MESSAGE:
            if self.previous is not None:
                self.previous(loop, context)
            else:
                loop.default_exception_handler(context)
            return
        self.unlogged += 1
        now = time.monotonic()
        if self.last_logged is not None and now - self.last_logged < ACCEPT_ERROR_INTERVAL:
            return
        log.error(
            "%s (%s): %d time(s) since the last report; new connections wait meanwhile",
            self.MESSAGE, context.get("exception"), self.unlogged,
        )  # fmt: skip
        self.last_logged, self.unlogged = now, 0


async def _quiet_accept_errors(_app: web.Application) -> AsyncIterator[None]:
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(AcceptErrorLimiter(previous))
    yield
    loop.set_exception_handler(previous)


class _Refused(asyncio.Protocol):
    """A connection over MAX_CONNECTIONS: answered 503 at once and closed, so its descriptor is freed."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        transport.close()


class CappedTCPSite(web.TCPSite):
    """aiohttp's TCPSite with a cap on open connections (aiohttp itself accepts every connection);
    `reuse_port`: several worker processes listen on the one port (SO_REUSEPORT, the kernel spreads
    new connections among them)."""

    def __init__(self, runner: web.BaseRunner, host: str | None = None, port: int | None = None, *,
                 max_connections: int = MAX_CONNECTIONS, reuse_port: bool = False) -> None:  # fmt: skip
        super().__init__(runner, host, port, reuse_port=reuse_port)
        self.max_connections = max_connections

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with its runner
        server = self._runner.server
        assert server is not None

        def protocol() -> asyncio.Protocol:
            return server() if len(server.connections) < self.max_connections else _Refused()

        self._server = await asyncio.get_running_loop().create_server(
            protocol, self._host, self._port, backlog=self._backlog, reuse_port=self._reuse_port
        )
        self._bound_port = self._server.sockets[0].getsockname()[1]


async def _drain_background(web_app: web.Application) -> AsyncIterator[None]:
    yield
    pending = web_app[BACKGROUND].running()
    if pending:
        log.info("waiting for %d Slack listener(s) to finish", len(pending))
        still = await web_app[BACKGROUND].wait(DRAIN_TIMEOUT)
        if still:
            log.warning(
                "%d Slack listener(s) still running after %ss; stopping anyway", len(still), DRAIN_TIMEOUT
            )


def _connections_context(connections: SlackConnections) -> Callable[[web.Application], AsyncIterator[None]]:
    async def open_connections(_app: web.Application) -> AsyncIterator[None]:
        await connections.open()
        yield
        await connections.close()

    return open_connections


def _scheduler_context(services: JobServices) -> Callable[[web.Application], AsyncIterator[None]]:
    async def run_scheduler(_app: web.Application) -> AsyncIterator[None]:
        scheduler = build_scheduler(services)
        scheduler.start()  # needs the running loop: that is why it starts here
        await sync_workspace_jobs(scheduler, services)
        log.info("scheduler started")
        yield
        scheduler.shutdown(wait=False)
        log.info("scheduler stopped")

    return run_scheduler


def api_options(settings: Settings) -> ApiOptions:
    first = dt.timedelta(seconds=settings.dealbell_webhook_retry_seconds)
    return ApiOptions(retry=RetryPolicy(first=first), poll=min(5.0, settings.dealbell_webhook_retry_seconds))


def serve_http(settings: Settings, port: int, *, scheduler: bool = True, reuse_port: bool = False) -> None:
    db = Database(settings.database_url, **settings.pool_options)
    bolt_app = create_app(settings, db)
    metrics, connections = Metrics(), SlackConnections()
    services = job_services(settings, db, metrics, connections) if scheduler else None
    web_app = create_web_app(
        bolt_app, db, services, metrics=metrics, connections=connections, api_options=api_options(settings),
        dashboard=dashboard_config(settings),
    )  # fmt: skip
    asyncio.run(_serve_until_stopped(web_app, port, reuse_port))
    log.info("dealbell stopped")


async def _serve_until_stopped(web_app: web.Application, port: int, reuse_port: bool = False) -> None:
    """Serve until SIGTERM or SIGINT, then stop accepting, give in-flight requests SHUTDOWN_TIMEOUT,
    then the cleanup above (what `web.run_app` does, with the connection cap it cannot take)."""
    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await CappedTCPSite(runner, port=port, reuse_port=reuse_port).start()
        log.info(
            "dealbell %s listening on port %s (POST /slack/events, GET /healthz, /readyz, /metrics)",
            __version__,
            port,
        )
        await stop.wait()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        await runner.cleanup()


# --- several worker processes ----------------------------------------------------------------------

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's multiprocess mode: metrics in files
WORKER_STOP_TIMEOUT = SHUTDOWN_TIMEOUT + DRAIN_TIMEOUT + 5.0  # seconds a worker gets after SIGTERM


def serve_http_workers(settings: Settings, port: int, workers: int) -> int:
    """`dealbell run --http --workers N`: N processes serving one port (SO_REUSEPORT), the scheduler
    in the first only, /metrics summed over all of them (prometheus-client's multiprocess mode, in a
    directory of this run's own). SIGTERM or SIGINT stops them all gracefully; a worker that dies
    stops the others, and the exit status says so, for the supervisor (systemd, Kubernetes) to restart.

    Each worker loads the settings from the environment itself (the same for all). On PostgreSQL the
    default pool is shared out among them (N workers keep what one process would), so more workers do
    not take more of the database's connections unless DATABASE_POOL_SIZE / _MAX_OVERFLOW say so."""
    if settings.database_url.startswith(("postgres://", "postgresql")):
        for variable, option in (
            ("DATABASE_POOL_SIZE", "pool_size"),
            ("DATABASE_MAX_OVERFLOW", "max_overflow"),
        ):
            os.environ.setdefault(variable, str(math.ceil(POSTGRES_POOL[option] / workers)))
    with tempfile.TemporaryDirectory(prefix="dealbell-metrics-") as metrics_dir:
        os.environ[MULTIPROCESS_DIR] = metrics_dir  # before the workers import prometheus_client
        spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no event loop or pool copied
        processes = [
            spawn.Process(target=_worker, args=(port, index == 0), name=f"dealbell-worker-{index}")
            for index in range(workers)
        ]
        stopping = False

        def stop(_signum: int, _frame: object) -> None:
            nonlocal stopping
            stopping = True
            for process in processes:
                if process.is_alive() and process.pid is not None:
                    os.kill(process.pid, signal.SIGTERM)

        previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
        try:
            for process in processes:
                process.start()
            log.info("dealbell: %d workers on port %s", workers, port)
            multiprocessing.connection.wait([process.sentinel for process in processes])
            if not stopping:
                log.error("a worker stopped (exit code %s): stopping the others", _exit_codes(processes))
                stop(signal.SIGTERM, None)
            for process in processes:
                process.join(WORKER_STOP_TIMEOUT)
                if process.is_alive():
                    process.kill()
                    process.join()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
    return 0 if all(process.exitcode == 0 for process in processes) else 1


def _exit_codes(processes: list[multiprocessing.process.BaseProcess]) -> str:
    return ", ".join(str(p.exitcode) for p in processes if p.exitcode is not None)


def _worker(port: int, scheduler: bool) -> None:
    # Stopped while still starting (before the server's own handlers): a clean exit, not a kill.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    from bot.logs import configure_logging
    from bot.settings import load_settings

    settings = load_settings()
    configure_logging(settings)
    serve_http(settings, port, scheduler=scheduler, reuse_port=True)


async def serve_socket_mode(settings: Settings, port: int) -> None:
    """Socket Mode for Slack, plus `/healthz` over HTTP for the process supervisor."""
    db = Database(settings.database_url, **settings.pool_options)
    bolt_app = create_app(settings, db)
    metrics, connections = Metrics(), SlackConnections()
    services = job_services(settings, db, metrics, connections)
    web_app = create_web_app(
        bolt_app, db, services, slack_path=False, metrics=metrics, connections=connections,
        api_options=api_options(settings), dashboard=dashboard_config(settings),
    )  # fmt: skip
    runner = web.AppRunner(web_app)
    await runner.setup()
    await CappedTCPSite(runner, port=port).start()
    handler = AsyncSocketModeHandler(bolt_app, settings.slack_app_token, web_client=bolt_app.client)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):  # shut down cleanly, as aiohttp does in HTTP mode
        loop.add_signal_handler(signum, stop.set)
    try:
        await handler.connect_async()
        log.info("dealbell %s connected in Socket Mode (GET /healthz on port %s)", __version__, port)
        await stop.wait()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        await handler.close_async()
        await runner.cleanup()
