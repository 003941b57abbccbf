"""Operations: Prometheus metrics (one registry per app), the Slack API observer, JSON log lines,
and the per-request summary of what Slack asked for (never tokens or message text)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from prometheus_client import CollectorRegistry, Counter, Histogram
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)

# Requests that may carry anonymous feedback (a /feedback command, the answer form and the button
# that opens it): described without their user, so no log line ties a sender to an anonymous row.
UNNAMED_REQUESTS = frozenset(
    {("command", "/feedback"), ("view", "feedback_answer"), ("action", "feedback_give")}
)


class Metrics:
    """Every metric dealbell exports, on its own registry (so several apps in one process never clash)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "dealbell_slack_requests",
            "Requests from Slack on /slack/events, by type and HTTP status class",
            ["type", "outcome"],
            registry=self.registry,
        )
        self.refused = Counter(
            "dealbell_slack_requests_refused",
            "Requests on /slack/events refused before Bolt, by reason: signature (bad, missing or stale), "
            "not_utf8, timeout (body not sent in time), too_large",
            ["reason"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "dealbell_slack_request_seconds",
            "Time from a Slack request arriving to its HTTP response",
            ["type"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.api_calls = Counter(
            "dealbell_slack_api_calls",
            "HTTP attempts to the Slack Web API (each retry counts), by API method and status class",
            ["method", "outcome"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "dealbell_slack_api_rate_limited",
            "Slack Web API answers with HTTP 429, by API method",
            ["method"],
            registry=self.registry,
        )
        # For jobs/runner.py to increment (not wired there yet): outcome is ran, skipped or failed.
        self.job_runs = Counter(
            "dealbell_job_runs", "Job runs by job and outcome", ["job", "outcome"], registry=self.registry
        )
        self.claims_lost = Counter(
            "dealbell_job_claims_lost",
            "Scheduled runs skipped because another process held the period's claim",
            ["job"],
            registry=self.registry,
        )

        self.db_statements = Counter(
            "dealbell_db_statements",
            "SQL statements sent to the database by the request path and the jobs of this process",
            registry=self.registry,
        )

    def count_statements(self, engine: Engine) -> Callable[[], None]:
        """Count every statement `engine` sends; returns what stops counting (an engine outlives apps in tests)."""

        def sent(*_args: Any) -> None:
            self.db_statements.inc()

        event.listen(engine, "before_cursor_execute", sent)
        return lambda: event.remove(engine, "before_cursor_execute", sent)

    def observe_client(self, client: AsyncWebClient) -> None:
        """Count every Slack API attempt `client` makes; idempotent."""
        if not any(isinstance(h, SlackApiObserver) for h in client.retry_handlers):
            client.retry_handlers.insert(0, SlackApiObserver(self))


def status_class(status: int) -> str:
    return f"{status // 100}xx"


class SlackApiObserver(AsyncRetryHandler):
    """A retry handler that never retries: slack_sdk shows it every answer, so it counts them.

    It must come first in `retry_handlers` (the client stops asking at the first handler that retries)."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(max_retry_count=0)
        self.metrics = metrics

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = request.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or "unknown"
        outcome = status_class(response.status_code) if response is not None else "error"
        self.metrics.api_calls.labels(method, outcome).inc()
        if response is not None and response.status_code == 429:
            self.metrics.rate_limited.labels(method).inc()
        return False


# --- what a Slack request is ---------------------------------------------------------------------


def describe_request(body: bytes, content_type: str) -> dict[str, Any]:
    """Type, id (command, action_id, callback_id or event type), team and user of a Slack request.

    Only identifiers: never the command's text, a message, a token or a response_url; no user for
    the requests in UNNAMED_REQUESTS."""
    try:
        if content_type == "application/json":
            data = json.loads(body or b"{}")
        else:
            form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
            data = json.loads(form["payload"]) if "payload" in form else form
    except (ValueError, UnicodeDecodeError):
        return {"type": "other", "id": None, "team": None, "user": None}
    if not isinstance(data, dict):
        return {"type": "other", "id": None, "team": None, "user": None}
    team = data.get("team_id") or _id(data.get("team"))
    user = data.get("user_id") or _id(data.get("user"))
    kind, ident = "other", data.get("type")
    if "command" in data:
        kind, ident = "command", data["command"]
    elif data.get("type") == "block_actions":
        actions = data.get("actions") or [{}]
        kind, ident = "action", actions[0].get("action_id")
    elif data.get("type") in ("view_submission", "view_closed"):
        kind, ident = "view", (data.get("view") or {}).get("callback_id")
    elif data.get("type") == "event_callback":
        event = data.get("event") or {}
        kind, ident = "event", event.get("type")
        user = user or (event.get("user") if isinstance(event.get("user"), str) else None)
    elif data.get("type") in ("shortcut", "message_action"):
        ident = data.get("callback_id")
    if (kind, ident) in UNNAMED_REQUESTS:
        user = None
    return {"type": kind, "id": ident, "team": team, "user": user}


def _id(value: object) -> str | None:
    if isinstance(value, dict):
        return value.get("id")
    return value if isinstance(value, str) else None


def job_outcome_counter(metrics: Metrics) -> Callable[[str, str], None]:
    """What JobServices.on_outcome calls: every run counted by outcome; a skip is a claim lost."""

    def count(job: str, outcome: str) -> None:
        metrics.job_runs.labels(job, outcome).inc()
        if outcome == "skipped":
            metrics.claims_lost.labels(job).inc()

    return count
