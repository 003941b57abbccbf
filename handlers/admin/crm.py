"""`/dealbell connect hubspot|pipedrive|salesforce` (its form), `/dealbell connect map …`,
`/dealbell connections`, `/dealbell disconnect …`: workspace admins link dealbell to their CRM.

The credentials go from the form straight into storage/crm/connections.py, sealed; they are never
echoed, logged or shown again. Syncing itself is jobs/crm_sync.py's (and the webhooks')."""

from __future__ import annotations

import datetime as dt
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import blocks as bk
from bot.kit.i18n import t
from bot.kit.mentions import user_ids
from handlers.middleware import scope
from handlers.replies import not_allowed, refusal
from storage.authority import require_admin
from storage.crm import DEFAULT_BASE_URLS, FIELDS, cursor_at
from storage.crm import connections as crm_connections
from storage.crm.apply import apply_pending
from storage.errors import UserError
from storage.workspaces import get_member

CONNECT_CALLBACK = "crm_connect"
OPTIONAL_FIELDS = ("base_url", "since")


def connect_modal(kind: str, locale: str | None) -> dict[str, Any]:
    blocks = [
        bk.text_input(
            name, t(locale, f"crm.field.{name}"), optional=name == "base_url" and kind in DEFAULT_BASE_URLS
        )
        for name in FIELDS[kind]
    ]
    blocks.append(bk.date_input("since", t(locale, "crm.form.since")))
    return bk.modal(
        CONNECT_CALLBACK, t(locale, "crm.form.title", crm=kind), blocks,
        submit=t(locale, "crm.form.submit"), close=t(locale, "modal.close"), metadata=kind,
    )  # fmt: skip


async def connect_command(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient, args: list[str]
) -> None:
    """`connect KIND` opens the form; `connect map KIND OWNER_ID @person` maps an owner."""
    _db, _workspace, member = scope(context)
    refused = not_allowed(member.locale, require_admin, member)
    if refused:
        await ack(text=refused)
        return
    if not args:
        await ack(text=t(member.locale, "crm.usage"))
        return
    if args[0].lower() in SETTINGS:
        await ack(text=await SETTINGS[args[0].lower()](context, args[1:]))
        return
    try:
        kind = crm_connections.check_kind(args[0])
    except UserError as error:
        await ack(text=refusal(member.locale, error))
        return
    await ack()
    await client.views_open(trigger_id=body["trigger_id"], view=connect_modal(kind, member.locale))


async def submit_connect(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    if not_allowed(member.locale, require_admin, member):
        await ack()
        return
    kind = crm_connections.check_kind(view.get("private_metadata") or "")
    given = {name: (bk.input_value(view["state"], name) or "").strip() for name in FIELDS[kind]}
    missing = [name for name in FIELDS[kind] if not given[name] and name not in OPTIONAL_FIELDS]
    if missing:
        await ack(
            response_action="errors",
            errors={name: t(member.locale, "crm.error.required") for name in missing},
        )
        return
    await ack()
    since = bk.input_value(view["state"], "since")
    base_url = given.get("base_url") or DEFAULT_BASE_URLS.get(kind, "")
    credentials = {name: value for name, value in given.items() if name not in ("account", "base_url")}
    async with db.session() as session:
        connection = await crm_connections.connect(
            session, workspace.id, kind, account=given.get("account") or kind, base_url=base_url,
            credentials=credentials, secret_key=context["settings"].secret_key, by=member.slack_user_id,
        )  # fmt: skip
        if since:
            connection.cursor = cursor_at(kind, dt.datetime.fromisoformat(since).replace(tzinfo=dt.UTC))
        account = connection.account
    text = t(member.locale, "crm.connected", crm=kind, account=bk.escape(account))
    await client.chat_postMessage(channel=member.slack_user_id, text=text)


async def map_command(context: AsyncBoltContext, args: list[str]) -> str:
    db, workspace, member = scope(context)
    people = user_ids(" ".join(args[2:]))
    if len(args) < 3 or not people:
        return f":warning: {t(member.locale, 'crm.error.bad_map')}"
    try:
        kind = crm_connections.check_kind(args[0])
    except UserError as error:
        return refusal(member.locale, error)
    owner_key = args[1]
    async with db.session() as session:
        connection = await crm_connections.get_connection(session, workspace.id, kind)
        person = await get_member(session, workspace.id, people[0])
        if connection is None or person is None:
            return f":warning: {t(member.locale, 'crm.error.not_connected', crm=kind)}"
        await crm_connections.map_owner(session, connection, owner_key, person.slack_user_id)
        credited = await apply_pending(session, workspace, connection, owner_key)
    return t(member.locale, "crm.mapped", owner=bk.escape(owner_key), member=f"<@{person.slack_user_id}>",
             count=len(credited))  # fmt: skip


async def stage_command(context: AsyncBoltContext, args: list[str]) -> str:
    """`connect stage hubspot closedwon won`: one CRM stage mapped by hand."""
    return await _change(context, args, 3, "crm.error.bad_stage_usage",
                         lambda session, connection: crm_connections.map_stage(session, connection, args[1], args[2].lower()))  # fmt: skip


async def pipelines_command(context: AsyncBoltContext, args: list[str]) -> str:
    """`connect pipelines hubspot default,renewals` (or `all`): the pipelines that count."""
    chosen = [] if len(args) < 2 or args[1].lower() == "all" else [p for p in args[1].split(",") if p]
    return await _change(context, args, 2, "crm.error.bad_pipelines_usage",
                         lambda session, connection: crm_connections.set_pipelines(session, connection, chosen))  # fmt: skip


async def _change(context: AsyncBoltContext, args: list[str], needed: int, usage: str, change: Any) -> str:
    db, workspace, member = scope(context)
    if len(args) < needed:
        return f":warning: {t(member.locale, usage)}"
    try:
        kind = crm_connections.check_kind(args[0])
        async with db.session() as session:
            connection = await crm_connections.get_connection(session, workspace.id, kind)
            if connection is None:
                return f":warning: {t(member.locale, 'crm.error.not_connected', crm=kind)}"
            await change(session, connection)
    except UserError as error:
        return refusal(member.locale, error)
    return t(member.locale, "crm.saved", crm=kind)


async def connections_command(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient, args: list[str]
) -> None:
    """Each connection: its last sync, its failure if failing, its count, and the owners still unmapped."""
    db, workspace, member = scope(context)
    refused = not_allowed(member.locale, require_admin, member)
    if refused:
        await ack(text=refused)
        return
    locale = member.locale
    lines = [t(locale, "crm.title")]
    async with db.session() as session:
        for connection in await crm_connections.list_connections(session, workspace.id):
            synced = (
                connection.last_sync_at.strftime("%Y-%m-%d %H:%M UTC") if connection.last_sync_at else None
            )
            error = (
                t(locale, "crm.line.error", reason=bk.escape(connection.last_error))
                if connection.last_error
                else ""
            )
            lines.append(t(locale, "crm.line", crm=connection.kind, account=bk.escape(connection.account),
                           synced=synced or t(locale, "crm.line.never"), count=connection.deals_synced, error=error))  # fmt: skip
            unmapped = await crm_connections.unmapped_owners(session, connection.id)
            if unmapped:
                owners = ", ".join(
                    f"`{bk.escape(key)}` {bk.escape(email or '')} ({count})" for key, email, count in unmapped
                )
                lines.append(t(locale, "crm.unmapped", owners=owners))
    await ack(text="\n".join(lines) if len(lines) > 1 else t(locale, "crm.none"))


async def disconnect_command(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient, args: list[str]
) -> None:
    db, workspace, member = scope(context)
    refused = not_allowed(member.locale, require_admin, member)
    if refused:
        await ack(text=refused)
        return
    try:
        kind = crm_connections.check_kind(args[0] if args else "")
        async with db.session() as session:
            removed = await crm_connections.remove(session, workspace.id, kind)
    except UserError as error:
        await ack(text=refusal(member.locale, error))
        return
    key = "crm.disconnected" if removed else "crm.error.not_connected"
    await ack(text=t(member.locale, key, crm=kind))


SETTINGS = {"map": map_command, "stage": stage_command, "pipelines": pipelines_command}
SUBCOMMANDS = {
    "connect": connect_command,
    "connections": connections_command,
    "disconnect": disconnect_command,
}
