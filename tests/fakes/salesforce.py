"""A fake Salesforce over real HTTP: the OAuth username-password token endpoint and the REST query
endpoint answering the SOQL dealbell sends for Opportunities.

Shapes copied from Salesforce's published references:
- token: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_username_password_flow.htm
  (POST /services/oauth2/token → access_token, instance_url, id, token_type, issued_at, signature)
- query: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm
  (GET /services/data/v60.0/query?q=… → totalSize, done, nextRecordsUrl, records with attributes)
- the daily limit: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
  (403 [{"message": …, "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

from aiohttp import web

SINCE = re.compile(r"SystemModstamp > (\S+)")


def modstamp(moment: dt.datetime) -> str:
    """Salesforce's datetime notation in REST answers: milliseconds and +0000."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


class FakeSalesforce:
    def __init__(self, client_id: str, client_secret: str, username: str, password: str) -> None:
        self.login = (client_id, client_secret, username, password)
        self.url = ""  # set once served: the instance_url the token answer names
        self.access_token = "00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog"
        self.records: dict[str, dict[str, Any]] = {}
        self.clock = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
        self.quota_exhausted = False
        self.queries: list[str] = []
        self._ids = itertools.count(1)

    def tick(self) -> dt.datetime:
        self.clock += dt.timedelta(seconds=2)
        return self.clock

    def create(
        self, name: str, amount: float, owner_email: str, account: str, forecast: str = "Pipeline"
    ) -> str:
        opportunity_id = f"0065g00000Abc{next(self._ids):03d}AAA"
        self.records[opportunity_id] = {
            "attributes": {"type": "Opportunity", "url": f"/services/data/v60.0/sobjects/Opportunity/{opportunity_id}"},
            "Id": opportunity_id, "Name": name, "StageName": "Prospecting", "IsWon": False, "IsClosed": False,
            "Amount": amount, "CloseDate": "2026-12-22", "OwnerId": "0055g00000Own" + owner_email[:3],
            "Owner": {"attributes": {"type": "User"}, "Email": owner_email},
            "Account": {"attributes": {"type": "Account"}, "Name": account},
            "ForecastCategory": forecast, "SystemModstamp": modstamp(self.tick()), "CurrencyIsoCode": "GBP",
        }  # fmt: skip
        return opportunity_id

    def update(self, opportunity_id: str, **fields: Any) -> None:
        self.records[opportunity_id].update(fields, SystemModstamp=modstamp(self.tick()))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/services/oauth2/token", self._token)
        app.router.add_get("/services/data/v60.0/query", self._query)
        return app

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        given = (form.get("client_id"), form.get("client_secret"), form.get("username"), form.get("password"))
        if form.get("grant_type") != "password" or given != self.login:
            return web.json_response({"error": "invalid_grant", "error_description": "authentication failure"},
                                     status=400)  # fmt: skip
        return web.json_response({
            "access_token": self.access_token, "instance_url": self.url,
            "id": "https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS",
            "token_type": "Bearer", "issued_at": "1733040000000", "signature": "0CmxinZir53Yex7nE0TD+zMpvIWYGb/bdJh6XfOH6EQ=",
        })  # fmt: skip

    async def _query(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return web.json_response([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
                                     status=401)  # fmt: skip
        if self.quota_exhausted:
            return web.json_response([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
                                     status=403)  # fmt: skip
        soql = request.query["q"]
        self.queries.append(soql)
        since = SINCE.search(soql)
        after = dt.datetime.fromisoformat(since.group(1).replace("Z", "+00:00")) if since else None
        found = sorted(
            (r for r in self.records.values()
             if after is None or dt.datetime.strptime(r["SystemModstamp"], "%Y-%m-%dT%H:%M:%S.%f%z") > after),
            key=lambda r: r["SystemModstamp"],
        )  # fmt: skip
        return web.json_response({"totalSize": len(found), "done": True, "records": found})
