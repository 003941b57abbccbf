"""The REST API's machinery: declared endpoints, bearer tokens, scopes, rate limits, Idempotency-Key
and RFC 9457 problems. Each endpoint's handler parses nothing and checks nothing itself: it gets
validated models and calls the domain operation the Slack command calls."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError
from slack_sdk.web.async_client import AsyncWebClient

from bot.api.schemas import Problem
from bot.kit.i18n import t
from storage import api_tokens
from storage.authority import NotAllowed
from storage.db import Database, is_unavailable
from storage.errors import UserError
from storage.models import ApiToken, Workspace, utcnow
from storage.workspaces import get_workspace_by_id

log = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"
MAX_IDEMPOTENCY_KEY = api_tokens.MAX_IDEMPOTENCY_KEY


class ApiProblem(Exception):
    def __init__(self, status: int, title: str, detail: str = "", code: str | None = None,
                 headers: dict[str, str] | None = None) -> None:  # fmt: skip
        super().__init__(title)
        self.problem = Problem(title=title, status=status, detail=detail, code=code)
        self.headers = headers or {}


# Refusals that mean "no such thing here" rather than "not like that".
NOT_FOUND_KEYS = {"deal.error.not_found", "api.error.unknown_member"}


def problem_of(error: UserError) -> ApiProblem:
    """A domain refusal as HTTP: the same English message the Slack command gives."""
    detail = t("en", error.key, **error.params)
    if isinstance(error, NotAllowed):
        return ApiProblem(403, "Forbidden", detail, error.key)
    if error.key in NOT_FOUND_KEYS:
        return ApiProblem(404, "Not Found", detail, error.key)
    return ApiProblem(422, "Unprocessable Content", detail, error.key)


def problem_response(problem: ApiProblem) -> web.Response:
    body = problem.problem.model_dump_json(exclude_none=True)
    return web.Response(
        body=body.encode(), status=problem.problem.status, content_type=PROBLEM_TYPE, headers=problem.headers
    )


@dataclass
class RateLimiter:
    """A token bucket per API token, in this process: `per_minute` requests, bursts up to `burst`."""

    per_minute: float = 120.0
    burst: float = 60.0
    buckets: dict[int, tuple[float, float]] = field(default_factory=dict)  # token id → (level, at)

    def wait(self, token_id: int, now: float | None = None) -> float:
        """0 when the request may go now (it is counted), else the seconds until it may."""
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        level, at = self.buckets.get(token_id, (self.burst, now))
        level = min(self.burst, level + (now - at) * rate)
        if level >= 1:
            self.buckets[token_id] = (level - 1, now)
            return 0.0
        self.buckets[token_id] = (level, now)
        return (1 - level) / rate


@dataclass(frozen=True)
class Answer:
    status: int
    body: BaseModel
    # run after the commit (a celebration in Slack): not for a replayed answer
    after: Callable[[], Awaitable[None]] | None = None


@dataclass
class Call:
    """One API request, authenticated and validated, inside its transaction."""

    request: web.Request
    session: Any
    token: ApiToken
    workspace: Workspace
    path: Any
    query: Any
    body: Any
    api: ApiContext


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # under /api/v1, aiohttp's syntax: /deals/{id}
    handler: Callable[[Call], Awaitable[Answer]]
    summary: str
    response: type[BaseModel]
    scope: str = "read"
    status: int = 200
    path_model: type[BaseModel] | None = None
    query_model: type[BaseModel] | None = None
    body_model: type[BaseModel] | None = None
    tag: str = ""

    @property
    def idempotent_by_key(self) -> bool:
        return self.method in ("POST", "PATCH")


@dataclass
class ApiContext:
    db: Database
    client_for: Callable[[Workspace], AsyncWebClient]
    limiter: RateLimiter
    background: set[asyncio.Task[Any]] = field(default_factory=set)


API = web.AppKey("api", ApiContext)


def bearer(request: web.Request) -> str:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiProblem(401, "Unauthorized", "Send `Authorization: Bearer <token>`.",
                         headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    return secret.strip()


def validated(model: type[BaseModel] | None, data: Any) -> Any:
    if model is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise ApiProblem(422, "Unprocessable Content", f"{where}: {first['msg']}") from None


async def json_body(request: web.Request) -> Any:
    raw = await request.read()
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiProblem(400, "Bad Request", "The body is not JSON.") from None


def serve(endpoint: Endpoint) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            return await _handle(endpoint, request)
        except ApiProblem as problem:
            return problem_response(problem)
        except Exception as error:
            if is_unavailable(error):
                return problem_response(
                    ApiProblem(
                        503, "Service Unavailable", "Try again in a minute.", headers={"Retry-After": "30"}
                    )
                )
            log.exception("API %s %s failed", endpoint.method, endpoint.path)
            return problem_response(ApiProblem(500, "Internal Server Error"))

    return handle


async def _handle(endpoint: Endpoint, request: web.Request) -> web.StreamResponse:
    api = request.app[API]
    secret = bearer(request)
    async with api.db.session() as session:
        token = await api_tokens.authenticate(session, secret, utcnow())
    if token is None:
        raise ApiProblem(
            401, "Unauthorized", "The token is unknown or revoked.", headers={"WWW-Authenticate": "Bearer"}
        )
    if endpoint.scope == "write" and token.scope != "write":
        raise ApiProblem(403, "Forbidden", "This token may only read: create a token with scope:write.")
    wait = api.limiter.wait(token.id)
    if wait > 0:
        raise ApiProblem(
            429, "Too Many Requests", "Slow down.", headers={"Retry-After": str(math.ceil(wait))}
        )
    path = validated(endpoint.path_model, dict(request.match_info))
    query = validated(endpoint.query_model, dict(request.query))
    raw_body = await json_body(request) if endpoint.body_model is not None else None
    body = validated(endpoint.body_model, raw_body)
    key = request.headers.get("Idempotency-Key") if endpoint.idempotent_by_key else None
    if key is not None and not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY:
        raise ApiProblem(
            422, "Unprocessable Content", f"Idempotency-Key: 1 to {MAX_IDEMPOTENCY_KEY} characters."
        )
    try:
        async with api.db.session() as session:
            workspace = await get_workspace_by_id(session, token.workspace_id)
            assert workspace is not None  # tokens go with their workspace (ON DELETE CASCADE)
            if key is not None:
                fingerprint = api_tokens.request_hash(endpoint.method, request.path, raw_body)
                replay = await api_tokens.claim_idempotency_key(session, token, key, fingerprint)
                if replay is not None:
                    return _replayed(replay)
            call = Call(request, session, token, workspace, path, query, body, api)
            answer = await endpoint.handler(call)
            payload = answer.body.model_dump(mode="json")
            if key is not None:
                await api_tokens.store_answer(session, token, key, answer.status, payload)
    except UserError as error:
        raise problem_of(error) from None
    if answer.after is not None:
        try:
            await answer.after()
        except Exception:  # the change is committed: the answer says so; the celebration is logged as failed
            log.exception("API %s %s: the step after the commit failed", endpoint.method, endpoint.path)
    return web.json_response(payload, status=answer.status)


def _replayed(replay: api_tokens.Replay) -> web.Response:
    if not replay.same_request:
        raise ApiProblem(422, "Unprocessable Content", "This Idempotency-Key was used with another request.")
    return web.json_response(replay.response, status=replay.status, headers={"Idempotent-Replayed": "true"})
