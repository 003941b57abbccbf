"""CRM sync (issue 20): deals from HubSpot, Pipedrive and Salesforce, fed through storage/external_deals.py.

A connector (storage/crm/hubspot.py, pipedrive.py, salesforce.py) reads the CRM over HTTP and turns each
of its deals into a RemoteDeal; storage/crm/apply.py writes a RemoteDeal once, never backwards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage.models import Stage

KINDS = ("hubspot", "pipedrive", "salesforce")


class CrmError(Exception):
    """The CRM refused or failed a call; `retry_after` (seconds) when it asked us to slow down."""

    def __init__(self, reason: str, status: int = 0, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.status, self.retry_after = reason, status, retry_after


@dataclass(frozen=True)
class RemoteDeal:
    """One CRM deal as its CRM shows it now, stage already mapped to dealbell's."""

    external_id: str
    modified_at: dt.datetime  # the CRM's own modified time: what orders events
    stage: Stage
    title: str = ""
    customer: str = ""
    amount: str = "0"  # decimal text, as the CRM sends it
    currency: str | None = None  # None: the workspace's
    close_date: dt.date | None = None
    owner_key: str | None = None  # the CRM's owner id
    owner_email: str | None = None
    pipeline: str | None = None
    deleted: bool = False


def stage_from_probability(probability: float | None, closed: bool, won: bool) -> Stage:
    """A CRM stage's default mapping from its own flags: closed-won, closed-lost, else by probability."""
    if closed:
        return Stage.WON if won else Stage.LOST
    if probability is None:
        return Stage.QUALIFIED
    for bound, stage in ((0.2, Stage.LEAD), (0.4, Stage.QUALIFIED), (0.6, Stage.PROPOSAL)):
        if probability <= bound:
            return stage
    return Stage.NEGOTIATION


def parse_time(text: str | int | float | None) -> dt.datetime | None:
    """A CRM timestamp (ISO 8601, with Z or an offset or none, or epoch milliseconds) as aware UTC."""
    if text is None or text == "":
        return None
    if isinstance(text, int | float) or str(text).isdigit():
        return dt.datetime.fromtimestamp(int(text) / 1000, dt.UTC)
    value = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00").replace("+0000", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def parse_date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


# What each CRM's connect form asks for; `base_url` is optional where the CRM has one address.
FIELDS: dict[str, tuple[str, ...]] = {
    "hubspot": ("account", "token", "client_secret", "base_url"),
    "pipedrive": ("account", "base_url", "token", "webhook_user", "webhook_password"),
    "salesforce": ("base_url", "client_id", "client_secret", "username", "password", "security_token"),
}
DEFAULT_BASE_URLS = {"hubspot": "https://api.hubapi.com", "salesforce": "https://login.salesforce.com"}
SECRET_FIELDS = ("token", "client_secret", "webhook_password", "password", "security_token")


def cursor_at(kind: str, moment: dt.datetime) -> str:
    """A reconciliation cursor meaning "changed after `moment`", in the CRM's own notation."""
    if kind == "hubspot":
        return str(int(moment.timestamp() * 1000))
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
