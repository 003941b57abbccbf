"""Signed requests, shaped like Slack's (tests/payloads), sent over HTTP to the running app."""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bot.sandbox import strict

PAYLOADS = Path(__file__).parent / "payloads"
_ids = itertools.count(1)


def payload(name: str) -> dict[str, Any]:
    data = json.loads((PAYLOADS / f"{name}.json").read_text())
    data.pop("_note", None)
    return data


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Reply:
    status: int
    text: str
    elapsed: float

    @property
    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


def refused_acknowledgement(reply: Reply) -> list[str]:
    """What Slack would refuse in the body the app acknowledged with: a message (a command's answer)
    or a view (a submission's response_action update/push), checked as strictly as the fake Slack."""
    try:
        body = reply.json
    except ValueError:
        return []  # plain text or empty: nothing Block Kit in it
    if not isinstance(body, dict):
        return []
    if body.get("response_action") in ("update", "push"):
        return strict.view_errors(body.get("view"))
    return strict.message_errors(body.get("blocks"), body.get("attachments"))


class SlackSender:
    """Builds Slack's requests and signs them with the app's signing secret."""

    def __init__(self, app_url: str, signing_secret: str, response_url: str) -> None:
        self.url = app_url.rstrip("/") + "/slack/events"
        self.secret = signing_secret
        self.response_url = response_url

    async def post(self, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> Reply:
        timestamp = str(int(time.time()))
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(self.secret, timestamp, body),
            **(headers or {}),
        }
        started = time.monotonic()
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, data=body, headers=all_headers) as r,
        ):
            text = await r.text()
            reply = Reply(r.status, text, time.monotonic() - started)
        refused = refused_acknowledgement(reply)
        assert not refused, f"Slack would refuse the app's acknowledgement: {refused}"
        return reply

    async def form(self, fields: dict[str, Any]) -> Reply:
        return await self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded")

    async def interactive(self, data: dict[str, Any]) -> Reply:
        return await self.form({"payload": json.dumps(data)})

    # --- shapes -----------------------------------------------------------------------------------

    async def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str = "U0001",
        team: str = "T0001",
        channel: str = "C0001",
        trigger_id: str | None = None,
    ) -> Reply:
        fields = payload("slash_command")
        fields.update(
            command=command,
            text=text,
            user_id=user,
            user_name=user.lower(),
            team_id=team,
            channel_id=channel,
            trigger_id=trigger_id or f"trigger.{next(_ids)}",
            response_url=self.response_url,
        )
        return await self.form(fields)

    def action_payload(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "U0001",
        team: str = "T0001",
        channel: str = "C0001",
        message_ts: str = "1800000001.000100",
        ephemeral: bool = False,
    ) -> dict[str, Any]:
        data = payload("block_actions")
        data["user"].update(id=user, username=user.lower(), name=user.lower(), team_id=team)
        data["team"]["id"] = team
        data["container"].update(channel_id=channel, message_ts=message_ts, is_ephemeral=ephemeral)
        data["channel"]["id"] = channel
        data["message"]["ts"] = message_ts
        data["trigger_id"] = f"trigger.{next(_ids)}"
        data["response_url"] = self.response_url
        data["actions"][0].update(action_id=action_id, value=value, action_ts=f"{time.time():.6f}")
        return data

    async def action(self, action_id: str, value: str, **kwargs: Any) -> Reply:
        return await self.interactive(self.action_payload(action_id, value, **kwargs))

    def view_payload(
        self,
        callback_id: str,
        values: dict[str, dict[str, Any]],
        *,
        view_id: str = "V0001",
        private_metadata: str = "",
        user: str = "U0001",
        team: str = "T0001",
    ) -> dict[str, Any]:
        data = payload("view_submission")
        data["user"].update(id=user, username=user.lower(), name=user.lower(), team_id=team)
        data["team"]["id"] = team
        data["view"].update(
            id=view_id, team_id=team, callback_id=callback_id, private_metadata=private_metadata
        )
        data["view"]["state"] = {"values": copy.deepcopy(values)}
        return data

    async def view_submission(
        self, callback_id: str, values: dict[str, dict[str, Any]], **kwargs: Any
    ) -> Reply:
        return await self.interactive(self.view_payload(callback_id, values, **kwargs))

    async def block_suggestion(
        self, action_id: str, value: str, *, block_id: str = "", user: str = "U0001", team: str = "T0001"
    ) -> Reply:
        """What Slack sends the options load URL as someone types into an external_select."""
        data = payload("block_suggestion")
        data["user"].update(id=user, username=user.lower(), name=user.lower(), team_id=team)
        data["team"]["id"] = team
        data.update(action_id=action_id, block_id=block_id or data["block_id"], value=value)
        return await self.interactive(data)

    async def event(self, name: str, *, event_id: str | None = None, retry_num: int | None = None,
                    **event_fields: Any) -> Reply:  # fmt: skip
        data = payload(name)
        data["event_id"] = event_id or f"Ev{next(_ids):06d}"
        data["event"].update(event_fields)
        headers = {}
        if retry_num:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(json.dumps(data).encode(), "application/json", headers)


def text_value(value: str | None) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def external_value(action_id: str, value: str | None) -> dict[str, Any]:
    """The state of an external_select: keyed by its own action id, the option chosen."""
    option = {"text": {"type": "plain_text", "text": value}, "value": value} if value else None
    return {action_id: {"type": "external_select", "selected_option": option}}


def select_value(value: str | None) -> dict[str, Any]:
    option = {"text": {"type": "plain_text", "text": value}, "value": value} if value else None
    return {"value": {"type": "static_select", "selected_option": option}}


def date_value(value: str | None) -> dict[str, Any]:
    return {"value": {"type": "datepicker", "selected_date": value}}


def checkbox_value(*values: str) -> dict[str, Any]:
    options = [{"text": {"type": "plain_text", "text": v}, "value": v} for v in values]
    return {"value": {"type": "checkboxes", "selected_options": options}}
