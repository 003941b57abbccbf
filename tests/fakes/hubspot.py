"""A fake HubSpot over real HTTP: the CRM v3 endpoints dealbell reads, and signed webhook deliveries.

Shapes copied from HubSpot's published references (each fixture names its page):
- deals read/search: https://developers.hubspot.com/docs/api/crm/deals
  (GET /crm/v3/objects/deals/{dealId}?properties=…&associations=companies, POST /crm/v3/objects/deals/search)
- pipelines: https://developers.hubspot.com/docs/api/crm/pipelines (GET /crm/v3/pipelines/deals)
- owners: https://developers.hubspot.com/docs/api/crm/owners (GET /crm/v3/owners/{ownerId})
- account: https://developers.hubspot.com/docs/api/settings/account-information-api (GET /account-info/v3/details)
- webhook batches and signature v3: https://developers.hubspot.com/docs/api/webhooks and
  https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from typing import Any

from aiohttp import web

from storage.crm.hubspot import signature_v3

# GET /crm/v3/pipelines/deals, HubSpot's default "Sales Pipeline" (stage ids and metadata as documented)
PIPELINES: dict[str, Any] = {
    "results": [
        {
            "id": "default",
            "label": "Sales Pipeline",
            "displayOrder": 0,
            "archived": False,
            "stages": [
                {"id": "appointmentscheduled", "label": "Appointment Scheduled", "displayOrder": 0,
                 "metadata": {"isClosed": "false", "probability": "0.2"}, "archived": False},
                {"id": "qualifiedtobuy", "label": "Qualified To Buy", "displayOrder": 1,
                 "metadata": {"isClosed": "false", "probability": "0.4"}, "archived": False},
                {"id": "presentationscheduled", "label": "Presentation Scheduled", "displayOrder": 2,
                 "metadata": {"isClosed": "false", "probability": "0.6"}, "archived": False},
                {"id": "contractsent", "label": "Contract Sent", "displayOrder": 4,
                 "metadata": {"isClosed": "false", "probability": "0.9"}, "archived": False},
                {"id": "closedwon", "label": "Closed Won", "displayOrder": 5,
                 "metadata": {"isClosed": "true", "probability": "1.0"}, "archived": False},
                {"id": "closedlost", "label": "Closed Lost", "displayOrder": 6,
                 "metadata": {"isClosed": "true", "probability": "0.0"}, "archived": False},
            ],
        }
    ]
}  # fmt: skip


def iso_ms(moment: dt.datetime) -> str:
    """HubSpot's property timestamps: ISO 8601 with milliseconds and Z."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class FakeHubSpot:
    def __init__(self, portal_id: int, token: str, client_secret: str) -> None:
        self.portal_id, self.token, self.client_secret = portal_id, token, client_secret
        self.deals: dict[str, dict[str, Any]] = {}
        self.companies: dict[str, dict[str, Any]] = {}
        self.owners: dict[str, dict[str, Any]] = {}
        self.clock = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
        self.throttle = 0  # the next N requests answer 429 with Retry-After
        self.requests: list[str] = []
        self._ids = itertools.count(1001)
        self._events = itertools.count(1)

    # --- the CRM's data -----------------------------------------------------------------------

    def tick(self) -> dt.datetime:
        self.clock += dt.timedelta(seconds=1)
        return self.clock

    def add_owner(self, owner_id: str, email: str) -> None:
        # GET /crm/v3/owners/{ownerId} (owners page)
        self.owners[owner_id] = {"id": owner_id, "email": email, "firstName": "", "lastName": "",
                                 "userId": int(owner_id), "createdAt": "2026-01-01T00:00:00.000Z",
                                 "updatedAt": "2026-01-01T00:00:00.000Z", "archived": False}  # fmt: skip

    def add_company(self, name: str) -> str:
        company_id = str(next(self._ids))
        self.companies[company_id] = {
            "id": company_id,
            "properties": {"name": name, "hs_object_id": company_id},
        }
        return company_id

    def create_deal(
        self, name: str, amount: str, owner_id: str, company: str, stage: str = "appointmentscheduled"
    ) -> str:
        deal_id = str(next(self._ids))
        company_id = self.add_company(company)
        now = self.tick()
        # GET /crm/v3/objects/deals/{dealId} (deals page): properties are strings; associations by type
        self.deals[deal_id] = {
            "id": deal_id,
            "properties": {
                "amount": amount, "closedate": "2026-12-31T00:00:00Z", "createdate": iso_ms(now),
                "dealname": name, "dealstage": stage, "pipeline": "default", "hs_object_id": deal_id,
                "hubspot_owner_id": owner_id, "deal_currency_code": "USD", "hs_lastmodifieddate": iso_ms(now),
            },
            "createdAt": iso_ms(now),
            "updatedAt": iso_ms(now),
            "archived": False,
            "associations": {"companies": {"results": [{"id": company_id, "type": "deal_to_company"}]}},
        }  # fmt: skip
        return deal_id

    def move(self, deal_id: str, stage: str) -> None:
        now = self.tick()
        deal = self.deals[deal_id]
        deal["properties"].update(dealstage=stage, hs_lastmodifieddate=iso_ms(now))
        deal["updatedAt"] = iso_ms(now)

    def delete(self, deal_id: str) -> None:
        self.tick()
        del self.deals[deal_id]

    # --- webhooks -------------------------------------------------------------------------------

    def event(self, deal_id: str, kind: str, prop: str | None = None) -> dict[str, Any]:
        """One event of a webhook batch (webhooks page): only the changed property, never the deal."""
        event: dict[str, Any] = {
            "eventId": next(self._events), "subscriptionId": 4510, "portalId": self.portal_id, "appId": 1160452,
            "occurredAt": int(self.clock.timestamp() * 1000), "subscriptionType": kind, "attemptNumber": 0,
            "objectId": int(deal_id), "changeSource": "CRM",
        }  # fmt: skip
        if prop:
            event.update(propertyName=prop, propertyValue=self.deals[deal_id]["properties"].get(prop, ""))
        return event

    def signed_headers(
        self, url: str, body: bytes, *, secret: str | None = None, age: float = 0
    ) -> dict[str, str]:
        timestamp = str(int((time.time() - age) * 1000))
        signature = signature_v3(secret or self.client_secret, "POST", url, body, timestamp)
        return {"Content-Type": "application/json", "X-HubSpot-Signature-v3": signature,
                "X-HubSpot-Request-Timestamp": timestamp}  # fmt: skip

    # --- HTTP -----------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._gate])
        app.router.add_get("/account-info/v3/details", self._account)
        app.router.add_get("/crm/v3/pipelines/deals", self._pipelines)
        app.router.add_get("/crm/v3/owners/{id}", self._owner)
        app.router.add_get("/crm/v3/objects/companies/{id}", self._company)
        app.router.add_get("/crm/v3/objects/deals/{id}", self._deal)
        app.router.add_post("/crm/v3/objects/deals/search", self._search)
        return app

    @web.middleware
    async def _gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append(f"{request.method} {request.path}")
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            # 401 body as documented for an invalid token
            return web.json_response({"status": "error", "message": "Authentication credentials not found.",
                                      "category": "INVALID_AUTHENTICATION"}, status=401)  # fmt: skip
        if self.throttle > 0:
            self.throttle -= 1
            return web.json_response(
                {"status": "error", "message": "You have reached your secondly limit.", "errorType": "RATE_LIMIT",
                 "policyName": "SECONDLY"},
                status=429, headers={"Retry-After": "7"},
            )  # fmt: skip
        return await handler(request)

    async def _pipelines(self, _request: web.Request) -> web.Response:
        return web.json_response(PIPELINES)

    async def _account(self, _request: web.Request) -> web.Response:
        return web.json_response({"portalId": self.portal_id, "accountType": "STANDARD", "timeZone": "US/Eastern",
                                  "companyCurrency": "USD", "uiDomain": "app.hubspot.com", "dataHostingLocation": "na1"})  # fmt: skip

    async def _owner(self, request: web.Request) -> web.Response:
        owner = self.owners.get(request.match_info["id"])
        return web.json_response(owner) if owner else web.json_response({"status": "error"}, status=404)

    async def _company(self, request: web.Request) -> web.Response:
        company = self.companies.get(request.match_info["id"])
        return web.json_response(company) if company else web.json_response({"status": "error"}, status=404)

    async def _deal(self, request: web.Request) -> web.Response:
        deal = self.deals.get(request.match_info["id"])
        if deal is None:
            return web.json_response({"status": "error", "message": "Object not found.", "category": "OBJECT_NOT_FOUND"},
                                     status=404)  # fmt: skip
        return web.json_response(deal)

    async def _search(self, request: web.Request) -> web.Response:
        """Filters on hs_lastmodifieddate GT (epoch ms), ascending, paged by `after` (deals page, search)."""
        body = await request.json()
        after_ms = int(body["filterGroups"][0]["filters"][0]["value"])
        found = sorted(
            (d for d in self.deals.values()
             if _ms(d["properties"]["hs_lastmodifieddate"]) > after_ms),
            key=lambda d: d["properties"]["hs_lastmodifieddate"],
        )  # fmt: skip
        start, limit = int(body.get("after") or 0), int(body.get("limit", 10))
        page = found[start : start + limit]
        results = [{k: v for k, v in d.items() if k != "associations"} for d in page]
        answer: dict[str, Any] = {"total": len(found), "results": results}
        if start + limit < len(found):
            answer["paging"] = {"next": {"after": str(start + limit), "link": "?after=" + str(start + limit)}}
        return web.json_response(answer)


def _ms(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
