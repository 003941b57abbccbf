"""Pipedrive: an API token reads deals (API v2), Webhooks v2 (with HTTP Basic credentials) say what changed.

Endpoints as documented at https://developers.pipedrive.com/docs/api/v1/Deals (v2: GET /api/v2/deals,
/api/v2/deals/{id}, /api/v2/stages, /api/v2/organizations/{id}), https://developers.pipedrive.com/docs/api/v1/Users
and https://pipedrive.readme.io/docs/guide-for-webhooks-v2 (the payload's meta, data and previous)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from storage.crm import RemoteDeal, cursor_at, parse_date, parse_time
from storage.crm.http import call
from storage.models import OPEN_STAGES, CrmConnection, Stage

PAGE = 500
STATUS_STAGES = {"won": Stage.WON, "lost": Stage.LOST}


class Pipedrive:
    """The deals of one Pipedrive company, as RemoteDeals."""

    def __init__(
        self, http: aiohttp.ClientSession, connection: CrmConnection, credentials: dict[str, Any]
    ) -> None:
        self.http, self.connection = http, connection
        self.base = connection.base_url
        self.headers = {"x-api-token": str(credentials["token"])}
        self._stages: dict[str, Stage] | None = None
        self._users: dict[str, str | None] = {}

    async def get(self, path: str, params: dict[str, str] | None = None, *, missing_ok: bool = False) -> Any:
        return await call(
            self.http, "GET", self.base + path, headers=self.headers, params=params, missing_ok=missing_ok
        )

    async def account(self) -> str:
        found = await self.get("/api/v1/users/me")
        return str(found["data"]["company_id"])

    async def stages(self) -> dict[str, Stage]:
        """An open deal's dealbell stage from its stage's place in its pipeline, unless the admin mapped it."""
        if self._stages is None:
            found = (await self.get("/api/v2/stages")).get("data") or []
            by_pipeline: dict[Any, list[dict[str, Any]]] = {}
            for stage in found:
                by_pipeline.setdefault(stage.get("pipeline_id"), []).append(stage)
            stages = {}
            for members in by_pipeline.values():
                members.sort(key=lambda s: s.get("order_nr", 0))
                for place, stage in enumerate(members):
                    stages[str(stage["id"])] = OPEN_STAGES[place * len(OPEN_STAGES) // len(members)]
            stages.update({key: Stage(value) for key, value in (self.connection.stage_map or {}).items()})
            self._stages = stages
        return self._stages

    async def owner_email(self, owner_id: str | None) -> str | None:
        if not owner_id:
            return None
        if owner_id not in self._users:
            found = await self.get(f"/api/v1/users/{owner_id}", missing_ok=True)
            self._users[owner_id] = ((found or {}).get("data") or {}).get("email")
        return self._users[owner_id]

    async def organization(self, org_id: Any) -> str:
        if not org_id:
            return ""
        found = await self.get(f"/api/v2/organizations/{org_id}", missing_ok=True)
        return ((found or {}).get("data") or {}).get("name") or ""

    async def deal(self, deal_id: str) -> RemoteDeal | None:
        found = await self.get(f"/api/v2/deals/{deal_id}", missing_ok=True)
        data = (found or {}).get("data")
        return (
            await self.remote(data)
            if data and data.get("status") != "deleted" and not data.get("is_deleted")
            else None
        )

    async def remote(self, data: dict[str, Any]) -> RemoteDeal:
        modified = parse_time(data.get("update_time") or data.get("add_time"))
        assert modified is not None
        stage = STATUS_STAGES.get(data.get("status") or "") or (await self.stages()).get(
            str(data.get("stage_id")), Stage.LEAD
        )
        owner = str(data["owner_id"]) if data.get("owner_id") else None
        return RemoteDeal(
            external_id=str(data["id"]),
            modified_at=modified,
            stage=stage,
            title=data.get("title") or "",
            customer=await self.organization(data.get("org_id")),
            amount=str(data.get("value") or 0),
            currency=data.get("currency") or None,
            close_date=parse_date(data.get("expected_close_date")),
            owner_key=owner,
            owner_email=await self.owner_email(owner),
            pipeline=str(data["pipeline_id"]) if data.get("pipeline_id") is not None else None,
        )

    async def changed_since(self, cursor: str | None) -> AsyncIterator[RemoteDeal]:
        """Deals updated after the cursor (RFC 3339), oldest first, page by page."""
        params = {"sort_by": "update_time", "sort_direction": "asc", "limit": str(PAGE)}
        if cursor:
            params["updated_since"] = cursor
        while True:
            page = await self.get("/api/v2/deals", params)
            for data in page.get("data") or []:
                yield await self.remote(data)
            following = (page.get("additional_data") or {}).get("next_cursor")
            if not following:
                return
            params = {**params, "cursor": following}

    @staticmethod
    def cursor_of(remote: RemoteDeal) -> str:
        return cursor_at("pipedrive", remote.modified_at)


def webhook_deal_event(payload: dict[str, Any]) -> tuple[str | None, tuple[str, bool, dt.datetime] | None]:
    """(company id, (deal id, deleted, when) or None) of a Webhooks v2 request."""
    meta = payload.get("meta") or {}
    company = str(meta["company_id"]) if meta.get("company_id") is not None else None
    if meta.get("entity") != "deal" or meta.get("entity_id") is None:
        return company, None
    current = payload.get("data") or payload.get("previous") or {}
    when = parse_time(current.get("update_time")) if meta.get("action") != "delete" else None
    if when is None and meta.get("timestamp"):
        when = dt.datetime.fromtimestamp(int(meta["timestamp"]), dt.UTC)
    return company, (str(meta["entity_id"]), meta.get("action") == "delete", when or dt.datetime.now(dt.UTC))
