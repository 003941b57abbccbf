"""Routes of the dashboard: Sign in with Slack, the pages and their CSVs, the office screen."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web
from markupsafe import Markup
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kit.format import money, percent
from bot.kit.i18n import t
from bot.settings import Settings
from bot.web import pages
from bot.web.html import attrs, link, page, query, table, tag
from bot.web.sessions import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    SIGN_IN_COOKIE,
    SIGN_IN_SECONDS,
    Session,
    clear_cookie,
    derive_key,
    new_session_values,
    session_of,
    set_cookie,
    sign,
    unsign,
)
from storage import leaderboard
from storage.authority import NotAllowed
from storage.dashboard import (
    create_tv_link,
    has_tv_link,
    hidden_from_public_boards,
    revoke_tv_link,
    workspace_for_tv_token,
)
from storage.db import Database
from storage.goals import current_period
from storage.models import Member, Workspace, utcnow
from storage.periods import workspace_zone
from storage.scorecards import scorecards, scored_members
from storage.workspaces import get_member, get_workspace, get_workspace_by_id

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
SCOPES = "openid profile email"
# Every response: scripts only from this server (no inline script, no eval), nothing from elsewhere.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
TV_POLL = 0.5  # seconds between two looks at the week's board for the office screens
TV_KEEPALIVE = 15.0  # seconds between comments that keep proxies from closing an idle stream


@dataclass(frozen=True)
class DashboardConfig:
    client_id: str
    client_secret: str
    api_url: str  # Slack's Web API (the fake's in tests and the sandbox)
    secret: str  # signs the cookies (a key is derived from it)

    @property
    def authorize_url(self) -> str:
        """Slack's OpenID Connect authorize page, on the Web API's host (slack.com, or the fake)."""
        parts = urlsplit(self.api_url)
        return f"{parts.scheme}://{parts.netloc}/openid/connect/authorize"


def dashboard_config(settings: Settings) -> DashboardConfig | None:
    """The dashboard is on when the app's client id and secret are set (Sign in with Slack needs them)."""
    if not (settings.slack_client_id and settings.slack_client_secret):
        return None
    secret = settings.dealbell_secret_key or settings.slack_signing_secret or settings.slack_client_secret
    return DashboardConfig(
        settings.slack_client_id, settings.slack_client_secret, settings.slack_api_url, secret
    )


CONFIG = web.AppKey("dashboard_config", DashboardConfig)
KEY = web.AppKey("dashboard_key", bytes)
DATABASE = web.AppKey("dashboard_db", Database)
STOPPING = web.AppKey("dashboard_stopping", asyncio.Event)  # set on shutdown: the office screens' streams end


def mount(web_app: web.Application, db: Database, config: DashboardConfig) -> None:
    web_app[CONFIG], web_app[KEY], web_app[DATABASE] = config, derive_key(config.secret), db
    web_app[STOPPING] = asyncio.Event()
    web_app.on_shutdown.append(_stop_streams)
    router = web_app.router
    router.add_get("/app/signin", sign_in_page)
    router.add_get("/app/login", login)
    router.add_get("/app/callback", callback)
    router.add_post("/app/logout", logout)
    router.add_static("/app/static", STATIC)
    router.add_get("/app", page_handler("overview"))
    for name in pages.PAGES:
        router.add_get(f"/app/{name}", page_handler(name))
        router.add_get(f"/app/{name}.csv", csv_handler(name))
    router.add_get("/app/reps/{user:[A-Za-z0-9]+}", rep_page)
    router.add_get("/app/reps/{user:[A-Za-z0-9]+}.csv", rep_csv)
    router.add_get("/app/tv", tv_settings)
    router.add_post("/app/tv", tv_change)
    router.add_get("/tv/{token}", tv_page)
    router.add_get("/tv/{token}/events", tv_events)


async def security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")  # the TV link never leaks as a referrer


def _html(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def refused_page(status: int, key: str, locale: str | None = None) -> web.Response:
    body = tag("p", t(locale, key), class_="refused") + tag(
        "p", link("/app/signin", t(locale, "dashboard.sign_in"))
    )
    return _html(page(t(locale, "dashboard.title"), body, locale=locale), status)


# --- Sign in with Slack ----------------------------------------------------------------------------


async def sign_in_page(request: web.Request) -> web.Response:
    locale = request.query.get("lang")
    body = tag("p", link("/app/login", t(locale, "dashboard.sign_in_with_slack"), class_="button"))
    return _html(page(t(locale, "dashboard.title"), body, locale=locale))


def _redirect_uri(request: web.Request) -> str:
    return f"{request.url.origin()}/app/callback"


async def login(request: web.Request) -> web.Response:
    """Off to Slack's consent page with a fresh state and nonce, kept in a signed cookie to check on return."""
    config = request.app[CONFIG]
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    params = {"response_type": "code", "scope": SCOPES, "client_id": config.client_id, "state": state,
              "nonce": nonce, "redirect_uri": _redirect_uri(request)}  # fmt: skip
    response = web.HTTPFound(f"{config.authorize_url}?{urlencode(params)}")
    cookie = sign(request.app[KEY], SIGN_IN_COOKIE, {"state": state, "nonce": nonce}, SIGN_IN_SECONDS)
    set_cookie(response, request, SIGN_IN_COOKIE, cookie, SIGN_IN_SECONDS)
    raise response


def id_token_claims(id_token: str) -> dict[str, Any]:
    """The claims of the id_token openid.connect.token returned. Read without checking the signature:
    it came straight from Slack over TLS, which OpenID Connect Core 3.1.3.7 (6) accepts instead."""
    try:
        payload = id_token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


async def _identity(request: web.Request, code: str, nonce: str) -> tuple[str, str] | None:
    """(team id, user id) Slack vouches for, or None when the exchange or the nonce fails."""
    config = request.app[CONFIG]
    client = AsyncWebClient(base_url=config.api_url)
    try:
        answer = await client.openid_connect_token(
            client_id=config.client_id, client_secret=config.client_secret, code=code,
            redirect_uri=_redirect_uri(request),
        )  # fmt: skip
        claims = id_token_claims(str(answer.get("id_token", "")))
        fresh = claims.get("aud") == config.client_id and int(claims.get("exp", 0)) > time.time()
        if not fresh or not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
            return None
        info = await AsyncWebClient(
            base_url=config.api_url, token=str(answer["access_token"])
        ).openid_connect_userInfo()
    except SlackApiError as exc:
        log.info("sign in with Slack refused by Slack: %s", exc.response.get("error"))
        return None
    team, user = info.get("https://slack.com/team_id"), info.get("https://slack.com/user_id")
    if team != claims.get("https://slack.com/team_id") or user != claims.get("https://slack.com/user_id"):
        return None
    return str(team), str(user)


async def callback(request: web.Request) -> web.StreamResponse:
    """Slack sends the member back with a code: check the state, exchange the code, check the nonce,
    then let in only a present member of an installed workspace."""
    started = unsign(request.app[KEY], SIGN_IN_COOKIE, request.cookies.get(SIGN_IN_COOKIE))
    state = request.query.get("state", "")
    if (
        started is None
        or not hmac.compare_digest(str(started["state"]), state)
        or "code" not in request.query
    ):
        return refused_page(400, "dashboard.error.sign_in_failed")
    identity = await _identity(request, request.query["code"], str(started["nonce"]))
    if identity is None:
        return refused_page(400, "dashboard.error.sign_in_failed")
    team_id, user_id = identity
    async with request.app[DATABASE].session() as session:
        workspace = await get_workspace(session, team_id)
        member = None
        if workspace is not None and workspace.uninstalled_at is None:
            member = await get_member(session, workspace.id, user_id)
    if member is None or member.deleted or member.is_bot:
        return refused_page(403, "dashboard.error.not_a_member")
    response = web.HTTPFound("/app")
    values = new_session_values(workspace.id, user_id)
    set_cookie(response, request, SESSION_COOKIE, sign(request.app[KEY], SESSION_COOKIE, values, SESSION_SECONDS),
               SESSION_SECONDS)  # fmt: skip
    clear_cookie(response, SIGN_IN_COOKIE)
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    session = session_of(request.app[KEY], request)
    form = await request.post()
    if session is None or not hmac.compare_digest(str(form.get("csrf", "")), session.csrf):
        return refused_page(403, "dashboard.error.csrf")
    response = web.HTTPFound("/app/signin")
    clear_cookie(response, SESSION_COOKIE)
    raise response


# --- who is looking -------------------------------------------------------------------------------

Handler = Callable[[web.Request, AsyncSession, pages.Viewer, Session], Awaitable[web.StreamResponse]]


def signed_in(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Only with a valid session of a present member of a still-installed workspace; otherwise to sign in."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        session = session_of(request.app[KEY], request)
        if session is None:
            raise web.HTTPFound("/app/signin")
        async with request.app[DATABASE].session() as db_session:
            workspace = await get_workspace_by_id(db_session, session.workspace_id)
            member = (
                None if workspace is None else await get_member(db_session, workspace.id, session.user_id)
            )
            if workspace is None or workspace.uninstalled_at is not None or member is None or member.deleted:
                response = web.HTTPFound("/app/signin")
                clear_cookie(response, SESSION_COOKIE)
                raise response
            return await handler(request, db_session, pages.Viewer(workspace, member), session)

    return guarded


def _period(request: web.Request, viewer: pages.Viewer) -> pages.Period:
    """The period asked for; a bad one is a 400 that says what is wrong."""
    q = request.query
    try:
        return pages.chosen_period(q.get("p", "month"), q.get("at", ""), q.get("from", ""), q.get("to", ""),
                                   utcnow(), workspace_zone(viewer.workspace))  # fmt: skip
    except pages.BadPeriod:
        raise web.HTTPBadRequest(text=t(viewer.locale, "dashboard.error.period")) from None


def _nav(viewer: pages.Viewer, session: Session) -> Markup:
    locale = viewer.locale
    shown = [name for name, (_, managers) in pages.PAGES.items() if viewer.manager or not managers]
    links = [link(f"/app/{name}", t(locale, f"dashboard.nav.{name}")) for name in shown]
    links.append(link(f"/app/reps/{viewer.member.slack_user_id}", t(locale, "dashboard.nav.me")))
    if viewer.member.is_workspace_admin:
        links.append(link("/app/tv", t(locale, "dashboard.nav.tv")))
    sign_out = Markup(
        '<form method="post" action="/app/logout"><input type="hidden" name="csrf"{}>{}</form>'
    ).format(attrs(value=session.csrf), tag("button", t(locale, "dashboard.sign_out"), type="submit"))
    return tag("strong", viewer.workspace.name or "dealbell") + Markup(" ").join(links) + sign_out


def _period_form(request: web.Request, period: pages.Period, locale: str | None) -> Markup:
    options = Markup("").join(
        tag(
            "option",
            t(locale, f"dashboard.period.{kind}"),
            value=kind,
            selected="" if kind == period.kind else None,
        )
        for kind in pages.KINDS
    )
    last = period.end - pages.dt.timedelta(days=1)
    return Markup('<form class="period" method="get">{}{}{}{}</form>').format(
        tag("label", t(locale, "dashboard.period"), Markup(tag("select", Markup(options), name="p"))),
        tag("label", t(locale, "dashboard.from"), Markup(tag("input", "", type="date", name="from", value=period.start.isoformat()))),
        tag("label", t(locale, "dashboard.to"), Markup(tag("input", "", type="date", name="to", value=last.isoformat()))),
        tag("button", t(locale, "dashboard.show"), type="submit"),
    )  # fmt: skip


def _sections_html(
    sections: list[pages.Section], csv_path: str, request: web.Request, locale: str | None
) -> Markup:
    out = Markup("")
    for section in sections:
        out += tag("h2", section.title)
        if section.figures:
            out += tag("ul", *(Markup(tag("li", section_label, Markup(tag("b", value, data_metric=key))))
                               for key, section_label, value in section.figures), class_="figures")  # fmt: skip
        for label, value in section.meters:
            out += tag("p", label + " ", Markup(tag("meter", percent(value), min="0", max="100",
                                                    value=str(min(value or 0, 100)))), " " + percent(value))  # fmt: skip
        csv = query(csv_path, **{**request.query, "table": section.key})
        out += table(
            section.columns,
            section.rows,
            csv=csv,
            chart=section.chart,
            sortable=section.sortable,
            locale=locale,
        )
    return out


def _render(request: web.Request, viewer: pages.Viewer, session: Session, title: str, sections: list[pages.Section],
            period: pages.Period, csv_path: str) -> web.Response:  # fmt: skip
    locale = viewer.locale
    body = _period_form(request, period, locale) + _sections_html(sections, csv_path, request, locale)
    return _html(
        page(title, body, locale=locale, nav=_nav(viewer, session), scripts=["/app/static/charts.js"])
    )


def _csv_response(sections: list[pages.Section], wanted: str, name: str) -> web.Response:
    section = next((s for s in sections if s.key == wanted), sections[0])
    return web.Response(
        body=section.csv(), content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="dealbell-{name}-{section.key}.csv"'},
    )  # fmt: skip


async def _page_sections(request: web.Request, name: str, db_session: AsyncSession, viewer: pages.Viewer):
    builder, managers_only = pages.PAGES[name]
    if managers_only and not viewer.manager:
        if name == "overview":  # a rep's home is their own page
            raise web.HTTPFound(f"/app/reps/{viewer.member.slack_user_id}")
        raise _forbidden(viewer)
    period = _period(request, viewer)
    return period, await builder(db_session, viewer, period)


def _forbidden(viewer: pages.Viewer) -> web.HTTPException:
    return web.HTTPForbidden(text=t(viewer.locale, "authority.error.others_figures"))


def page_handler(name: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    @signed_in
    async def show(request: web.Request, db_session: AsyncSession, viewer: pages.Viewer, session: Session):
        period, sections = await _page_sections(request, name, db_session, viewer)
        title = t(viewer.locale, f"dashboard.nav.{name}")
        return _render(request, viewer, session, title, sections, period, f"/app/{name}.csv")

    return show


def csv_handler(name: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    @signed_in
    async def download(
        request: web.Request, db_session: AsyncSession, viewer: pages.Viewer, _session: Session
    ):
        _period_shown, sections = await _page_sections(request, name, db_session, viewer)
        return _csv_response(sections, request.query.get("table", ""), name)

    return download


async def _rep_of(request: web.Request, db_session: AsyncSession, viewer: pages.Viewer) -> Member:
    """The rep a page is about: oneself, or anyone of the same workspace for a manager (403 otherwise)."""
    user = request.match_info["user"]
    if user != viewer.member.slack_user_id and not viewer.manager:
        raise _forbidden(viewer)
    member = await get_member(db_session, viewer.workspace.id, user)
    if member is None or member.is_bot:
        raise web.HTTPNotFound()
    return member


@signed_in
async def rep_page(request: web.Request, db_session: AsyncSession, viewer: pages.Viewer, session: Session):
    member = await _rep_of(request, db_session, viewer)
    period = _period(request, viewer)
    sections = await pages.rep(db_session, viewer, member, period)
    title = member.real_name or member.name
    return _render(request, viewer, session, title, sections, period, f"/app/reps/{member.slack_user_id}.csv")


@signed_in
async def rep_csv(request: web.Request, db_session: AsyncSession, viewer: pages.Viewer, _session: Session):
    member = await _rep_of(request, db_session, viewer)
    sections = await pages.rep(db_session, viewer, member, _period(request, viewer))
    return _csv_response(sections, "scorecard", member.slack_user_id)


# --- the office screen ------------------------------------------------------------------------------


@signed_in
async def tv_settings(request: web.Request, db_session: AsyncSession, viewer: pages.Viewer, session: Session):
    return _tv_form(viewer, session, await has_tv_link(db_session, viewer.workspace.id), None, request)


def _tv_form(
    viewer: pages.Viewer, session: Session, active: bool, token: str | None, request: web.Request
) -> web.Response:
    locale = viewer.locale
    if not viewer.member.is_workspace_admin:
        raise web.HTTPForbidden(text=t(locale, "authority.error.admins_only"))
    body = tag("p", t(locale, "dashboard.tv.active" if active else "dashboard.tv.none"))
    if token:
        url = f"{request.url.origin()}/tv/{token}"
        body += tag("p", t(locale, "dashboard.tv.created"), " ", Markup(link(url, url, id="tv-link")))
    csrf = Markup('<input type="hidden" name="csrf"{}>').format(attrs(value=session.csrf))
    for action in ("create", "revoke"):
        button = tag(
            "button", t(locale, f"dashboard.tv.{action}"), type="submit", name="action", value=action
        )
        body += Markup('<form method="post" action="/app/tv">{}{}</form>').format(csrf, button)
    return _html(page(t(locale, "dashboard.nav.tv"), body, locale=locale, nav=_nav(viewer, session)))


@signed_in
async def tv_change(request: web.Request, db_session: AsyncSession, viewer: pages.Viewer, session: Session):
    """Create (a new link; the old one stops working) or revoke the office screen's link: admins, with the form's CSRF token."""
    form = await request.post()
    if not hmac.compare_digest(str(form.get("csrf", "")), session.csrf):
        return refused_page(403, "dashboard.error.csrf", viewer.locale)
    try:
        if form.get("action") == "create":
            token = await create_tv_link(db_session, viewer.member)
        else:
            await revoke_tv_link(db_session, viewer.member)
            token = None
    except NotAllowed:
        raise web.HTTPForbidden(text=t(viewer.locale, "authority.error.admins_only")) from None
    await db_session.commit()
    return _tv_form(viewer, session, token is not None, token, request)


async def _tv_workspace(request: web.Request) -> Workspace:
    async with request.app[DATABASE].session() as session:
        workspace = await workspace_for_tv_token(session, request.match_info["token"])
    if workspace is None:
        raise web.HTTPNotFound()
    return workspace


async def tv_page(request: web.Request) -> web.Response:
    workspace = await _tv_workspace(request)
    locale = workspace.locale
    board = table([t(locale, "dashboard.col.rank"), t(locale, "dashboard.col.member"),
                   t(locale, "dashboard.col.won"), t(locale, "dashboard.col.deals")], [])  # fmt: skip
    goals = table([t(locale, "dashboard.col.member"), t(locale, "dashboard.goals"), "%"], [])
    body = (
        Markup(str(board).replace("<tbody>", '<tbody id="board">'))
        + tag("h2", t(locale, "dashboard.goals"))
        + Markup(str(goals).replace("<tbody>", '<tbody id="goals">'))
        + tag("div", "", id="celebration")
    )
    html = page(t(locale, "dashboard.tv.title"), body, locale=locale, scripts=["/app/static/tv.js"])
    return _html(html.replace("<body>", '<body class="tv">', 1))


async def tv_snapshot(session: AsyncSession, workspace: Workspace) -> dict[str, Any]:
    """This week's revenue board and this month's goal bars (the boards' and scorecards' numbers),
    without the members who opted out of public boards."""
    locale, now = workspace.locale, utcnow()
    zone = workspace_zone(workspace)
    week = current_period("week", now, workspace)
    window, previous = week.utc_bounds(zone), week.previous().utc_bounds(zone)
    won = await leaderboard.won_totals(session, workspace.id, window)
    found = await leaderboard.board(session, workspace, "revenue", window, previous, won={window: won})
    hidden = await hidden_from_public_boards(session, workspace.id)
    deals = leaderboard.deals_of(won)
    names = await leaderboard.member_names(session, workspace.id, [r.key for r in found.rows])
    board = [
        {"rank": r.rank, "name": names.get(r.key, ("", r.key))[0] or names.get(r.key, ("", r.key))[1],
         "amount": money(r.value, workspace.currency, locale), "deals": deals.get(r.key, 0)}
        for r in found.rows if r.key not in hidden
    ]  # fmt: skip
    cards = await scorecards(session, workspace, await scored_members(session, workspace.id), "month", now)
    goals = [
        {"name": c.member.real_name or c.member.name, "percent": float(c.goal_percent)}
        for c in cards
        if c.goal_percent is not None and c.member.slack_user_id not in hidden
    ]
    return {"board": board, "goals": goals, "wins": sum(deals.values()),
            "celebration": t(locale, "dashboard.tv.celebration")}  # fmt: skip


async def tv_events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: the snapshot whenever it changes; ends when the link is revoked, the screen
    goes away, or the server shuts down (an open screen must not hold a deploy for the shutdown timeout)."""
    await _tv_workspace(request)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
    await response.prepare(request)
    stopping = request.app[STOPPING]
    last, quiet_since = None, time.monotonic()
    try:
        while not stopping.is_set():
            async with request.app[DATABASE].session() as session:
                workspace = await workspace_for_tv_token(session, request.match_info["token"])
                if workspace is None:
                    break
                snapshot = json.dumps(await tv_snapshot(session, workspace))
            if snapshot != last:
                await response.write(f"event: board\ndata: {snapshot}\n\n".encode())
                last, quiet_since = snapshot, time.monotonic()
            elif time.monotonic() - quiet_since > TV_KEEPALIVE:
                await response.write(b": still here\n\n")
                quiet_since = time.monotonic()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), TV_POLL)
    except ConnectionResetError:  # the screen went away
        pass
    return response


async def _stop_streams(web_app: web.Application) -> None:
    web_app[STOPPING].set()
