"""A token over its rate limit is told when to come back; another token is not slowed by it."""

from __future__ import annotations

import pytest

from bot.api import ApiOptions
from bot.api.core import RateLimiter
from tests.api.conftest import FAST_RETRIES, ApiApp
from tests.api.test_api import is_problem


@pytest.fixture
def api_options() -> ApiOptions:
    return ApiOptions(limiter=RateLimiter(per_minute=60, burst=3), retry=FAST_RETRIES, poll=0.2)


async def test_a_token_over_its_rate_limit_gets_429_with_retry_after(api_app: ApiApp):
    replies = [await api_app.read.get("/members") for _ in range(4)]
    assert [r.status for r in replies[:3]] == [200, 200, 200]
    assert is_problem(replies[3], 429) and int(replies[3].headers["Retry-After"]) >= 1
    assert (await api_app.api.get("/members")).status == 200  # another token has its own budget
