"""The sandbox's Slack workspace: the fake Web API, plus what a person would see in Slack.

`SandboxSlack` answers the bot exactly like the tests' FakeSlack (it is one), and also keeps the
workspace's state that the sandbox page shows: channels, messages (ephemeral ones too, and thread
replies), reactions, each user's open modals and App Home. Every change bumps `version`, which the
page long-polls for.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.sandbox.fake_slack import BOT_USER, TEAM_ID, Call, FakeSlack


@dataclass
class Message:
    channel: str
    ts: str
    user: str  # who posted it: a member, or BOT_USER
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    ephemeral_to: str | None = None  # only this user sees it ("Only visible to you")
    reactions: dict[str, list[str]] = field(default_factory=dict)  # emoji name -> users, in order
    files: list[dict[str, str]] = field(default_factory=list)  # {"id", "title", "url"}
    posted_at: float = field(default_factory=time.time)
    edited: bool = False

    def public(self) -> dict[str, Any]:
        return {
            "channel": self.channel, "ts": self.ts, "user": self.user, "bot": self.user == BOT_USER,
            "text": self.text, "blocks": self.blocks, "thread_ts": self.thread_ts,
            "ephemeral": self.ephemeral_to is not None, "edited": self.edited, "posted_at": self.posted_at,
            "reactions": [{"name": n, "users": u} for n, u in self.reactions.items() if u],
            "files": self.files,
        }  # fmt: skip


@dataclass(frozen=True)
class Channel:
    id: str
    name: str


def dm_channel(user_id: str) -> str:
    """The id of a member's DM with the bot, as the fake answers conversations.open."""
    return "D" + user_id


class SandboxSlack(FakeSlack):
    def __init__(self, scopes: Iterable[str] | None = None) -> None:
        super().__init__(scopes)
        self.channels: dict[str, Channel] = {}
        self.timeline: list[Message] = []
        self.modals: dict[str, list[dict[str, Any]]] = {}  # user -> stack of open views (top last)
        self.homes: dict[str, dict[str, Any]] = {}  # user -> published App Home view
        self.triggers: dict[str, str] = {}  # trigger id -> the user whose click or command made it
        self.version = 0
        self.closing = False  # set on shutdown: long polls answer at once instead of holding it up
        self._updated = asyncio.Event()
        self._serial = itertools.count(1)
        self.add_user(BOT_USER, name="dealbell", real_name="dealbell", is_bot=True,
                      profile={"real_name": "dealbell", "display_name": "dealbell"})  # fmt: skip

    # --- the page's view of the workspace ----------------------------------------------------------

    def bump(self) -> None:
        """Something the page shows changed: wake the long-polls."""
        self.version += 1
        self._updated.set()
        self._updated = asyncio.Event()

    async def changed_since(self, version: int, wait_seconds: float) -> None:
        """Return once `version` is out of date, or after `wait_seconds`."""
        if self.version != version or self.closing:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._updated.wait(), wait_seconds)

    def add_channel(self, channel_id: str, name: str) -> None:
        self.channels[channel_id] = Channel(channel_id, name)

    def new_ts(self) -> str:
        return f"{int(time.time())}.{next(self._serial):06d}"

    def new_trigger(self, user: str) -> str:
        trigger = f"{next(self._serial)}.{int(time.time())}.sandbox"
        self.triggers[trigger] = user
        return trigger

    def post(self, message: Message) -> Message:
        self.timeline.append(message)
        if message.ephemeral_to is None:  # what conversations.history can read (reaction kudos)
            self.messages[(message.channel, message.ts)] = {
                "type": "message", "user": message.user, "text": message.text, "ts": message.ts,
            }  # fmt: skip
        self.bump()
        return message

    def find(self, channel: str, ts: str) -> Message | None:
        return next((m for m in self.timeline if m.channel == channel and m.ts == ts), None)

    def visible_to(self, user: str) -> list[Message]:
        """Channel messages, this user's DM with the bot and the ephemeral messages meant for them."""
        return [
            m
            for m in self.timeline
            if (m.ephemeral_to is None or m.ephemeral_to == user)
            and (m.channel in self.channels or m.channel == dm_channel(user))
        ]

    def toggle_reaction(self, user: str, channel: str, ts: str, name: str) -> tuple[Message, bool] | None:
        """Add `user`'s reaction, or take it away if already there; (message, added)."""
        message = self.find(channel, ts)
        if message is None or message.ephemeral_to is not None:
            return None
        users = message.reactions.setdefault(name, [])
        added = user not in users
        if added:
            users.append(user)
        else:
            users.remove(user)
        self.bump()
        return message, added

    def close_modal(self, user: str, *, everything: bool = False) -> None:
        stack = self.modals.get(user, [])
        if stack:
            del stack[0 if everything else -1 :]
        self.bump()

    def view_by_id(self, view_id: str) -> tuple[str, dict[str, Any]] | None:
        """(user, view) for an open modal or a published Home."""
        for user, stack in self.modals.items():
            for view in stack:
                if view["id"] == view_id:
                    return user, view
        for user, view in self.homes.items():
            if view["id"] == view_id:
                return user, view
        return None

    # --- the Web API, remembered -----------------------------------------------------------------

    def _answer(self, method: str, args: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        answer = super()._answer(method, args, token)
        if answer.get("ok"):
            keep = getattr(self, "_keep_" + method.replace(".", "_"), None)
            if keep is not None:
                answer = keep(args, answer) or answer
        return answer

    def _keep_chat_postMessage(self, args: dict[str, Any], answer: dict[str, Any]) -> None:
        self.post(
            Message(answer["channel"], answer["ts"], BOT_USER, args.get("text", ""), args.get("blocks") or [],
                    thread_ts=args.get("thread_ts") or None)
        )  # fmt: skip

    def _keep_chat_postEphemeral(self, args: dict[str, Any], answer: dict[str, Any]) -> None:
        self.post(
            Message(args.get("channel", ""), answer["message_ts"], BOT_USER, args.get("text", ""),
                    args.get("blocks") or [], ephemeral_to=args.get("user"))
        )  # fmt: skip

    def _keep_chat_update(self, args: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any] | None:
        message = self.find(args.get("channel", ""), args.get("ts", ""))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message.text, message.blocks, message.edited = args.get("text", ""), args.get("blocks") or [], True
        self.messages[(message.channel, message.ts)]["text"] = message.text
        self.bump()
        return None

    def _keep_chat_delete(self, args: dict[str, Any], answer: dict[str, Any]) -> None:
        message = self.find(args.get("channel", ""), args.get("ts", ""))
        if message is not None:
            self.timeline.remove(message)
            self.messages.pop((message.channel, message.ts), None)
            self.bump()

    def _keep_views_open(self, args: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any] | None:
        user = self.triggers.get(args.get("trigger_id", ""))
        if user is None:
            return {"ok": False, "error": "invalid_trigger_id"}
        self.modals[user] = [self.shown(answer["view"])]
        self.bump()
        return None

    def _keep_views_push(self, args: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any] | None:
        user = self.triggers.get(args.get("trigger_id", ""))
        if user is None or not self.modals.get(user):
            return {"ok": False, "error": "invalid_trigger_id"}
        self.modals[user].append(self.shown(answer["view"]))
        self.bump()
        return None

    def _keep_views_update(self, args: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any] | None:
        found = self.view_by_id(args.get("view_id", ""))
        if found is None:
            return {"ok": False, "error": "not_found"}
        _user, view = found
        fresh = self.shown(answer["view"], view["id"])
        view.clear()
        view.update(fresh)
        self.bump()
        return {**answer, "view": fresh}

    def _keep_views_publish(self, args: dict[str, Any], answer: dict[str, Any]) -> None:
        user = args.get("user_id", "")
        previous = self.homes.get(user)
        # A Home keeps its view id, as in Slack.
        self.homes[user] = self.shown(answer["view"], previous["id"] if previous else None)
        self.bump()

    def _keep_files_completeUploadExternal(self, args: dict[str, Any], answer: dict[str, Any]) -> None:
        channel = args.get("channel_id")
        if not channel:
            return
        files = args.get("files")
        files = json.loads(files) if isinstance(files, str) else files or []
        shown = [{"id": f["id"], "title": f.get("title") or "", "url": f"/files/{f['id']}"} for f in files]
        message = Message(channel, self.new_ts(), BOT_USER, args.get("initial_comment") or "",
                          thread_ts=args.get("thread_ts") or None)  # fmt: skip
        message.files = shown
        self.post(message)

    def shown(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        """A view as it is on screen: its id (kept when redrawn), a new hash, nothing typed in it yet."""
        serial = self.new_ts()
        view_id = view_id or view.get("id") or "V" + serial.replace(".", "")
        return {**view, "id": view_id, "hash": serial, "state": {"values": {}}}

    # --- response_url ------------------------------------------------------------------------------

    def response_url_for(self, user: str, channel: str, ts: str | None = None) -> str:
        """A response_url that knows who clicked (or typed) where, and on which message."""
        return self.response_url(f"sandbox/{user}/{channel}/{ts or '-'}")

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.read()
        args = json.loads(body) if body else {}
        call = Call("response_url", args)
        await self._record(call)
        refused = self._refused_response(call)
        if refused is not None:
            return refused
        parts = request.match_info["key"].split("/")
        if len(parts) == 4 and parts[0] == "sandbox":
            self.respond(parts[1], parts[2], None if parts[3] == "-" else parts[3], args)
        return web.Response(text="ok")

    def respond(self, user: str, channel: str, ts: str | None, args: dict[str, Any]) -> None:
        """What Slack does with a response_url message: replace or delete the original, or post anew."""
        original = self.find(channel, ts) if ts else None
        if original is not None and args.get("delete_original"):
            self.timeline.remove(original)
            self.messages.pop((channel, original.ts), None)
            self.bump()
        elif original is not None and args.get("replace_original"):
            original.text, original.blocks = args.get("text", ""), args.get("blocks") or []
            original.edited = True
            self.bump()
        elif args.get("response_type") == "in_channel":
            self.post(
                Message(channel, self.new_ts(), BOT_USER, args.get("text", ""), args.get("blocks") or [])
            )
        else:
            self.post(
                Message(channel, self.new_ts(), BOT_USER, args.get("text", ""), args.get("blocks") or [],
                        ephemeral_to=user)
            )  # fmt: skip


__all__ = ["BOT_USER", "TEAM_ID", "Channel", "Message", "SandboxSlack", "dm_channel"]
