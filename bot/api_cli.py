"""`dealbell api tokens …` and `dealbell webhooks …`: the operator's side of the API and webhooks."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the commands import what they use when they run: `dealbell --help` stays cheap
    from bot.settings import Settings
    from storage.db import Database

TOKEN_SCOPES = ("read", "write")  # storage.api_tokens.SCOPES (a test holds them equal)


def add_parsers(commands: argparse._SubParsersAction) -> None:
    api = commands.add_parser("api", help="REST API tokens")
    api_commands = api.add_subparsers(dest="api_command", metavar="ACTION", required=True)
    tokens = api_commands.add_parser("tokens", help="create, list or revoke a workspace's API tokens")
    token_commands = tokens.add_subparsers(dest="tokens_command", metavar="ACTION", required=True)
    create = token_commands.add_parser("create", help="a new token, printed once")
    create.add_argument("--name", required=True)
    create.add_argument("--scope", choices=TOKEN_SCOPES, default="read")
    revoke = token_commands.add_parser("revoke", help="revoke a token by name")
    revoke.add_argument("--name", required=True)
    listing = token_commands.add_parser("list", help="the workspace's tokens")
    for parser in (create, revoke, listing):
        parser.add_argument("--team", required=True, help="the workspace (Slack team id)")

    hooks = commands.add_parser("webhooks", help="outgoing webhook deliveries")
    hook_commands = hooks.add_subparsers(dest="webhooks_command", metavar="ACTION", required=True)
    deliveries = hook_commands.add_parser("deliveries", help="the latest deliveries and their attempts")
    deliveries.add_argument("--failed", action="store_true", help="only dead-lettered or retrying ones")
    deliveries.add_argument("--team", help="only this workspace")
    redeliver = hook_commands.add_parser("redeliver", help="send a delivery again now")
    redeliver.add_argument("id", type=int)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    global api_tokens, webhooks, Database, UserError, utcnow, list_workspaces, t
    from bot.kit.i18n import t
    from storage import api_tokens, webhooks
    from storage.db import Database
    from storage.errors import UserError
    from storage.models import utcnow
    from storage.workspaces import list_workspaces

    db = Database(settings.database_url)
    try:
        if args.command == "api":
            return await _tokens(db, args)
        return await _webhooks(db, args)
    except UserError as error:
        print(t("en", error.key, **error.params), file=sys.stderr)
        return 1
    finally:
        await db.dispose()


async def _workspace_id(db: Database, team: str) -> int | None:
    async with db.session() as session:
        found = await list_workspaces(session, team)
    if len(found) != 1:
        print(
            f"workspace {team!r} is {'not known to' if not found else 'ambiguous in'} this database",
            file=sys.stderr,
        )
        return None
    return found[0].id


async def _tokens(db: Database, args: argparse.Namespace) -> int:
    workspace_id = await _workspace_id(db, args.team)
    if workspace_id is None:
        return 2
    async with db.session() as session:
        if args.tokens_command == "create":
            issued = await api_tokens.create_token(session, workspace_id, args.name, args.scope, by=None)
            print(issued.secret)
            print(f"token {args.name!r} ({args.scope}) created; it is not shown again", file=sys.stderr)
        elif args.tokens_command == "revoke":
            await api_tokens.revoke_token(session, workspace_id, args.name, by=None)
            print(f"token {args.name!r} revoked")
        else:
            for token in await api_tokens.list_tokens(session, workspace_id):
                used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never"
                print(
                    f"{token.name:24} {token.scope:6} {token.prefix}…  by {token.created_by:12} last used {used}"
                )
    return 0


async def _webhooks(db: Database, args: argparse.Namespace) -> int:
    if args.webhooks_command == "redeliver":
        async with db.session() as session:
            found = await webhooks.redeliver(session, args.id, utcnow())
        if not found:
            print(f"no delivery {args.id}", file=sys.stderr)
            return 1
        print(
            f"delivery {args.id} will be sent again (by the running server, or `dealbell jobs run webhook-delivery`)"
        )
        return 0
    workspace_id = await _workspace_id(db, args.team) if args.team else None
    if args.team and workspace_id is None:
        return 2
    async with db.session() as session:
        lines = await webhooks.list_deliveries(session, failed=args.failed, workspace_id=workspace_id)
    print(f"{'id':>6} {'team':12} {'event':16} {'status':9} {'tries':>5} {'last':>4}  next attempt / url")
    for line in lines:
        last = str(line.last_status or (line.last_error or "-"))[:12]
        when = line.next_attempt_at.isoformat(timespec="seconds") if line.status == "pending" else ""
        print(f"{line.id:>6} {line.team_id:12} {line.type:16} {line.status:9} {line.attempts:>5} {last:>4}  "
              f"{when} {line.url} {line.event_id}")  # fmt: skip
    return 0
