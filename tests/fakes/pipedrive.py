"""A fake Pipedrive over real HTTP: API v2 deals and stages, v1 users, and Webhooks v2 deliveries.

Shapes copied from Pipedrive's published references (each fixture names its page):
- deals: https://developers.pipedrive.com/docs/api/v1/Deals#getDeals (v2: GET /api/v2/deals with
  updated_since, sort_by, sort_direction, cursor; GET /api/v2/deals/{id}; answers {success, data, additional_data})
- stages: https://developers.pipedrive.com/docs/api/v1/Stages#getStages (v2: GET /api/v2/stages)
- organizations: https://developers.pipedrive.com/docs/api/v1/Organizations#getOrganization (v2)
- users: https://developers.pipedrive.com/docs/api/v1/Users#getUser, #getCurrentUser
- rate limits: https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting (429, x-ratelimit-reset)
- webhooks v2 payload (meta, data, previous): https://pipedrive.readme.io/docs/guide-for-webhooks-v2
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
from typing import Any

from aiohttp import web

# GET /api/v2/stages: one pipeline of five stages (order_nr as documented)
STAGES = [
    {"id": 1, "order_nr": 1, "name": "Qualified", "pipeline_id": 1, "deal_probability": 100, "is_deleted": False},
    {"id": 2, "order_nr": 2, "name": "Contact Made", "pipeline_id": 1, "deal_probability": 100, "is_deleted": False},
    {"id": 3, "order_nr": 3, "name": "Proposal Made", "pipeline_id": 1, "deal_probability": 100, "is_deleted": False},
    {"id": 4, "order_nr": 4, "name": "Negotiations Started", "pipeline_id": 1, "deal_probability": 100,
     "is_deleted": False},
]  # fmt: skip


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakePipedrive:
    def __init__(self, company_id: int, token: str) -> None:
        self.company_id, self.token = company_id, token
        self.deals: dict[int, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.orgs: dict[int, dict[str, Any]] = {}
        self.clock = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
        self.throttle = 0
        self.requests: list[str] = []
        self._ids = itertools.count(1)

    def tick(self) -> dt.datetime:
        self.clock += dt.timedelta(seconds=5)
        return self.clock

    def add_user(self, user_id: int, email: str) -> None:
        self.users[user_id] = {"id": user_id, "name": email.split("@")[0], "email": email, "active_flag": True,
                               "company_id": self.company_id}  # fmt: skip

    def create_deal(
        self, title: str, value: float, owner_id: int, org: str, stage_id: int = 1, status: str = "open"
    ) -> int:
        deal_id = next(self._ids)
        org_id = 900 + deal_id
        self.orgs[org_id] = {"id": org_id, "name": org, "owner_id": owner_id}
        now = rfc3339(self.tick())
        # a v2 deal (Deals page): ids are numbers, owner_id replaces v1's user_id, times are RFC 3339
        self.deals[deal_id] = {
            "id": deal_id, "title": title, "value": value, "currency": "EUR", "status": status,
            "stage_id": stage_id, "pipeline_id": 1, "owner_id": owner_id, "person_id": None, "org_id": org_id,
            "add_time": now, "update_time": now, "expected_close_date": "2026-12-20", "is_deleted": False,
        }  # fmt: skip
        return deal_id

    def change(self, deal_id: int, **fields: Any) -> dict[str, Any]:
        """Change a deal; returns its previous state (what Webhooks v2 sends as `previous`)."""
        previous = dict(self.deals[deal_id])
        self.deals[deal_id].update(fields, update_time=rfc3339(self.tick()))
        return previous

    def webhook(self, action: str, deal_id: int, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        """A Webhooks v2 body (guide-for-webhooks-v2): meta, data (null on delete) and previous."""
        data = self.deals.get(deal_id)
        return {
            "meta": {"action": action, "entity": "deal", "version": "2.0", "company_id": self.company_id,
                     "user_id": 1, "id": deal_id, "entity_id": deal_id, "webhook_id": 99, "attempt": 1,
                     "host": "company.pipedrive.com", "timestamp": int(self.clock.timestamp()),
                     "change_source": "app"},
            "data": None if action == "delete" else dict(data or {}),
            "previous": previous,
        }  # fmt: skip

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._gate])
        app.router.add_get("/api/v1/users/me", self._me)
        app.router.add_get("/api/v1/users/{id}", self._user)
        app.router.add_get("/api/v2/stages", self._stages)
        app.router.add_get("/api/v2/organizations/{id}", self._org)
        app.router.add_get("/api/v2/deals/{id}", self._deal)
        app.router.add_get("/api/v2/deals", self._deals)
        return app

    @web.middleware
    async def _gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append(f"{request.method} {request.path}")
        if request.headers.get("x-api-token") != self.token:
            return web.json_response(
                {"success": False, "error": "unauthorized access", "errorCode": 401}, status=401
            )
        if self.throttle > 0:
            self.throttle -= 1
            return web.json_response({"success": False, "error": "Request over limit", "errorCode": 429},
                                     status=429, headers={"x-ratelimit-reset": "2"})  # fmt: skip
        return await handler(request)

    async def _me(self, _request: web.Request) -> web.Response:
        return web.json_response({"success": True, "data": {"id": 1, "company_id": self.company_id}})

    async def _user(self, request: web.Request) -> web.Response:
        user = self.users.get(int(request.match_info["id"]))
        return web.json_response({"success": bool(user), "data": user}, status=200 if user else 404)

    async def _stages(self, _request: web.Request) -> web.Response:
        return web.json_response({"success": True, "data": STAGES, "additional_data": {"next_cursor": None}})

    async def _org(self, request: web.Request) -> web.Response:
        org = self.orgs.get(int(request.match_info["id"]))
        return web.json_response({"success": bool(org), "data": org}, status=200 if org else 404)

    async def _deal(self, request: web.Request) -> web.Response:
        deal = self.deals.get(int(request.match_info["id"]))
        if deal is None:
            return web.json_response(
                {"success": False, "error": "Deal not found", "errorCode": 404}, status=404
            )
        return web.json_response({"success": True, "data": deal})

    async def _deals(self, request: web.Request) -> web.Response:
        since = request.query.get("updated_since")
        found = sorted((d for d in self.deals.values() if not since or d["update_time"] > since),
                       key=lambda d: d["update_time"])  # fmt: skip
        limit = int(request.query.get("limit", "100"))
        start = int(request.query.get("cursor") or 0)
        page = found[start : start + limit]
        following = str(start + limit) if start + limit < len(found) else None
        return web.json_response(
            {"success": True, "data": page, "additional_data": {"next_cursor": following}}
        )


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
