"""Serving: aiohttp for HTTP mode (`POST /slack/events`, `GET /healthz`) and Socket Mode."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot import __version__
from bot.app import create_app
from bot.settings import Settings
from bot.slack import make_client
from jobs.base import JobServices
from jobs.scheduler import build_scheduler, sync_workspace_jobs
from storage.db import Database

log = logging.getLogger(__name__)

DB = web.AppKey("db", Database)
BOLT = web.AppKey("bolt", AsyncApp)
SERVICES = web.AppKey("services", JobServices)


def claimant() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def job_services(settings: Settings, db: Database) -> JobServices:
    client = make_client(settings)
    return JobServices(db=db, client_for=lambda _workspace: client, claimant=claimant())


async def slack_events(request: web.Request) -> web.Response:
    bolt_request = await to_bolt_request(request)
    bolt_response = await request.app[BOLT].async_dispatch(bolt_request)
    return await to_aiohttp_response(bolt_response)


async def healthz(request: web.Request) -> web.Response:
    if await request.app[DB].ping():
        return web.json_response({"status": "ok", "database": "ok", "version": __version__})
    return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)


def create_web_app(
    bolt_app: AsyncApp, db: Database, services: JobServices | None = None, *, slack_path: bool = True
) -> web.Application:
    """The aiohttp application; with `services`, the scheduler runs inside its event loop."""
    web_app = web.Application()
    web_app[DB] = db
    web_app[BOLT] = bolt_app
    if slack_path:
        web_app.router.add_post("/slack/events", slack_events)
    web_app.router.add_get("/healthz", healthz)
    if services is not None:
        web_app.cleanup_ctx.append(_scheduler_context(services))
    web_app.on_cleanup.append(lambda _app: db.dispose())
    return web_app


def _scheduler_context(services: JobServices) -> Callable[[web.Application], AsyncIterator[None]]:
    async def run_scheduler(_app: web.Application) -> AsyncIterator[None]:
        scheduler = build_scheduler(services)
        scheduler.start()  # needs the running loop: that is why it starts here
        await sync_workspace_jobs(scheduler, services)
        yield
        scheduler.shutdown(wait=False)

    return run_scheduler


def serve_http(settings: Settings, port: int) -> None:
    db = Database(settings.database_url)
    bolt_app = create_app(settings, db)
    web_app = create_web_app(bolt_app, db, job_services(settings, db))
    log.info("dealbell %s listening on port %s (POST /slack/events, GET /healthz)", __version__, port)
    web.run_app(web_app, port=port, print=None, access_log=None)


async def serve_socket_mode(settings: Settings, port: int) -> None:
    """Socket Mode for Slack, plus `/healthz` over HTTP for the process supervisor."""
    db = Database(settings.database_url)
    bolt_app = create_app(settings, db)
    runner = web.AppRunner(create_web_app(bolt_app, db, job_services(settings, db), slack_path=False))
    await runner.setup()
    await web.TCPSite(runner, port=port).start()
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
