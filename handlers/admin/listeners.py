"""`/dealbell help`, `/dealbell channels [KIND #channel]`."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from bot import blocks as bk
from bot.i18n import t
from bot.mentions import channel_id
from storage.models import Member, Workspace
from storage.workspaces import CHANNEL_KINDS, set_channel


async def dealbell_command(
    ack: AsyncAck, body: dict[str, Any], command: dict[str, Any], context: AsyncBoltContext
) -> None:
    member: Member = context["member"]
    words = (command.get("text") or "").split()
    sub = words[0].lower() if words else "help"
    if sub == "help":
        await ack(text=t(member.locale, "admin.usage"))
    elif sub == "channels":
        await ack(text=await channels(context, words[1:]))
    else:
        unknown = t(member.locale, "admin.error.unknown", word=bk.escape(words[0]))
        await ack(text=f":warning: {unknown}\n\n{t(member.locale, 'admin.usage')}")


async def channels(context: AsyncBoltContext, args: list[str]) -> str:
    workspace: Workspace = context["workspace"]
    member: Member = context["member"]
    locale = member.locale
    if not args:
        lines = [
            t(
                locale,
                "admin.channels.line",
                kind=kind,
                channel=f"<#{workspace.channel(kind)}>"
                if workspace.channel(kind)
                else t(locale, "admin.channels.unset"),
            )
            for kind in CHANNEL_KINDS
        ]
        return t(locale, "admin.channels.list", lines="\n".join(lines))
    kind = args[0].lower()
    if kind not in CHANNEL_KINDS:
        return ":warning: " + t(
            locale, "admin.channels.bad_kind", kind=bk.escape(args[0]), kinds=", ".join(CHANNEL_KINDS)
        )
    target = channel_id(" ".join(args[1:]))
    if target is None:
        return ":warning: " + t(locale, "admin.channels.bad_channel")
    if not member.is_workspace_admin:
        return ":no_entry: " + t(locale, "admin.error.not_admin")
    async with context["db"].session() as session:
        workspace = await session.merge(workspace)
        await set_channel(session, workspace, kind, target, by=member.slack_user_id)
    return ":white_check_mark: " + t(locale, "admin.channels.set", kind=kind, channel=target)
