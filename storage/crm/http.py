"""One JSON call to a CRM: 429 becomes CrmError with the CRM's Retry-After, any other failure a CrmError
naming only the status (never the URL's query or the body: they may carry names and tokens)."""

from __future__ import annotations

from typing import Any

import aiohttp

from storage.crm import CrmError

TIMEOUT = aiohttp.ClientTimeout(total=20)
DEFAULT_RETRY_AFTER = 60.0  # a 429 without Retry-After (Pipedrive's daily quota says it in headers)


def retry_after(headers: Any) -> float:
    for name in ("Retry-After", "X-RateLimit-Reset", "X-Daily-Requests-Left-Reset"):
        value = headers.get(name)
        if value:
            try:
                return max(float(value), 1.0)
            except ValueError:
                continue
    return DEFAULT_RETRY_AFTER


async def call(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    json: Any = None,
    data: dict[str, str] | None = None,
    missing_ok: bool = False,
) -> Any:
    """The decoded JSON answer; None for a 404 when `missing_ok` (a deal deleted meanwhile)."""
    try:
        async with http.request(
            method, url, headers=headers, params=params, json=json, data=data, timeout=TIMEOUT
        ) as response:
            if response.status == 429:
                raise CrmError("rate_limited", 429, retry_after(response.headers))
            if response.status == 404 and missing_ok:
                return None
            if response.status >= 400:
                raise CrmError(f"http_{response.status}", response.status)
            return await response.json(content_type=None)
    except aiohttp.ClientError as error:
        raise CrmError(f"unreachable: {type(error).__name__}") from None
