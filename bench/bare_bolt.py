"""The baseline: a bare Bolt `AsyncApp` with one no-op slash command, served like dealbell serves.

Same signing secret check, same Web API client setup (auth.test against the fake Slack), same
aiohttp handler (Bolt's aiohttp adapter) and shutdown timeout as `bot.server.serve_http` (without its
request timeouts and connection cap);
no database, no middleware, no listener work. Run as `python -m bench.bare_bolt` with the
environment `bench.common.bot_env` gives dealbell.
"""

from __future__ import annotations

import os

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

COMMAND = "/noop"


def build() -> web.Application:
    bolt = AsyncApp(
        client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    )

    @bolt.command(COMMAND)
    async def noop(ack: AsyncAck) -> None:
        await ack()

    async def slack_events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(build(), port=int(os.environ["PORT"]), print=None, access_log=None, shutdown_timeout=25.0)
