"""HubSpot: a private app's token reads deals (CRM v3), its app secret verifies webhooks (signature v3).

Endpoints as documented at https://developers.hubspot.com/docs/api/crm/deals (read, search),
https://developers.hubspot.com/docs/api/crm/pipelines, https://developers.hubspot.com/docs/api/crm/owners
and https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from storage.crm import RemoteDeal, cursor_at, parse_date, parse_time, stage_from_probability
from storage.crm.http import call
from storage.models import CrmConnection, Stage

BASE_URL = "https://api.hubapi.com"
MAX_AGE = dt.timedelta(minutes=5)  # older signed requests are refused (replays)
PROPERTIES = [
    "dealname", "amount", "deal_currency_code", "dealstage", "pipeline", "closedate",
    "hubspot_owner_id", "hs_lastmodifieddate",
]  # fmt: skip
PAGE = 100


def signature_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """base64(HMAC-SHA256(app secret, method + URI + body + timestamp)), as HubSpot signs."""
    message = method.encode() + uri.encode() + body + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def verify_v3(
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now: dt.datetime,
) -> bool:
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    sent = dt.datetime.fromtimestamp(int(timestamp) / 1000, dt.UTC)
    if abs(now - sent) > MAX_AGE:
        return False
    return hmac.compare_digest(signature_v3(secret, method, uri, body, timestamp), signature)


class HubSpot:
    """The deals of one HubSpot portal, as RemoteDeals."""

    def __init__(
        self, http: aiohttp.ClientSession, connection: CrmConnection, credentials: dict[str, Any]
    ) -> None:
        self.http, self.connection = http, connection
        self.base = connection.base_url or BASE_URL
        self.headers = {"Authorization": f"Bearer {credentials['token']}"}
        self._stages: dict[str, Stage] | None = None
        self._owners: dict[str, str | None] = {}

    async def get(self, path: str, params: dict[str, str] | None = None, *, missing_ok: bool = False) -> Any:
        return await call(
            self.http, "GET", self.base + path, headers=self.headers, params=params, missing_ok=missing_ok
        )

    async def account(self) -> str:
        """The portal id the token belongs to (what `connections test` checks)."""
        found = await self.get("/account-info/v3/details")
        return str(found["portalId"])

    async def stages(self) -> dict[str, Stage]:
        """Each pipeline stage's dealbell stage: the admin's mapping, else HubSpot's own flags."""
        if self._stages is None:
            found = await self.get("/crm/v3/pipelines/deals")
            stages = {}
            for pipeline in found.get("results", []):
                for stage in pipeline.get("stages", []):
                    meta = stage.get("metadata", {})
                    probability = (
                        float(meta["probability"]) if meta.get("probability") not in (None, "") else None
                    )
                    closed = str(meta.get("isClosed", "false")).lower() == "true"
                    stages[stage["id"]] = stage_from_probability(probability, closed, probability == 1.0)
            stages.update({"closedwon": Stage.WON, "closedlost": Stage.LOST})
            stages.update({key: Stage(value) for key, value in (self.connection.stage_map or {}).items()})
            self._stages = stages
        return self._stages

    async def owner_email(self, owner_id: str | None) -> str | None:
        if not owner_id:
            return None
        if owner_id not in self._owners:
            found = await self.get(f"/crm/v3/owners/{owner_id}", missing_ok=True)
            self._owners[owner_id] = (found or {}).get("email")
        return self._owners[owner_id]

    async def company(self, deal: dict[str, Any]) -> str:
        linked = deal.get("associations", {}).get("companies", {}).get("results", [])
        if not linked:
            return ""
        found = await self.get(
            f"/crm/v3/objects/companies/{linked[0]['id']}", {"properties": "name"}, missing_ok=True
        )
        return ((found or {}).get("properties") or {}).get("name") or ""

    async def deal(self, deal_id: str) -> RemoteDeal | None:
        """The deal as HubSpot has it now (webhooks carry one changed property only); None once deleted."""
        params = {"properties": ",".join(PROPERTIES), "associations": "companies"}
        found = await self.get(f"/crm/v3/objects/deals/{deal_id}", params, missing_ok=True)
        return await self.remote(found) if found else None

    async def remote(self, found: dict[str, Any]) -> RemoteDeal:
        props = found.get("properties") or {}
        stages = await self.stages()
        modified = parse_time(props.get("hs_lastmodifieddate") or found.get("updatedAt"))
        assert modified is not None
        return RemoteDeal(
            external_id=str(found["id"]),
            modified_at=modified,
            stage=stages.get(props.get("dealstage") or "", Stage.LEAD),
            title=props.get("dealname") or "",
            customer=await self.company(found),
            amount=props.get("amount") or "0",
            currency=props.get("deal_currency_code") or None,
            close_date=parse_date(props.get("closedate")),
            owner_key=props.get("hubspot_owner_id") or None,
            owner_email=await self.owner_email(props.get("hubspot_owner_id")),
            pipeline=props.get("pipeline"),
        )

    async def changed_since(self, cursor: str | None) -> AsyncIterator[RemoteDeal]:
        """Deals modified after the cursor (epoch ms), oldest first, through the search API."""
        after: str | None = None
        while True:
            body: dict[str, Any] = {
                "filterGroups": [
                    {
                        "filters": [
                            {"propertyName": "hs_lastmodifieddate", "operator": "GT", "value": cursor or "0"}
                        ]
                    }
                ],
                "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
                "properties": PROPERTIES,
                "limit": PAGE,
            }
            if after:
                body["after"] = after
            page = await call(
                self.http, "POST", self.base + "/crm/v3/objects/deals/search", headers=self.headers, json=body
            )
            for found in page.get("results", []):
                full = await self.deal(str(found["id"]))  # the search answer carries no associations
                if full is not None:
                    yield full
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return

    @staticmethod
    def cursor_of(remote: RemoteDeal) -> str:
        return cursor_at("hubspot", remote.modified_at)


def webhook_deal_events(
    events: list[dict[str, Any]],
) -> tuple[str | None, list[tuple[str, bool, dt.datetime]]]:
    """(portal id, [(deal id, deleted, occurred at)]) of a webhook batch's deal events, one per deal."""
    portal = None
    latest: dict[str, tuple[bool, dt.datetime]] = {}
    for event in events:
        kind = str(event.get("subscriptionType", ""))
        if not kind.startswith("deal.") or "objectId" not in event:
            continue
        portal = str(event.get("portalId", portal))
        occurred = parse_time(event.get("occurredAt")) or dt.datetime.now(dt.UTC)
        deal_id = str(event["objectId"])
        if deal_id not in latest or latest[deal_id][1] <= occurred:
            latest[deal_id] = (kind == "deal.deletion", occurred)
    return portal, [(deal_id, deleted, at) for deal_id, (deleted, at) in latest.items()]
