"""A fake of the Slack Web API on 127.0.0.1: records every call and answers like Slack does.

Also serves the response_url endpoint (POST /response/<key>) and a Socket Mode WebSocket (/socket).
The answer shapes follow tests/payloads (copied from the product's shared payload shapes). It is as
strict as Slack (bot.sandbox.strict): a method without its granted scope answers `missing_scope`, and
blocks, views and attachments Slack would refuse answer `invalid_blocks` and the like; every such
refusal is also kept in `refusals`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import WSMsgType, web

from bot.installations import BOT_SCOPES
from bot.sandbox import strict

TEAM_ID = "T0001"
BOT_USER = "UBOT"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None = None
    at: float = field(default_factory=time.monotonic)
    status: int | None = None  # the HTTP status answered (set once answered)
    ok: bool | None = None  # whether the answer was ok: a 429, a 5xx or an error is not a delivery


@dataclass(frozen=True)
class Refusal:
    """A call real Slack would refuse for what the bot sent: a missing scope or invalid Block Kit."""

    method: str
    error: str  # Slack's error code: missing_scope, invalid_blocks, invalid_arguments, …
    details: tuple[str, ...] = ()  # the scope needed, or Slack's "[ERROR] … [json-pointer:…]" lines


def default_user(user_id: str) -> dict[str, Any]:
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": user_id.lower(),
        "deleted": False,
        "real_name": f"User {user_id}",
        "tz": "UTC",
        "tz_offset": 0,
        "locale": "en-US",
        "is_admin": False,
        "is_owner": False,
        "is_bot": False,
        "profile": {"real_name": f"User {user_id}", "display_name": user_id.lower()},
    }


def _unsigned_jwt(claims: dict[str, Any]) -> str:
    """A JWT's compact form; the fake does not sign it (dealbell reads the id_token it got straight from
    openid.connect.token over TLS, which OpenID Connect Core 3.1.3.7 allows instead of a signature check)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT', 'kid': 'fake'})}.{part(claims)}.fake-signature"


CONVERSATION_KINDS = ("public", "private", "im", "mpim")


class FakeSlack:
    def __init__(self, scopes: Iterable[str] | None = None) -> None:
        # The bot scopes the app was granted (what the manifest asks for); a method needing another
        # answers missing_scope.
        self.scopes: tuple[str, ...] = tuple(BOT_SCOPES if scopes is None else scopes)
        self.refusals: list[Refusal] = []
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.errors: dict[str, list[str]] = {}  # method -> queued Slack error codes
        self.rate_limits: dict[str, list[int]] = {}  # method -> queued Retry-After seconds
        self.not_in_channel: set[str] = set()
        # method -> [every_nth, retry_after, how many 429s are left (None: no end), calls seen]
        self.rate_limit_shares: dict[str, list[Any]] = {}
        # method -> (max_calls, per_seconds, retry_after, per): a sliding-window limiter
        self.rate_windows: dict[str, tuple[int, float, int, str]] = {}
        self.server_errors: dict[str, list[int]] = {}  # method -> queued HTTP 5xx statuses
        self.delays: dict[str, list[float]] = {}  # method -> queued seconds to hold the next answers
        self._stopping = asyncio.Event()  # releases held answers at stop()
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}  # (channel, ts) -> message
        self.channels: dict[str, str] = {}  # channel id -> its kind: public, private, im or mpim
        self.uploads: dict[str, bytes] = {}  # file id -> the bytes files_upload_v2 sent
        # OAuth: install code -> (team id, team name, installer); issued token -> team id
        self.install_codes: dict[str, tuple[str, str, str]] = {}
        self.token_teams: dict[str, str] = {}
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> team id (each usable once)
        self.token_lifetime = 43200  # expires_in of issued bot tokens (token rotation)
        # Sign in with Slack (OpenID Connect): who the browser is signed into Slack as, (user, team);
        # authorize codes -> (user, team, nonce, redirect_uri); issued user tokens -> (user, team)
        self.browser_user: tuple[str, str] | None = None
        self.openid_codes: dict[str, tuple[str, str, str, str]] = {}
        self.openid_tokens: dict[str, tuple[str, str]] = {}
        self.port = 0
        self._ts = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.sockets: list[web.WebSocketResponse] = []
        self.socket_messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    # --- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key:.*}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/openid/connect/authorize", self._openid_authorize)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self._stopping.set()
        for ws in self.sockets:
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str = "commands/T0001/1/abc") -> str:
        return f"http://127.0.0.1:{self.port}/response/{key}"

    # --- what tests ask ---------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until `method` was called at least `count` times (work after ack runs in the background)."""

        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.calls_to(method)) >= count)

        try:
            await asyncio.wait_for(enough(), timeout)
        except TimeoutError:
            seen = [c.method for c in self.calls]
            raise AssertionError(
                f"expected {count} × {method} within {timeout}s; calls were {seen}"
            ) from None
        return self.calls_to(method)

    async def settle(self, quiet: float = 0.2) -> None:
        """Wait until no call has arrived for `quiet` seconds (to assert something did NOT happen)."""
        while True:
            before = len(self.calls)
            await asyncio.sleep(quiet)
            if len(self.calls) == before:
                return

    def add_user(self, user_id: str, **fields: Any) -> dict[str, Any]:
        user = default_user(user_id)
        profile = fields.pop("profile", {})
        user.update(fields)
        user["profile"].update(profile)
        self.users[user_id] = user
        return user

    def add_message(self, channel: str, ts: str, user: str, text: str) -> None:
        self.messages[(channel, ts)] = {"type": "message", "user": user, "text": text, "ts": ts}

    def add_channel(self, channel_id: str, kind: str = "public") -> None:
        """A conversation of a kind (public, private, im, mpim) for conversations.info; others are
        guessed from the id's first letter (D a DM, G private, else public), which real Slack's ids
        do not promise: tests of privacy register theirs."""
        assert kind in CONVERSATION_KINDS, kind
        self.channels[channel_id] = kind

    def channel_kind(self, channel_id: str) -> str:
        guessed = {"D": "im", "G": "private"}.get(channel_id[:1], "public")
        return self.channels.get(channel_id, guessed)

    def fail_next(self, method: str, error: str) -> None:
        self.errors.setdefault(method, []).append(error)

    def rate_limit_next(self, method: str, retry_after: int = 1) -> None:
        self.rate_limits.setdefault(method, []).append(retry_after)

    def rate_limit_share(
        self, method: str, every_nth: int, retry_after: int = 1, times: int | None = None
    ) -> None:
        """Answer every `every_nth` call to `method` (retries count too) with 429, at most `times` times."""
        self.rate_limit_shares[method] = [every_nth, retry_after, times, 0]

    def rate_limit_window(
        self,
        method: str,
        max_calls: int,
        per_seconds: float = 1.0,
        retry_after: int = 1,
        per: str = "workspace",
    ) -> None:
        """Like Slack's limits: at most `max_calls` delivered calls in any `per_seconds`, either for the
        whole workspace (per="workspace") or for each channel (per="channel"); beyond that, 429."""
        self.rate_windows[method] = (max_calls, per_seconds, retry_after, per)

    def grant_install(self, code: str, team_id: str, team_name: str = "", installer: str = "U0001") -> None:
        """Make `code` what Slack's consent screen would hand the redirect for installing into `team_id`."""
        self.install_codes[code] = (team_id, team_name or f"Team {team_id}", installer)

    def delay_next(self, method: str, seconds: float) -> None:
        """Hold the next call to `method` for `seconds` before handling it (Slack being slow). A caller
        that gave up meanwhile (its timeout, or its process killed) is never answered, and the call
        is not delivered: this fake handles a request only once its answer can reach the caller."""
        self.delays.setdefault(method, []).append(seconds)

    async def _held(self, call: Call, request: web.Request, seconds: float) -> bool:
        """Wait out a delay; False when the caller is gone by then (the call stays undelivered)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        gone = request.transport is None or request.transport.is_closing()
        if gone or self._stopping.is_set():
            call.ok = False
            return False
        return True

    def server_error_next(self, method: str, status: int = 500) -> None:
        """Answer the next call to `method` with an HTTP 5xx (Slack having a bad moment)."""
        self.server_errors.setdefault(method, []).append(status)

    def delivered(self, method: str) -> list[Call]:
        """The calls to `method` that Slack accepted (not those answered 429, 5xx or with an error)."""
        return [c for c in self.calls_to(method) if c.ok]

    def _rate_limited(self, call: Call) -> int | None:
        """The Retry-After of a 429 the configured share or window gives this call, else None."""
        share = self.rate_limit_shares.get(call.method)
        if share is not None:
            share[3] += 1
            every_nth, retry_after, times, seen = share
            if seen % every_nth == 0 and (times is None or times > 0):
                if times is not None:
                    share[2] = times - 1
                return retry_after
        window = self.rate_windows.get(call.method)
        if window is not None:
            max_calls, per_seconds, retry_after, per = window
            recent = [
                c
                for c in self.delivered(call.method)
                if c.at > call.at - per_seconds
                and (per != "channel" or c.args.get("channel") == call.args.get("channel"))
            ]
            if len(recent) >= max_calls:
                return retry_after
        return None

    # --- handlers ---------------------------------------------------------------------------------

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        body = await request.read()
        if body:
            if request.content_type == "application/json":
                args.update(json.loads(body))
            else:
                args.update(dict(parse_qsl(body.decode())))
        for key in ("blocks", "view", "attachments"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or args.get("token")
        if auth.startswith("Basic "):  # client_id:client_secret, as slack_sdk sends them to the oauth methods
            client_id, _, client_secret = (
                base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
            )
            args.setdefault("client_id", client_id)
            args.setdefault("client_secret", client_secret)
            token = None
        call = Call(method, args, token)
        await self._record(call)
        if self.delays.get(method) and not await self._held(call, request, self.delays[method].pop(0)):
            return web.Response(status=504)  # nobody is listening any more
        retry_after = self.rate_limits[method].pop(0) if self.rate_limits.get(method) else None
        if retry_after is None:
            retry_after = self._rate_limited(call)
        if retry_after is not None:
            call.status, call.ok = 429, False
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
            )
        if self.server_errors.get(method):
            call.status, call.ok = self.server_errors[method].pop(0), False
            return web.json_response({"ok": False, "error": "internal_error"}, status=call.status)
        if self.errors.get(method):
            call.status, call.ok = 200, False
            return web.json_response({"ok": False, "error": self.errors[method].pop(0)})
        refused = self._refused(method, args)
        if refused is not None:
            call.status, call.ok = 200, False
            return web.json_response(refused)
        answer = self._answer(method, args, token)
        call.status, call.ok = 200, bool(answer.get("ok"))
        return web.json_response(answer)

    def _refused(self, method: str, args: dict[str, Any]) -> dict[str, Any] | None:
        """Slack's refusal of this call (scope first, then the payload), remembered; None if it is fine."""
        if method == "conversations.info":  # the scope that reads this kind of conversation
            args = {**args, "kind": self.channel_kind(str(args.get("channel", "")))}
        answer = strict.scope_refusal(method, args, self.scopes) or strict.payload_refusal(method, args)
        if answer is not None:
            details = answer.get("errors") or ([answer["needed"]] if "needed" in answer else [])
            self.refusals.append(Refusal(method, answer["error"], tuple(details)))
        return answer

    def _oauth_access(self, args: dict[str, Any]) -> dict[str, Any]:
        """oauth.v2.access: exchange an install code, or (token rotation) a refresh token, for a bot token."""
        if args.get("grant_type") == "refresh_token":
            team_id = self.refresh_tokens.pop(args.get("refresh_token", ""), None)
            if team_id is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            team_name, installer = f"Team {team_id}", "U0001"
        else:
            grant = self.install_codes.pop(args.get("code", ""), None)
            if grant is None:
                return {"ok": False, "error": "invalid_code"}
            team_id, team_name, installer = grant
        serial = next(self._ts)
        token, refresh = f"xoxe.xoxb-{team_id}-{serial}", f"xoxe-{team_id}-{serial}"
        self.token_teams[token] = team_id
        self.refresh_tokens[refresh] = team_id
        return {"ok": True, "app_id": "A0001", "authed_user": {"id": installer},
                "scope": ",".join(self.scopes), "token_type": "bot", "access_token": token,
                "refresh_token": refresh, "expires_in": self.token_lifetime, "bot_user_id": BOT_USER,
                "team": {"id": team_id, "name": team_name}, "enterprise": None,
                "is_enterprise_install": False}  # fmt: skip

    # --- Sign in with Slack (OpenID Connect) ------------------------------------------------------
    # Shapes from https://docs.slack.dev/authentication/sign-in-with-slack (the authorize step and the
    # id_token's claims), https://docs.slack.dev/reference/methods/openid.connect.token and
    # https://docs.slack.dev/reference/methods/openid.connect.userInfo.

    def sign_in_browser(self, user_id: str, team_id: str = TEAM_ID) -> None:
        """The browser is signed into Slack as this member: /openid/connect/authorize consents for them."""
        self.browser_user = (user_id, team_id)

    async def _openid_authorize(self, request: web.Request) -> web.Response:
        """Slack's consent page, consented at once: back to redirect_uri with a code and the state."""
        query = request.query
        if (
            self.browser_user is None
            or query.get("response_type") != "code"
            or "openid" not in query.get("scope", "").split()
        ):
            return web.Response(status=400, text="invalid_request")
        code = f"openid-code-{next(self._ts)}"
        redirect_uri = query.get("redirect_uri", "")
        self.openid_codes[code] = (*self.browser_user, query.get("nonce", ""), redirect_uri)
        separator = "&" if "?" in redirect_uri else "?"
        target = f"{redirect_uri}{separator}{urlencode({'code': code, 'state': query.get('state', '')})}"
        raise web.HTTPFound(target)

    def _user_claims(self, user_id: str, team_id: str) -> dict[str, Any]:
        user = self.users.get(user_id) or default_user(user_id)
        profile = user.get("profile", {})
        return {"sub": user_id, "https://slack.com/user_id": user_id, "https://slack.com/team_id": team_id,
                "email": f"{user_id.lower()}@example.com", "email_verified": True,
                "name": profile.get("real_name", user_id), "locale": user.get("locale", "en-US"),
                "https://slack.com/team_name": f"Team {team_id}", "https://slack.com/team_domain": team_id.lower()}  # fmt: skip

    def _openid_token(self, args: dict[str, Any]) -> dict[str, Any]:
        """openid.connect.token: the code (once) for a user token and an id_token (a JWT)."""
        grant = self.openid_codes.pop(args.get("code", ""), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        user_id, team_id, nonce, redirect_uri = grant
        if args.get("redirect_uri", redirect_uri) != redirect_uri or not args.get("client_secret"):
            return {
                "ok": False,
                "error": "bad_redirect_uri" if args.get("client_secret") else "invalid_client_id",
            }
        token = f"xoxp-{team_id}-{user_id}-{next(self._ts)}"
        self.openid_tokens[token] = (user_id, team_id)
        now = int(time.time())
        claims = {"iss": "https://slack.com", "aud": args.get("client_id", ""), "exp": now + 300, "iat": now,
                  "auth_time": now, "nonce": nonce, **self._user_claims(user_id, team_id)}  # fmt: skip
        return {"ok": True, "access_token": token, "token_type": "Bearer", "id_token": _unsigned_jwt(claims)}

    def _openid_user_info(self, token: str | None) -> dict[str, Any]:
        """openid.connect.userInfo: the signed-in member's identity, for the user token it was issued."""
        found = self.openid_tokens.get(token or "")
        if found is None:
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, **self._user_claims(*found)}

    def _answer(self, method: str, args: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        ts = f"1800000{next(self._ts):03d}.000100"
        if method == "auth.test":
            team_id = self.token_teams.get(token or "", TEAM_ID)
            return {"ok": True, "url": "https://acme-sales.slack.com/", "team": "Acme Sales", "user": "dealbell",
                    "team_id": team_id, "user_id": BOT_USER, "bot_id": "BBOT", "is_enterprise_install": False}  # fmt: skip
        if method == "oauth.v2.access":
            return self._oauth_access(args)
        if method == "openid.connect.token":
            return self._openid_token(args)
        if method == "openid.connect.userInfo":
            return self._openid_user_info(token)
        if method == "users.info":
            user_id = args.get("user", "")
            user = self.users.get(user_id) or default_user(user_id)
            return {"ok": True, "user": user}
        if method == "users.lookupByEmail":  # the profile's e-mail (users:read.email), as Slack matches it
            wanted = str(args.get("email", "")).casefold()
            for user in self.users.values():
                if str(user["profile"].get("email", "")).casefold() == wanted and wanted:
                    return {"ok": True, "user": user}
            return {"ok": False, "error": "users_not_found"}
        if method == "users.list":  # one page: the fake's workspace is small
            members = [self.users[user_id] for user_id in sorted(self.users)]
            return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "X")).split(",")[0]}}
        if method == "chat.postMessage":
            channel = args.get("channel", "")
            if channel in self.not_in_channel:
                return {"ok": False, "error": "not_in_channel"}
            if channel.startswith("U"):  # posting to a user id opens the DM with the bot
                channel = "D" + channel
            return {"ok": True, "channel": channel, "ts": ts,
                    "message": {"type": "message", "text": args.get("text", ""), "user": BOT_USER,
                                "bot_id": "BBOT", "ts": ts, "blocks": args.get("blocks", [])}}  # fmt: skip
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "chat.update":
            return {
                "ok": True,
                "channel": args.get("channel"),
                "ts": args.get("ts"),
                "text": args.get("text", ""),
            }
        if method in ("views.open", "views.update", "views.publish", "views.push"):
            view = dict(args.get("view") or {})
            view.update({"id": f"V{next(self._ts):04d}", "team_id": TEAM_ID, "hash": ts})
            return {"ok": True, "view": view}
        if method == "conversations.history":
            found = self.messages.get((args.get("channel", ""), args.get("latest", "")))
            return {"ok": True, "messages": [found] if found else [], "has_more": False}
        if method == "chat.delete":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "conversations.info":
            return {"ok": True, "channel": self._conversation(str(args.get("channel", "")))}
        if method == "chat.getPermalink":
            channel, message_ts = str(args.get("channel", "")), str(args.get("message_ts", ""))
            link = f"https://acme-sales.slack.com/archives/{channel}/p{message_ts.replace('.', '')}"
            return {"ok": True, "channel": channel, "permalink": link}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):04d}"
            return {
                "ok": True,
                "file_id": file_id,
                "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}",
            }
        if method == "files.completeUploadExternal":
            files = args.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": True}

    def _conversation(self, channel_id: str) -> dict[str, Any]:
        """conversations.info's channel object, with the flags Slack sets for each kind."""
        kind = self.channel_kind(channel_id)
        return {"id": channel_id, "name": channel_id.lower(), "is_channel": kind in ("public", "private"),
                "is_group": False, "is_im": kind == "im", "is_mpim": kind == "mpim",
                "is_private": kind != "public", "is_archived": False}  # fmt: skip

    async def _upload(self, request: web.Request) -> web.Response:
        """Step 2 of files_upload_v2: the file's bytes, posted to the URL step 1 handed out."""
        file_id = request.match_info["file_id"]
        self.uploads[file_id] = await request.read()
        await self._record(Call("upload", {"file_id": file_id, "size": len(self.uploads[file_id])}))
        return web.Response(text=f"OK - {len(self.uploads[file_id])}")

    def uploaded(self) -> list[tuple[dict[str, Any], bytes]]:
        """(files.completeUploadExternal arguments, file bytes) for every completed upload."""
        done = []
        for call in self.calls_to("files.completeUploadExternal"):
            files = call.args.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            done.extend((call.args, self.uploads.get(f["id"], b"")) for f in files)
        return done

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.read()
        args = json.loads(body) if body else {}
        call = Call("response_url", args)
        await self._record(call)
        refused = self._refused_response(call)
        return refused or web.Response(text="ok")

    def _refused_response(self, call: Call) -> web.Response | None:
        """What a response_url answers a message Slack would refuse (HTTP 400, the error as the body)."""
        code = strict.response_url_refusal(call.args)
        if code is None:
            call.status, call.ok = 200, True
            return None
        call.status, call.ok = 400, False
        problems = strict.message_errors(call.args.get("blocks"), call.args.get("attachments"))
        self.refusals.append(Refusal("response_url", code, tuple(problems)))
        return web.Response(status=400, text=code)

    # --- Socket Mode ------------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"}})
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                await self.socket_messages.put(json.loads(message.data))
        return ws

    async def wait_for_socket(self, timeout: float = 5.0) -> web.WebSocketResponse:
        deadline = time.monotonic() + timeout
        while not self.sockets:
            if time.monotonic() > deadline:
                raise AssertionError("the app never opened the Socket Mode connection")
            await asyncio.sleep(0.02)
        return self.sockets[-1]

    async def socket_request(self, envelope: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
        """Send one envelope over the socket and return the app's acknowledgement for it."""
        ws = await self.wait_for_socket(timeout)
        await ws.send_json(envelope)
        while True:
            reply = await asyncio.wait_for(self.socket_messages.get(), timeout)
            if reply.get("envelope_id") == envelope["envelope_id"]:
                return reply
