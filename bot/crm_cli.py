"""`dealbell connections list|test|sync NAME [--since DATE]|remove NAME`: the operator's side of CRM sync."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the commands import what they use when they run: `dealbell --help` stays cheap
    from bot.settings import Settings
    from storage.db import Database
    from storage.models import CrmConnection, Workspace


def add_parsers(commands: argparse._SubParsersAction) -> None:
    connections = commands.add_parser("connections", help="CRM connections (HubSpot, Pipedrive, Salesforce)")
    actions = connections.add_subparsers(dest="connections_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="each connection: last sync, failure, deals synced")
    listing.add_argument("--team", help="only this workspace (Slack team id)")
    for name, text in (("test", "check the stored credentials against the CRM"),
                       ("sync", "reconcile now (after the saved cursor, or --since)"),
                       ("remove", "disconnect: forget the credentials; the deals stay")):  # fmt: skip
        action = actions.add_parser(name, help=text)
        action.add_argument("name", choices=("hubspot", "pipedrive", "salesforce"))
        action.add_argument("--team", help="the workspace (Slack team id); needed when there are several")
        if name == "sync":
            action.add_argument("--since", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                                help="re-import deals changed since then (recorded without celebrating)")  # fmt: skip


async def run(settings: Settings, args: argparse.Namespace) -> int:
    global aiohttp, connector, sync_connection, CrmError, cursor_at, crm_connections
    global CredentialsUnreadable, Database, utcnow, get_workspace_by_id, list_workspaces
    import aiohttp

    from bot.server import job_services  # the services `dealbell jobs run` uses: Slack, the secret key
    from jobs.crm_sync import connector, sync_connection
    from storage.crm import CrmError, cursor_at
    from storage.crm import connections as crm_connections
    from storage.crm_secrets import CredentialsUnreadable
    from storage.db import Database
    from storage.models import utcnow
    from storage.workspaces import get_workspace_by_id, list_workspaces

    db = Database(settings.database_url)
    try:
        if args.connections_command == "list":
            return await listing(db, args.team)
        found = await the_connection(db, args.name, args.team)
        if found is None:
            return 1
        workspace, connection = found
        services = job_services(settings, db)
        if args.connections_command == "remove":
            async with db.session() as session:
                await crm_connections.remove(session, workspace.id, connection.kind)
            print(f"{connection.kind} disconnected from {workspace.team_id}; its deals stay")
            return 0
        if args.connections_command == "test":
            return await test(services.secret_key or b"", connection)
        since = (
            cursor_at(connection.kind, dt.datetime.combine(args.since, dt.time(), dt.UTC))
            if args.since
            else None
        )
        tally = await sync_connection(
            services, workspace, connection, utcnow(), since=since, backfill=since is not None
        )
        print(f"{connection.kind}: {tally.written} deal changes written, {tally.celebrated} celebrated, "
              f"{len(tally.backfilled_wins)} wins recorded without celebrating, {len(tally.unmapped)} unmapped owners")  # fmt: skip
        return 0
    finally:
        await db.dispose()


async def listing(db: Database, team: str | None) -> int:
    async with db.session() as session:
        workspaces = {w.id: w for w in await list_workspaces(session, team)}
        found = [c for c in await crm_connections.list_connections(session) if c.workspace_id in workspaces]
    for connection in found:
        synced = connection.last_sync_at.isoformat(timespec="seconds") if connection.last_sync_at else "never"
        error = (
            f", failing ({connection.failures}x): {connection.last_error}" if connection.last_error else ""
        )
        print(f"{workspaces[connection.workspace_id].team_id} {connection.kind} account {connection.account}: "
              f"last sync {synced}, {connection.deals_synced} deals synced{error}")  # fmt: skip
    if not found:
        print("no CRM connections")
    return 0


async def the_connection(db: Database, kind: str, team: str | None) -> tuple[Workspace, CrmConnection] | None:
    async with db.session() as session:
        workspaces = {w.id for w in await list_workspaces(session, team)}
        found = [
            c
            for c in await crm_connections.list_connections(session)
            if c.kind == kind and c.workspace_id in workspaces
        ]
        if len(found) != 1:
            print(f"{len(found)} {kind} connections match: name the workspace with --team", file=sys.stderr)
            return None
        workspace = await get_workspace_by_id(session, found[0].workspace_id)
    assert workspace is not None
    return workspace, found[0]


async def test(secret_key: bytes, connection: CrmConnection) -> int:
    try:
        async with aiohttp.ClientSession() as http:
            account = await connector(http, connection, secret_key).account()
    except (CrmError, CredentialsUnreadable) as error:
        print(
            f"{connection.kind}: the credentials do not work ({getattr(error, 'reason', 'unreadable')})",
            file=sys.stderr,
        )
        return 1
    same = account == connection.account
    print(
        f"{connection.kind}: credentials work, account {account}"
        + ("" if same else f" (connected as {connection.account})")
    )
    return 0 if same else 1
