"""Salesforce: OAuth 2.0 username-password flow, then Opportunities polled with SOQL after the saved
SystemModstamp (REST query endpoint, aiohttp: simple-salesforce is synchronous).

As documented at https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_username_password_flow.htm
(POST /services/oauth2/token), https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
(GET /services/data/vXX.X/query?q=…, nextRecordsUrl) and
https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
(the daily API request limit: 403 REQUEST_LIMIT_EXCEEDED)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from storage.crm import CrmError, RemoteDeal, cursor_at, parse_date, parse_time
from storage.crm.http import call
from storage.models import CrmConnection, Stage

API = "/services/data/v60.0"
EPOCH = "1970-01-01T00:00:00Z"
QUOTA_WAIT = 3600.0  # the daily limit is a rolling 24 hours: try again in an hour
FIELDS = ("Id, Name, StageName, IsWon, IsClosed, Amount, CloseDate, OwnerId, Owner.Email, Account.Name, "
          "ForecastCategory, SystemModstamp")  # fmt: skip
FORECAST_STAGES = {"Pipeline": Stage.QUALIFIED, "BestCase": Stage.PROPOSAL, "Commit": Stage.NEGOTIATION}


def stage_of(record: dict[str, Any], stage_map: dict[str, str] | None) -> Stage:
    """IsWon / IsClosed first, then the admin's mapping of StageName, then ForecastCategory."""
    if record.get("IsWon"):
        return Stage.WON
    if record.get("IsClosed"):
        return Stage.LOST
    mapped = (stage_map or {}).get(record.get("StageName") or "")
    return Stage(mapped) if mapped else FORECAST_STAGES.get(record.get("ForecastCategory") or "", Stage.LEAD)


class Salesforce:
    """The Opportunities of one Salesforce org, as RemoteDeals (polled; no webhooks)."""

    def __init__(
        self, http: aiohttp.ClientSession, connection: CrmConnection, credentials: dict[str, Any]
    ) -> None:
        self.http, self.connection, self.credentials = http, connection, credentials
        self.login_url = connection.base_url
        self.instance: str | None = None
        self.headers: dict[str, str] = {}
        self.currency_field = True  # CurrencyIsoCode exists only in multi-currency orgs

    async def login(self) -> None:
        if self.instance is not None:
            return
        form = {
            "grant_type": "password",
            "client_id": str(self.credentials["client_id"]),
            "client_secret": str(self.credentials["client_secret"]),
            "username": str(self.credentials["username"]),
            "password": str(self.credentials["password"]) + str(self.credentials.get("security_token") or ""),
        }
        found = await call(self.http, "POST", self.login_url + "/services/oauth2/token", data=form)
        self.instance = str(found["instance_url"]).rstrip("/")
        self.headers = {"Authorization": f"Bearer {found['access_token']}"}

    async def account(self) -> str:
        await self.login()
        return self.connection.account

    async def query(self, path: str, params: dict[str, str] | None = None) -> Any:
        await self.login()
        try:
            return await call(self.http, "GET", f"{self.instance}{path}", headers=self.headers, params=params)
        except CrmError as error:
            if error.status == 403:  # REQUEST_LIMIT_EXCEEDED: the org's daily API quota
                raise CrmError("daily_quota", 403, QUOTA_WAIT) from None
            raise

    def soql(self, cursor: str | None) -> str:
        fields = FIELDS + (", CurrencyIsoCode" if self.currency_field else "")
        return (f"SELECT {fields} FROM Opportunity WHERE SystemModstamp > {cursor or EPOCH} "
                "ORDER BY SystemModstamp ASC")  # fmt: skip

    async def changed_since(self, cursor: str | None) -> AsyncIterator[RemoteDeal]:
        try:
            page = await self.query(f"{API}/query", {"q": self.soql(cursor)})
        except CrmError as error:
            if error.status != 400 or not self.currency_field:
                raise
            self.currency_field = False  # INVALID_FIELD: a single-currency org
            page = await self.query(f"{API}/query", {"q": self.soql(cursor)})
        while True:
            for record in page.get("records", []):
                yield self.remote(record)
            following = page.get("nextRecordsUrl")
            if page.get("done", True) or not following:
                return
            page = await self.query(following)

    def remote(self, record: dict[str, Any]) -> RemoteDeal:
        modified = parse_time(record.get("SystemModstamp"))
        assert modified is not None
        return RemoteDeal(
            external_id=str(record["Id"]),
            modified_at=modified,
            stage=stage_of(record, self.connection.stage_map),
            title=record.get("Name") or "",
            customer=(record.get("Account") or {}).get("Name") or "",
            amount=str(record.get("Amount") or 0),
            currency=record.get("CurrencyIsoCode") or None,
            close_date=parse_date(record.get("CloseDate")),
            owner_key=record.get("OwnerId"),
            owner_email=(record.get("Owner") or {}).get("Email"),
        )

    async def deal(self, deal_id: str) -> RemoteDeal | None:
        return None  # polled only: an Outbound Message endpoint is not built yet

    @staticmethod
    def cursor_of(remote: RemoteDeal) -> str:
        return cursor_at("salesforce", remote.modified_at)
