"""The fake Slack speaks files_upload_v2's three steps, so charts and exports can be tested end to end."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient


async def test_files_upload_v2_reaches_the_fake(fake_slack):
    client = AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url)
    await client.files_upload_v2(
        channel="D0001",
        content=b"\xef\xbb\xbfname\nAcme\n",
        filename="deals.csv",
        title="Deals",
        thread_ts="1.2",
    )
    ((args, data),) = fake_slack.uploaded()
    assert data == b"\xef\xbb\xbfname\nAcme\n"
    assert args["channel_id"] == "D0001" and args["thread_ts"] == "1.2"
