"""What Slack sends the bot, built and signed as Slack does it: slash commands, clicks, form submissions, events.

Each request goes over HTTP to the bot's `POST /slack/events` with `X-Slack-Signature` computed
from the signing secret (https://api.slack.com/authentication/verifying-requests-from-slack).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bot.sandbox.workspace import TEAM_ID, SandboxSlack

TEAM_DOMAIN = "acme-sales"
APP_ID = "A0001"
_event_ids = itertools.count(1)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def slack_escape(text: str) -> str:
    """Slack escapes &, < and > in what people type before sending it to an app."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


MENTION = re.compile(r"(?<![\w<])([@#])(\w(?:[\w.\-]*\w)?)")  # a trailing "." or "-" is punctuation


def escape_command_text(text: str, users: Mapping[str, dict[str, Any]], channels: Mapping[str, str]) -> str:
    """Command text as a manifest with `should_escape: true` receives it: `@li` → `<@U…|li>`, `#wins` → `<#C…|wins>`.

    `users` maps handles to users.info users, `channels` channel names to ids; unknown names stay text.
    """

    def linked(match: re.Match[str]) -> str:
        sigil, name = match.group(1), match.group(2)
        if sigil == "@" and name in users:
            return f"<@{users[name]['id']}|{name}>"
        if sigil == "#" and name in channels:
            return f"<#{channels[name]}|{name}>"
        return match.group(0)

    return MENTION.sub(linked, slack_escape(text))


@dataclass
class Answer:
    status: int
    body: Any  # the decoded JSON the bot answered; a plain text answer as {"text": …}; None when empty


class Forwarder:
    """Sends Slack's requests for the sandbox workspace to the bot, signed with its signing secret."""

    def __init__(self, slack: SandboxSlack, bot_url: str, signing_secret: str) -> None:
        self.slack = slack
        self.url = bot_url.rstrip("/") + "/slack/events"
        self.secret = signing_secret
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def post(self, body: bytes, content_type: str) -> Answer:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(self.secret, timestamp, body),
        }
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.post(self.url, data=body, headers=headers) as response:
            text = await response.text()
        try:
            decoded = json.loads(text) if text.strip() else None
        except ValueError:  # Bolt answers a text-only ack as text/plain; Slack shows it like {"text": …}
            decoded = {"text": text}
        return Answer(response.status, decoded)

    async def interactive(self, payload: dict[str, Any]) -> Answer:
        return await self.post(
            urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"
        )

    # --- the people in the payloads --------------------------------------------------------------

    def _user(self, user_id: str) -> dict[str, Any]:
        name = (self.slack.users.get(user_id) or {}).get("name", user_id.lower())
        return {"id": user_id, "username": name, "name": name, "team_id": TEAM_ID}

    def _handles(self) -> dict[str, dict[str, Any]]:
        return {user["name"]: user for user in self.slack.users.values() if not user.get("is_bot")}

    def _channel_name(self, channel: str) -> str:
        known = self.slack.channels.get(channel)
        return known.name if known else "directmessage"

    # --- slash commands --------------------------------------------------------------------------

    async def command(self, user: str, channel: str, command: str, text: str) -> Answer:
        """A slash command; the bot's acknowledgement is shown as Slack shows it (ephemeral unless in_channel)."""
        channels = {c.name: c.id for c in self.slack.channels.values()}
        fields = {
            "token": "sandbox", "team_id": TEAM_ID, "team_domain": TEAM_DOMAIN, "enterprise_id": "",
            "enterprise_name": "", "channel_id": channel, "channel_name": self._channel_name(channel),
            "user_id": user, "user_name": self._user(user)["name"], "command": command,
            "text": escape_command_text(text, self._handles(), channels), "api_app_id": APP_ID,
            "is_enterprise_install": "false", "response_url": self.slack.response_url_for(user, channel),
            "trigger_id": self.slack.new_trigger(user),
        }  # fmt: skip
        answer = await self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded")
        reply = answer.body if answer.status == 200 and isinstance(answer.body, dict) else {}
        if reply.get("text") or reply.get("blocks"):
            self.slack.respond(user, channel, None, reply)
        return answer

    # --- clicks ----------------------------------------------------------------------------------

    def _action(self, action: dict[str, Any]) -> dict[str, Any]:
        return {**action, "action_ts": f"{time.time():.6f}"}

    async def message_action(self, user: str, channel: str, ts: str, action: dict[str, Any]) -> Answer:
        """A click on a button or a choice in a menu of a message (an ephemeral one too)."""
        message = self.slack.find(channel, ts)
        if message is None:
            return Answer(404, None)
        ephemeral = message.ephemeral_to is not None
        payload = {
            "type": "block_actions", "api_app_id": APP_ID, "token": "sandbox",
            "trigger_id": self.slack.new_trigger(user), "user": self._user(user),
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN}, "enterprise": None, "is_enterprise_install": False,
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral},
            "channel": {"id": channel, "name": self._channel_name(channel)},
            "state": {"values": {}}, "response_url": self.slack.response_url_for(user, channel, ts),
            "actions": [self._action(action)],
        }  # fmt: skip
        if not ephemeral:  # Slack leaves the message out of clicks on ephemeral messages
            payload["message"] = {"type": "message", "ts": ts, "text": message.text, "user": message.user,
                                  "blocks": message.blocks}  # fmt: skip
        return await self.interactive(payload)

    async def view_action(
        self, user: str, view_id: str, action: dict[str, Any], values: dict[str, Any]
    ) -> Answer:
        """A click inside a modal or the App Home (these carry no response_url)."""
        found = self.slack.view_by_id(view_id)
        if found is None:
            return Answer(404, None)
        _owner, view = found
        payload = {
            "type": "block_actions", "api_app_id": APP_ID, "token": "sandbox",
            "trigger_id": self.slack.new_trigger(user), "user": self._user(user),
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN}, "enterprise": None, "is_enterprise_install": False,
            "container": {"type": "view", "view_id": view_id},
            "view": {**view, "team_id": TEAM_ID, "state": {"values": values}},
            "actions": [self._action(action)],
        }  # fmt: skip
        return await self.interactive(payload)

    async def options(self, user: str, view_id: str, block_id: str, action_id: str, value: str) -> Answer:
        """Someone typing into a modal's external_select: Slack asks the options load URL (the bot)."""
        found = self.slack.view_by_id(view_id)
        if found is None:
            return Answer(404, None)
        _owner, view = found
        payload = {
            "type": "block_suggestion", "api_app_id": APP_ID, "token": "sandbox", "user": self._user(user),
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN}, "enterprise": None, "is_enterprise_install": False,
            "container": {"type": "view", "view_id": view_id}, "action_id": action_id, "block_id": block_id,
            "value": value, "view": {**view, "team_id": TEAM_ID},
        }  # fmt: skip
        return await self.interactive(payload)

    async def view_submission(self, user: str, view_id: str, values: dict[str, Any]) -> Answer:
        """Submit the user's top modal; apply the bot's response_action as Slack does."""
        stack = self.slack.modals.get(user) or []
        view = next((v for v in stack if v["id"] == view_id), None)
        if view is None:
            return Answer(404, None)
        payload = {
            "type": "view_submission", "api_app_id": APP_ID, "token": "sandbox",
            "trigger_id": self.slack.new_trigger(user), "user": self._user(user),
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN}, "enterprise": None, "is_enterprise_install": False,
            "response_urls": [], "view": {**view, "team_id": TEAM_ID, "state": {"values": values}},
        }  # fmt: skip
        answer = await self.interactive(payload)
        if answer.status == 200:
            self._after_submission(user, view, answer.body if isinstance(answer.body, dict) else {})
        return answer

    def _after_submission(self, user: str, view: dict[str, Any], body: dict[str, Any]) -> None:
        action = body.get("response_action")
        if action == "errors":
            return  # the page shows them beside the fields; the modal stays open
        if action == "update" and body.get("view"):
            fresh = self.slack.shown(body["view"], view["id"])
            view.clear()
            view.update(fresh)
            self.slack.bump()
        elif action == "push" and body.get("view"):
            self.slack.modals.setdefault(user, []).append(self.slack.shown(body["view"]))
            self.slack.bump()
        else:
            self.slack.close_modal(user, everything=action == "clear")

    # --- events ----------------------------------------------------------------------------------

    async def event(self, event: dict[str, Any]) -> Answer:
        envelope = {
            "token": "sandbox", "team_id": TEAM_ID, "api_app_id": APP_ID, "type": "event_callback",
            "event_id": f"EvSB{int(time.time())}{next(_event_ids):06d}", "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": TEAM_ID, "user_id": "UBOT", "is_bot": True,
                                "is_enterprise_install": False}],
            "event": {**event, "event_ts": f"{time.time():.6f}"},
        }  # fmt: skip
        return await self.post(json.dumps(envelope).encode(), "application/json")

    async def reaction(self, user: str, channel: str, ts: str, name: str) -> Answer | None:
        """Toggle `user`'s reaction and tell the bot (reaction_added or reaction_removed)."""
        toggled = self.slack.toggle_reaction(user, channel, ts, name)
        if toggled is None:
            return None
        message, added = toggled
        return await self.event(
            {"type": "reaction_added" if added else "reaction_removed", "user": user, "reaction": name,
             "item_user": message.user, "item": {"type": "message", "channel": channel, "ts": ts}}
        )  # fmt: skip

    async def home_opened(self, user: str) -> Answer:
        return await self.event(
            {"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"}
        )
