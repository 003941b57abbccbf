"""`/dealbell help`, `/dealbell channels [KIND #channel]`, `/dealbell values …`, `/dealbell kudos …`."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import blocks as bk
from bot.kit.i18n import t
from bot.kit.mentions import channel_id
from handlers.admin import api_commands, audit, crm, export, member_data, privacy, settings
from handlers.features import discover, help_text, routed_command, run_routed
from handlers.replies import not_allowed, refusal
from storage.authority import require_admin, require_manager
from storage.errors import UserError
from storage.models import SEGMENTS, Member, Workspace
from storage.workspaces import CHANNEL_KINDS, set_channel, update_workspace, with_value, without_value


async def dealbell_command(
    ack: AsyncAck,
    body: dict[str, Any],
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    member: Member = context["member"]
    words = (command.get("text") or "").split()
    sub = words[0].lower() if words else "help"
    if route := _routed(sub, words, command):  # `/dealbell log call Acme …` is `/log call Acme …`
        arguments = dict(ack=ack, body=body, command=command, context=context, client=client, respond=respond)
        await run_routed(*route, arguments)
    elif sub == "help":
        await ack(text=help_text(discover(), member.locale))
    elif sub == "channels":
        await ack(text=await channels(context, words[1:]))
    elif sub == "settings":
        await settings.open_settings(ack, body, context, client)
    elif sub == "language":
        await ack(text=await settings.set_language(context, words[1:]))
    elif sub == "currency":
        await ack(text=await settings.set_currency(context, words[1:]))
    elif sub == "export":
        await export.export_command(ack, body, context, client, [w.lower() for w in words[1:]])
    elif sub == "audit":
        await audit.audit_command(ack, context, client, words[1:])
    elif sub == "cadence":
        await ack(text=await cadence_settings(context, [w.lower() for w in words[1:]]))
    elif sub in PRIVACY_SUBCOMMANDS:  # privacy, my-data, forget, retention
        await PRIVACY_SUBCOMMANDS[sub](ack, body, context, client, words[1:])
    elif sub == "api":
        await ack(text=await api_commands.api_command(context, [w for w in words[1:]]))
    elif sub == "webhooks":
        await ack(text=await api_commands.webhooks_command(context, words[1:]))
    elif sub in crm.SUBCOMMANDS:  # connect, connections, disconnect (CRM sync)
        await crm.SUBCOMMANDS[sub](ack, body, context, client, words[1:])
    elif sub in ("values", "kudos"):
        await ack(text=await kudos_settings(context, sub, [w.lower() for w in words[1:]]))
    else:
        unknown = t(member.locale, "admin.error.unknown", word=bk.escape(words[0]))
        await ack(text=f":warning: {unknown}\n\n{help_text(discover(), member.locale)}")


KUDOS_SETTINGS = {"emoji", "allowance", "value-required"}


def _routed(sub: str, words: list[str], command: dict[str, Any]):
    """The command `/dealbell <name> …` names; `/dealbell kudos` keeps its settings words."""
    if sub == "kudos" and (len(words) < 2 or words[1].lower() in KUDOS_SETTINGS):
        return None
    return routed_command(discover(), command.get("text") or "")


PRIVACY_SUBCOMMANDS = {
    "privacy": privacy.privacy_command,
    "retention": privacy.retention_command,
    "my-data": member_data.my_data_command,
    "forget": member_data.forget_command,
}


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
    if refused := not_allowed(locale, require_admin, member):
        return refused
    async with context["db"].session() as session:
        workspace = await session.merge(workspace)
        await set_channel(session, workspace, kind, target, by=member.slack_user_id)
    return ":white_check_mark: " + t(locale, "admin.channels.set", kind=kind, channel=target)


VALUE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
EMOJI_NAME = re.compile(r"^:?([a-z0-9_+'-]{1,64}):?$")


def kudos_summary(workspace: Workspace, locale: str | None) -> str:
    return t(
        locale,
        "settings.kudos.shown",
        emoji=workspace.kudos_emoji,
        allowance=workspace.kudos_allowance,
        required=t(locale, "settings.yes" if workspace.kudos_value_required else "settings.no"),
        values=", ".join(f"#{v}" for v in workspace.values),
    )


def kudos_change(workspace: Workspace, sub: str, args: list[str]) -> dict[str, object] | str:
    """The settings to write for `/dealbell values|kudos …`, or the catalogue key of the refusal."""
    action, argument = [*args, "", ""][:2]
    if sub == "values":
        name = argument.lstrip("#")
        if not VALUE_NAME.match(name):
            return "settings.kudos.bad_value"
        return {
            "kudos_values": with_value(workspace, name) if action == "add" else without_value(workspace, name)
        }
    if action == "emoji":
        match = EMOJI_NAME.match(argument)
        return {"kudos_emoji": match.group(1)} if match else "settings.kudos.bad_emoji"
    if action == "allowance":
        ok = argument.isascii() and argument.isdigit() and 1 <= int(argument) <= 100
        return {"kudos_allowance": int(argument)} if ok else "settings.kudos.bad_number"
    return {"kudos_value_required": argument in ("on", "yes", "true")}


async def kudos_settings(context: AsyncBoltContext, sub: str, args: list[str]) -> str:
    workspace: Workspace = context["workspace"]
    member: Member = context["member"]
    locale = member.locale
    known = (sub == "values" and args[:1] in (["add"], ["remove"])) or (
        sub == "kudos" and args[:1] in (["emoji"], ["allowance"], ["value-required"])
    )
    if not known:
        return kudos_summary(workspace, locale) + "\n" + t(locale, "settings.kudos.usage")
    if refused := not_allowed(locale, require_manager, member):
        return refused
    try:
        change = kudos_change(workspace, sub, args)
    except UserError as error:
        return refusal(locale, error)
    if isinstance(change, str):
        return ":warning: " + t(locale, change)
    async with context["db"].session() as session:
        workspace = await update_workspace(session, workspace, **change)
    return ":white_check_mark: " + t(locale, "settings.kudos.saved", summary=kudos_summary(workspace, locale))


def cadence_summary(workspace: Workspace, locale: str | None) -> str:
    cadences = ", ".join(f"{segment} {workspace.cadence_days(segment)}" for segment in SEGMENTS)
    return t(locale, "settings.cadence.shown", cadences=cadences)


async def cadence_settings(context: AsyncBoltContext, args: list[str]) -> str:
    """`/dealbell cadence [SEGMENT DAYS]`: days between contacts per customer segment."""
    workspace: Workspace = context["workspace"]
    member: Member = context["member"]
    locale = member.locale
    if not args:
        return cadence_summary(workspace, locale)
    if refused := not_allowed(locale, require_manager, member):
        return refused
    segment, days = [*args, ""][:2]
    if segment not in SEGMENTS or not (days.isascii() and days.isdigit()) or not 1 <= int(days) <= 365:
        return ":warning: " + t(locale, "settings.cadence.bad", segments=", ".join(SEGMENTS))
    cadences = {**(workspace.segment_cadences or {}), segment: int(days)}
    async with context["db"].session() as session:
        workspace = await update_workspace(session, workspace, segment_cadences=cadences)
    return ":white_check_mark: " + cadence_summary(workspace, locale)
