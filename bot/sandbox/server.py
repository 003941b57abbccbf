"""`dealbell sandbox`: the fake Slack, the real bot wired to it, and a web page to use them, in one event loop.

Three local listeners: the fake Web API (random port, the bot's SLACK_API_URL), the bot's
`POST /slack/events` (random port, only the sandbox calls it, signed) and the page with its JSON
API on `--port`. Nothing here reaches the internet.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import secrets
import signal
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import create_app
from bot.observability import Metrics
from bot.sandbox.api_panel import WebhookInbox, panel
from bot.sandbox.forward import Forwarder, slack_escape
from bot.sandbox.seed import MANAGER, REPS, WORKSPACE_ZONE, add_people_and_channels, seed_demo
from bot.sandbox.workspace import BOT_USER, TEAM_ID, Message, SandboxSlack
from bot.server import create_web_app, job_services
from bot.settings import OAUTH_SETTINGS, Settings
from bot.slack import SlackConnections
from bot.web import DashboardConfig
from handlers.features import discover, sandbox_commands
from jobs import JOBS
from jobs.base import JobServices
from jobs.runner import run_job
from jobs.schedule_text import describe_schedule
from storage import migrate
from storage.db import Database
from storage.workspaces import WorkspaceDefaults, ensure_workspace, list_workspaces

STATIC = Path(__file__).parent / "static"
LONG_POLL_SECONDS = 20.0
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
TOKEN_HEADER = "X-Sandbox-Token"
TOKEN_PLACEHOLDER = "{{sandbox_token}}"


@dataclass
class Sandbox:
    slack: SandboxSlack
    db: Database
    forwarder: Forwarder
    services: JobServices
    url: str = ""  # the page
    bot_url: str = ""  # the bot's own server: the dashboard (/app) and the office screen (/tv/…)
    # Only the page may drive the sandbox: it sends this session's token, which only it can read.
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    hosts: HostRule = field(default_factory=lambda: HostRule(frozenset()))
    _runners: list[web.AppRunner] = field(default_factory=list)
    bot_url: str = ""  # the bot's own server: its REST API, for the API panel
    inbox: WebhookInbox | None = None

    async def stop(self) -> None:
        self.slack.closing = True
        self.slack.bump()
        await self.forwarder.close()
        for runner in reversed(self._runners):
            await runner.cleanup()  # the bot's cleanup also stops its scheduler and closes the database
        await self.slack.stop()


@dataclass(frozen=True)
class HostRule:
    """The Host names the page answers to (DNS rebinding gets a foreign name, so it is refused).

    Listening on loopback (the default): 127.0.0.1, localhost or [::1] with the page's port. Started
    with an explicit --host (a container's 0.0.0.0 published on another port): those names with any
    port, that host itself, and the names given with --allow-host.
    """

    names: frozenset[str]  # lower case, no port
    port: int | None = None  # None: any port

    def allows(self, host_header: str) -> bool:
        name, _, port = host_header.lower().rpartition(":")
        if not name or "]" in port:  # no port at all ("localhost", "[::1]")
            name, port = host_header.lower(), ""
        return name in self.names and (self.port is None or port == str(self.port))


def host_rule(host: str, port: int, allowed: Sequence[str] = ()) -> HostRule:
    names = {*LOOPBACK_NAMES, *(name.lower() for name in allowed)}
    if host in ("127.0.0.1", "localhost", "::1"):
        return HostRule(frozenset(names), port)
    own = {host.lower(), f"[{host.lower()}]"} - {"0.0.0.0", "[0.0.0.0]", "::", "[::]"}
    return HostRule(frozenset(names | own))


SANDBOX = web.AppKey("sandbox", Sandbox)


def sandbox_settings(database_url: str, api_url: str) -> Settings:
    """The bot's settings: the fake Slack, a fresh signing secret, the sandbox's own database."""
    secret = secrets.token_hex(16)
    one_workspace = {
        name.lower(): None for name in OAUTH_SETTINGS
    }  # the sandbox is one bot token, never OAuth
    return Settings(
        _env_file=None,  # type: ignore[call-arg]  (a real .env's tokens and DATABASE_URL are not the sandbox's)
        slack_bot_token="xoxb-sandbox",
        slack_signing_secret=secret,
        slack_app_token=None,
        **one_workspace,
        slack_api_url=api_url,
        database_url=database_url,
        dealbell_secret_key=secrets.token_hex(16),
        dealbell_timezone=WORKSPACE_ZONE,
    )


async def start_sandbox(
    database_url: str,
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    seed: bool = True,
    scheduler: bool = True,
    allowed_hosts: Sequence[str] = (),
) -> Sandbox:
    """Start everything; `port` 0 picks a free one (tests). The database is migrated first."""
    await asyncio.to_thread(migrate.upgrade, database_url)
    slack = await SandboxSlack().start()
    add_people_and_channels(slack)
    settings = sandbox_settings(database_url, slack.api_url)
    db = Database(database_url)
    if seed:
        await seed_demo(db, slack)
    metrics, connections = Metrics(), SlackConnections()
    services = job_services(settings, db, metrics, connections)
    dashboard = DashboardConfig("sandbox-client", secrets.token_hex(16), slack.api_url, secrets.token_hex(16))
    bot = create_web_app(create_app(settings, db), db, services if scheduler else None, metrics=metrics,
                         connections=connections, dashboard=dashboard)  # fmt: skip
    bot_runner, bot_url = await _listen(bot, "127.0.0.1", 0)
    sandbox = Sandbox(slack, db, Forwarder(slack, bot_url, settings.slack_signing_secret or ""), services)
    sandbox.bot_url = bot_url
    sandbox._runners.append(bot_runner)
    sandbox.bot_url, sandbox.inbox = bot_url, WebhookInbox(db)
    inbox_runner, inbox_url = await _listen(sandbox.inbox.app(), "127.0.0.1", 0)
    sandbox.inbox.url = f"{inbox_url}/hook"
    sandbox._runners.append(inbox_runner)
    try:
        page_runner, sandbox.url = await _listen(page_app(sandbox), host, port)
    except OSError:  # the port is taken: leave nothing running behind the error
        await sandbox.stop()
        raise
    sandbox._runners.append(page_runner)
    sandbox.hosts = host_rule(host, int(sandbox.url.rsplit(":", 1)[1]), allowed_hosts)
    return sandbox


async def _listen(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://{host}:{bound}"


# --- the page's API --------------------------------------------------------------------------------


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def only_the_page(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Any website the user visits can send requests here, and with DNS rebinding read the answers:
    every request must name one of our hosts, and every change must come from the page itself
    (JSON, its own origin, this session's token: none of which another site's page can send)."""
    sandbox = request.app[SANDBOX]
    if not sandbox.hosts.allows(request.headers.get("Host", "")):
        return web.json_response({"ok": False, "error": "unknown Host"}, status=400)
    if request.method != "GET" and request.path.startswith("/api/"):
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"http://{request.host}":
            return web.json_response({"ok": False, "error": "cross-origin request"}, status=403)
        if request.content_type != "application/json":
            return web.json_response({"ok": False, "error": "expected a JSON body"}, status=400)
        if not secrets.compare_digest(request.headers.get(TOKEN_HEADER, ""), sandbox.token):
            return web.json_response({"ok": False, "error": "not the sandbox page's session"}, status=403)
    return await handler(request)


def page_app(sandbox: Sandbox) -> web.Application:
    app = web.Application(client_max_size=256 * 1024, middlewares=[only_the_page])
    app[SANDBOX] = sandbox
    app.router.add_get("/", index)
    app.router.add_get("/favicon.ico", favicon)  # browsers ask for it whatever the page says
    app.router.add_static("/static", STATIC)
    app.router.add_get("/files/{file_id}", uploaded_file)
    app.router.add_get("/dashboard", dashboard_link)
    app.router.add_get("/api/commands", commands)
    app.router.add_get("/api/state", state)
    app.router.add_post("/api/command", command)
    app.router.add_post("/api/message", message)
    app.router.add_post("/api/action", action)
    app.router.add_post("/api/submit", submit)
    app.router.add_post("/api/options", options)
    app.router.add_post("/api/close", close)
    app.router.add_post("/api/react", react)
    app.router.add_post("/api/home", home)
    app.router.add_get("/api/jobs", jobs_list)
    app.router.add_post("/api/jobs/run", jobs_run)
    app.router.add_get("/api/api-panel", api_panel)
    return app


async def api_panel(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    return web.json_response(panel(sandbox.bot_url, sandbox.inbox))


async def index(request: web.Request) -> web.Response:
    """The page, with this session's token for app.js to send (other sites cannot read it)."""
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    page = page.replace(TOKEN_PLACEHOLDER, request.app[SANDBOX].token)
    return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})


async def dashboard_link(request: web.Request) -> web.Response:
    """The dashboard signed in as the acting member: the fake Slack's browser session becomes theirs,
    then the real Sign in with Slack runs against the fake (bot/web)."""
    sandbox = request.app[SANDBOX]
    user = request.query.get("user", "")
    if user not in sandbox.slack.users:
        raise refused("unknown user")
    sandbox.slack.sign_in_browser(user)
    raise web.HTTPFound(f"{sandbox.bot_url}/app/login")


async def favicon(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "favicon.svg", headers={"Content-Type": "image/svg+xml"})


async def uploaded_file(request: web.Request) -> web.Response:
    data = request.app[SANDBOX].slack.uploads.get(request.match_info["file_id"])
    if data is None:
        raise web.HTTPNotFound()
    kind = "image/png" if data.startswith(b"\x89PNG") else "application/octet-stream"
    return web.Response(body=data, content_type=kind)


async def _body(request: web.Request) -> tuple[Sandbox, dict[str, Any], str]:
    """The sandbox, the JSON body, and the member acting (one of the workspace's people)."""
    sandbox = request.app[SANDBOX]
    try:
        body = await request.json()
    except ValueError:
        raise refused("expected a JSON body") from None
    user = body.get("user", "")
    if user not in sandbox.slack.users or user == BOT_USER:
        raise refused("choose someone from the workspace to act as")
    return sandbox, body, user


def refused(error: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"ok": False, "error": error}), content_type="application/json")


def _people(slack: SandboxSlack) -> list[dict[str, Any]]:
    return [
        {"id": u["id"], "name": u["name"], "real_name": u.get("real_name", ""), "tz": u.get("tz", "UTC"),
         "is_bot": bool(u.get("is_bot")), "manager": u["id"] == MANAGER.id}
        for u in slack.users.values()
    ]  # fmt: skip


async def state(request: web.Request) -> web.Response:
    """Everything the page shows for one user; waits (long poll) while nothing changed since `since`."""
    slack = request.app[SANDBOX].slack
    user = request.query.get("user") or REPS[0].id
    since = request.query.get("since")
    if since is not None and since.isdigit():
        await slack.changed_since(int(since), LONG_POLL_SECONDS)
    stack = slack.modals.get(user) or []
    return web.json_response({
        "version": slack.version,
        "team": {"id": TEAM_ID, "name": "Acme Sales"},
        "people": _people(slack),
        "default_user": REPS[0].id,
        "channels": [{"id": c.id, "name": c.name} for c in slack.channels.values()],
        "messages": [m.public() for m in slack.visible_to(user)],
        "modal": stack[-1] if stack else None,
        "modal_depth": len(stack),
        "home": slack.homes.get(user),
    })  # fmt: skip


async def commands(_request: web.Request) -> web.Response:
    """The composer's slash commands, from the features' declarations (as manifest.yml lists them)."""
    return web.json_response(sandbox_commands(discover()))


async def command(request: web.Request) -> web.Response:
    sandbox, body, user = await _body(request)
    name = body.get("command", "")
    if name not in {c["command"] for c in sandbox_commands(discover())}:
        return web.json_response({"ok": False, "error": f"{name} is not a dealbell command"}, status=400)
    answer = await sandbox.forwarder.command(user, body.get("channel", ""), name, body.get("text", ""))
    return web.json_response({"ok": answer.status == 200, "status": answer.status})


async def message(request: web.Request) -> web.Response:
    """A plain message from a member (the bot does not read them, but people can react to them)."""
    sandbox, body, user = await _body(request)
    text = (body.get("text") or "").strip()
    channel = body.get("channel", "")
    if not text or channel not in sandbox.slack.channels:
        return web.json_response({"ok": False}, status=400)
    posted = sandbox.slack.post(Message(channel, sandbox.slack.new_ts(), user, slack_escape(text)))
    return web.json_response({"ok": True, "ts": posted.ts})


async def action(request: web.Request) -> web.Response:
    """A click or a choice: in a message (channel + ts) or in a modal or the Home (view_id)."""
    sandbox, body, user = await _body(request)
    chosen = body.get("action") or {}
    if body.get("view_id"):
        answer = await sandbox.forwarder.view_action(user, body["view_id"], chosen, body.get("values") or {})
    else:
        answer = await sandbox.forwarder.message_action(
            user, body.get("channel", ""), body.get("ts", ""), chosen
        )
    return web.json_response({"ok": answer.status == 200, "status": answer.status})


async def submit(request: web.Request) -> web.Response:
    sandbox, body, user = await _body(request)
    answer = await sandbox.forwarder.view_submission(user, body.get("view_id", ""), body.get("values") or {})
    reply = answer.body if isinstance(answer.body, dict) else {}
    errors = reply.get("errors") if reply.get("response_action") == "errors" else None
    return web.json_response({"ok": answer.status == 200, "status": answer.status, "errors": errors})


async def options(request: web.Request) -> web.Response:
    """A modal's type-ahead menu asks for its options (an external_select: Slack's block_suggestion)."""
    sandbox, body, user = await _body(request)
    answer = await sandbox.forwarder.options(
        user,
        body.get("view_id", ""),
        body.get("block_id", ""),
        body.get("action_id", ""),
        str(body.get("value", "")),
    )
    reply = answer.body if isinstance(answer.body, dict) else {}
    return web.json_response(
        {
            "ok": answer.status == 200,
            "options": reply.get("options") or [],
            "option_groups": reply.get("option_groups"),
        }
    )


async def close(request: web.Request) -> web.Response:
    sandbox, _, user = await _body(request)
    sandbox.slack.close_modal(user)
    return web.json_response({"ok": True})


async def react(request: web.Request) -> web.Response:
    sandbox, body, user = await _body(request)
    name = (body.get("name") or "").strip(":")
    answer = await sandbox.forwarder.reaction(user, body.get("channel", ""), body.get("ts", ""), name)
    return web.json_response({"ok": answer is not None and answer.status == 200})


async def home(request: web.Request) -> web.Response:
    sandbox, _, user = await _body(request)
    answer = await sandbox.forwarder.home_opened(user)
    return web.json_response({"ok": answer.status == 200})


async def jobs_list(request: web.Request) -> web.Response:
    """The jobs, each schedule in words in the language of the member the page acts as (`?user=`)."""
    person = request.app[SANDBOX].slack.users.get(request.query.get("user", "")) or {}
    locale = person.get("locale")
    return web.json_response([
        {"name": s.name, "cadence": s.cadence, "description": s.description,
         "schedule": describe_schedule(s.cron, locale)}
        for s in JOBS.values()
    ])  # fmt: skip


def parse_moment(text: str | None) -> dt.datetime | None:
    """An ISO time from the page's clock (UTC when it names no zone); None for 'now'."""
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def run_now(sandbox: Sandbox, name: str, at: dt.datetime | None) -> list[dict[str, Any]]:
    """Run job `name` for every workspace as the schedule would at `at`, the Scheduler panel's clock:
    what is due then, read as of then (the scheduler's period claim is not taken: run as often as you like)."""
    async with sandbox.db.session() as session:
        workspaces = await list_workspaces(session)
        if not workspaces:  # an empty sandbox before anyone typed a command
            defaults = WorkspaceDefaults(timezone=WORKSPACE_ZONE)
            workspaces = [await ensure_workspace(session, TEAM_ID, None, defaults)]
    outcomes = [
        await run_job(JOBS[name], ws, sandbox.services, as_scheduled=False, now=at, on_schedule=True)
        for ws in workspaces
    ]
    return [
        {"job": o.job, "team": o.team_id, "period": o.period.key, "status": o.status,
         "result": None if o.result is None else str(o.result)}
        for o in outcomes
    ]  # fmt: skip


async def jobs_run(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    try:
        body = await request.json()
        at = parse_moment(body.get("at"))
    except ValueError:
        return web.json_response({"ok": False, "error": "expected {name, at?: ISO time}"}, status=400)
    if body.get("name") not in JOBS:
        return web.json_response({"ok": False, "error": "unknown job"}, status=400)
    outcomes = await run_now(sandbox, body["name"], at)
    return web.json_response({"ok": all(o["status"] == "ran" for o in outcomes), "outcomes": outcomes})


# --- the command -----------------------------------------------------------------------------------


def quiet_chatter() -> None:
    """Migrations and the scheduler's job list are noise to someone trying the sandbox; DEBUG keeps them."""
    if logging.getLogger().level > logging.DEBUG:
        for name in ("alembic", "apscheduler"):
            logging.getLogger(name).setLevel(logging.WARNING)


def start_note(url: str, path: Path, kept: bool) -> str:
    """What the terminal shows at start: where to go, and whether the data outlives a restart."""
    where = (
        f"database: {path}"
        if kept
        else f"database: {path}, deleted when the sandbox stops: `--db FILE` keeps it across restarts"
    )
    return (
        "dealbell sandbox: a local Slack workspace with the real bot; nothing goes to Slack.\n"
        f"  open {url} in your browser   (Ctrl+C stops)\n  {where}"
    )


async def serve(
    port: int,
    *,
    empty: bool = False,
    database: Path | None = None,
    host: str = "127.0.0.1",
    allowed_hosts: Sequence[str] = (),
) -> None:
    """Run the sandbox until Ctrl+C or SIGTERM. Without `database`, a fresh SQLite file in a temp folder."""
    with tempfile.TemporaryDirectory(prefix="dealbell-sandbox-") as folder:
        path = database or Path(folder) / "sandbox.db"
        quiet_chatter()
        for name in OAUTH_SETTINGS:  # Bolt turns OAuth on by itself when it sees these: not in the sandbox
            os.environ.pop(name, None)
        sandbox = await start_sandbox(
            f"sqlite:///{path}", port=port, host=host, seed=not empty, allowed_hosts=allowed_hosts
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        print(start_note(sandbox.url, path, kept=database is not None), flush=True)
        try:
            await stop.wait()
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
            await sandbox.stop()
