"""The `dealbell` command: run the bot, migrate the database, run scheduled jobs by hand."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import errno
import functools
import inspect
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from bot import __version__
from bot.settings import OAUTH_REQUIRED, Settings, SettingsError, load_settings
from storage.csv_format import DEFAULT_MAX_IMPORT_MB

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

F = TypeVar("F", bound=Callable[..., Any])


class LazyChoices:
    """argparse `choices` read only when a value is checked (or listed in an error)."""

    def __init__(self, load: Callable[[], Iterable[str]]) -> None:
        self._load = load

    def __contains__(self, value: object) -> bool:
        return value in list(self._load())

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._load()))


def _load_commands() -> None:
    """What the commands use, imported once one is chosen: `dealbell --help` (or a mistyped command)
    loads neither Bolt, nor the jobs, nor every model (seconds on a busy machine)."""
    global \
        BackupError, \
        Database, \
        EXPORT_KINDS, \
        EXPORT_PERIODS, \
        FileError, \
        IMPORT_KINDS, \
        ImportResult, \
        JOBS, \
        RunOutcome, \
        SecretKeyError, \
        TransferError, \
        UnknownMember, \
        Workspace, \
        WorkspaceDefaults, \
        api_cli, \
        backup_sqlite, \
        configure_logging, \
        copy_sqlite_to_postgres, \
        describe_schedule, \
        ensure_workspace, \
        export_csv, \
        export_window, \
        forget_member, \
        get_workspace, \
        import_csv, \
        list_workspaces, \
        local_moment, \
        migrate, \
        purge_workspace, \
        read_file, \
        rotate_tokens, \
        run_job, \
        t, \
        token_cipher
    from bot import api_cli
    from bot.installations import token_cipher
    from bot.kit.i18n import t
    from bot.logs import configure_logging
    from jobs import JOBS
    from jobs.runner import RunOutcome, run_job
    from jobs.schedule_text import describe_schedule
    from storage import migrate
    from storage.backup import BackupError, backup_sqlite
    from storage.csv_format import read_file
    from storage.db import Database
    from storage.exports import EXPORT_KINDS, EXPORT_PERIODS, export_csv, export_window
    from storage.imports import IMPORT_KINDS, FileError, ImportResult, import_csv
    from storage.member_data import UnknownMember, forget_member
    from storage.models import Workspace
    from storage.schedule import local_moment
    from storage.secrets import SecretKeyError, rotate_tokens
    from storage.transfer import TransferError, copy_sqlite_to_postgres
    from storage.workspaces import (
        WorkspaceDefaults,
        ensure_workspace,
        get_workspace,
        list_workspaces,
        purge_workspace,
    )


def command(function: F) -> F:
    """A command's function: what commands use is imported before it runs (also when a test calls it)."""
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            _load_commands()
            return await function(*args, **kwargs)

        return cast(F, run_async)

    @functools.wraps(function)
    def run_now(*args: Any, **kwargs: Any) -> Any:
        _load_commands()
        return function(*args, **kwargs)

    return cast(F, run_now)


def _job_names() -> Iterable[str]:
    from jobs import JOBS

    return JOBS


def _import_kinds() -> Iterable[str]:
    from storage.imports import IMPORT_KINDS

    return IMPORT_KINDS


def _export_kinds() -> Iterable[str]:
    from storage.exports import EXPORT_KINDS

    return EXPORT_KINDS


def _export_periods() -> Iterable[str]:
    from storage.exports import EXPORT_PERIODS

    return EXPORT_PERIODS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dealbell", description="The Slack app sales teams run on.")
    parser.add_argument("--version", action="version", version=f"dealbell {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser("run", help="start the bot (applies pending migrations first)")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument(
        "--http", dest="mode", action="store_const", const="http", help="serve POST /slack/events"
    )
    mode.add_argument("--socket", dest="mode", action="store_const", const="socket", help="use Socket Mode")
    run.add_argument("--port", type=int, help="HTTP port (default: PORT, else 3000)")
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="HTTP mode: N processes on the one port (default 1; see README, 'Performance')",
    )
    run.add_argument(
        "--no-check",
        dest="check",
        action="store_false",
        help="start without first asking Slack (auth.test) whether it accepts SLACK_BOT_TOKEN",
    )

    sandbox_cmd = commands.add_parser(
        "sandbox", help="try dealbell without Slack: a local workspace in the browser, with the real bot"
    )
    sandbox_cmd.add_argument("--port", type=int, help="the page's port (default: PORT, else 3000)")
    sandbox_cmd.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1; 0.0.0.0 in a container)",
    )
    sandbox_cmd.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another host name the page may be opened by (repeatable; 127.0.0.1 and localhost always work)",
    )
    sandbox_cmd.add_argument("--empty", action="store_true", help="start without the demo team's data")
    sandbox_cmd.add_argument("--db", type=Path, help="keep the sandbox in this SQLite file (default: temp)")

    db = commands.add_parser("db", help="database migrations")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="apply pending migrations")
    db_commands.add_parser("current", help="show the applied and the latest revision")
    backup = db_commands.add_parser(
        "backup", help="copy a SQLite database, safe while the bot runs (PostgreSQL: use pg_dump)"
    )
    backup.add_argument("file", type=Path, metavar="FILE", help="the new file to write the copy to")
    to_pg = db_commands.add_parser(
        "migrate-sqlite-to-postgres",
        help="copy a SQLite database into an empty PostgreSQL database, checking row counts",
    )
    to_pg.add_argument("source", metavar="SQLITE_URL", help="e.g. sqlite:///dealbell.db (stop the bot first)")
    to_pg.add_argument("target", metavar="POSTGRES_URL", help="e.g. postgresql://dealbell@db-host/dealbell")

    workspace = commands.add_parser("workspace", help="workspaces this database serves")
    workspace_commands = workspace.add_subparsers(dest="workspace_command", metavar="ACTION", required=True)
    purge = workspace_commands.add_parser(
        "purge", help="delete a workspace's tokens and all its data (after it uninstalled dealbell)"
    )
    purge.add_argument("team", metavar="TEAM_ID", help="the Slack team id, e.g. T012AB3C4")
    purge.add_argument("--enterprise", help="the Enterprise Grid org id, for an org's workspace")
    purge.add_argument("--yes", action="store_true", help="do it (without --yes: only show what would go)")

    member = commands.add_parser("member", help="one person's data")
    member_commands = member.add_subparsers(dest="member_command", metavar="ACTION", required=True)
    forget = member_commands.add_parser(
        "forget", help="delete or anonymise one person's data, keeping team totals (see README)"
    )
    forget.add_argument("team", metavar="TEAM_ID", help="the Slack team id, e.g. T012AB3C4")
    forget.add_argument("user", metavar="USER_ID", help="the person's Slack user id, e.g. U012AB3C4")
    forget.add_argument("--enterprise", help="the Enterprise Grid org id, for an org's workspace")
    forget.add_argument(
        "--yes", action="store_true", help="do it (without --yes: only show what would change)"
    )
    secrets_cmd = commands.add_parser("secrets", help="the Slack tokens stored encrypted (OAuth installs)")
    secrets_commands = secrets_cmd.add_subparsers(dest="secrets_command", metavar="ACTION", required=True)
    secrets_commands.add_parser(
        "rotate",
        help="re-encrypt every stored token with the first key of DEALBELL_SECRET_KEY=new,old "
        "(plain tokens from before encryption too)",
    )

    jobs = commands.add_parser("jobs", help="scheduled jobs")
    job_commands = jobs.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    job_commands.add_parser("list", help="list the jobs and their schedules")
    run_one = job_commands.add_parser(
        "run", help="run one job now, for everyone it concerns (or as of --at, or as scheduled)"
    )
    run_one.add_argument(
        "name", choices=LazyChoices(_job_names), metavar="NAME", help="a name from `dealbell jobs list`"
    )
    run_one.add_argument("--team", help="only this workspace (Slack team id)")
    run_one.add_argument(
        "--at",
        type=local_time,
        metavar='"YYYY-MM-DD HH:MM"',
        help="run as of this moment in each workspace's zone (replay a missed run), instead of now",
    )
    run_one.add_argument(
        "--as-scheduled",
        action="store_true",
        help="do only what the scheduler would at that moment, claiming it: run twice, post once",
    )

    imports = commands.add_parser("import", help="import deals or customers from a CSV file")
    imports.add_argument("kind", choices=LazyChoices(_import_kinds), metavar="{deals,customers}",
                         help="what the file holds")  # fmt: skip
    imports.add_argument("file", type=Path, metavar="FILE.csv", help="UTF-8 CSV, with or without a BOM")
    imports.add_argument("--team", required=True, help="the workspace (Slack team id) to import into")
    imports.add_argument("--owner", help="Slack user id owning the deals whose row names no owner")
    imports.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    imports.add_argument("--skip-bad", action="store_true", help="write the good rows, report the bad")
    imports.add_argument(
        "--max-size-mb",
        type=int,
        default=DEFAULT_MAX_IMPORT_MB,
        metavar="MB",
        help=f"refuse a larger file (default {DEFAULT_MAX_IMPORT_MB})",
    )

    exports = commands.add_parser(
        "export", help="write deals, kudos, activities or customers as CSV (the columns of /dealbell export)"
    )
    exports.add_argument("kind", choices=LazyChoices(_export_kinds), metavar="{deals,kudos,activities,customers}",
                         help="what to export")  # fmt: skip
    exports.add_argument("--team", required=True, help="the workspace (Slack team id) to export")
    exports.add_argument(
        "--period",
        choices=LazyChoices(_export_periods),
        metavar="{month,quarter,year,all}",
        default="all",
        help="only what was created this month, quarter or year, in the workspace's zone (default all)",
    )
    exports.add_argument("--out", type=Path, metavar="FILE.csv", help="write here (default: standard output)")
    from bot import api_cli  # its parsers only: the commands import their modules when they run

    api_cli.add_parsers(commands)
    from bot import crm_cli  # its parsers only, as api_cli's

    crm_cli.add_parsers(commands)  # dealbell connections … (CRM sync)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _load_commands()
    try:
        settings = load_settings()
        configure_logging(settings)
        if args.command == "run":
            return run(settings, args.mode, args.port, args.check, args.workers)
        if args.command == "sandbox":
            port = settings.port if args.port is None else args.port  # PORT, as `dealbell run` reads it
            return sandbox(port, args.empty, args.db, args.host, args.allow_host)
        if args.command == "db":
            if args.db_command == "backup":
                return asyncio.run(db_backup(settings, args.file))
            if args.db_command == "migrate-sqlite-to-postgres":
                return asyncio.run(db_to_postgres(args.source, args.target))
            return db_upgrade(settings) if args.db_command == "upgrade" else db_current(settings)
        if args.command == "workspace":
            return asyncio.run(workspace_purge(settings, args.team, args.enterprise, args.yes))
        if args.command == "member":
            return asyncio.run(member_forget(settings, args.team, args.enterprise, args.user, args.yes))
        if args.command == "secrets":
            return asyncio.run(secrets_rotate(settings))
        if args.command == "import":
            return asyncio.run(
                import_file(
                    settings,
                    args.kind,
                    args.file,
                    args.team,
                    args.owner,
                    args.dry_run,
                    args.skip_bad,
                    args.max_size_mb,
                )
            )
        if args.command in ("api", "webhooks"):
            return asyncio.run(api_cli.run(settings, args))
        if args.command == "export":
            return asyncio.run(export_file(settings, args.kind, args.team, args.period, args.out))
        if args.command == "connections":
            from bot import crm_cli

            return asyncio.run(crm_cli.run(settings, args))
        if args.jobs_command == "list":
            return jobs_list()
        return asyncio.run(jobs_run(settings, args.name, args.team, args.as_scheduled, args.at))
    except (SettingsError, CannotStart) as error:
        print(error, file=sys.stderr)
        return 2


class CannotStart(Exception):
    """Slack refused the bot token or could not be reached, or the port is taken: one line for the operator."""


async def slack_identity(settings: Settings) -> dict:
    """auth.test with the bot token: the workspace it belongs to, or CannotStart saying what to do."""
    import aiohttp
    from slack_sdk.errors import SlackApiError

    from bot.slack import make_client

    client = make_client(settings)
    client.retry_handlers.clear()  # one try: a start-up check should answer at once, in one line
    try:
        return dict((await client.auth_test()).data)  # type: ignore[arg-type]
    except SlackApiError as error:
        code = error.response.get("error", "error")
        raise CannotStart(
            f"Slack refused SLACK_BOT_TOKEN ({code}): copy the Bot User OAuth Token (xoxb-…) again from"
            " your app's 'OAuth & Permissions' page, reinstall the app if it was removed,"
            " or pass --no-check to start anyway"
        ) from None
    except (aiohttp.ClientError, TimeoutError) as error:
        raise CannotStart(
            f"dealbell cannot reach Slack at {settings.slack_api_url} ({error or type(error).__name__}):"
            " check the network or proxy, or SLACK_API_URL"
        ) from None


def port_busy(error: OSError, port: int) -> CannotStart | OSError:
    """A taken port said with what to do about it; any other error as it is."""
    if error.errno != errno.EADDRINUSE:
        return error
    return CannotStart(
        f"dealbell cannot listen on port {port}: address already in use — try PORT={port + 1} make run"
    )


@command
def run(settings: Settings, mode: str | None, port: int | None, check: bool = True, workers: int = 1) -> int:
    from bot import server  # imported here so `dealbell db …` does not load Bolt

    socket_mode = mode == "socket" or (mode is None and settings.socket_mode)
    needed = [*(OAUTH_REQUIRED if settings.oauth else ["SLACK_BOT_TOKEN"])]
    needed.append("SLACK_APP_TOKEN" if socket_mode else "SLACK_SIGNING_SECRET")
    settings.require(*needed)
    if workers < 1 or (workers > 1 and socket_mode):
        raise SettingsError("--workers takes a number from 1, and only in HTTP mode (--http)")
    if check and not settings.oauth:  # OAuth: each workspace's token is checked as it is used
        asyncio.run(slack_identity(settings))
    migrate.upgrade(settings.database_url)
    port = port or settings.port
    try:
        if workers > 1:
            return server.serve_http_workers(settings, port, workers)
        if socket_mode:
            asyncio.run(server.serve_socket_mode(settings, port))
        else:
            server.serve_http(settings, port)
    except OSError as error:
        raise port_busy(error, port) from None
    return 0


def sandbox(
    port: int, empty: bool, database: Path | None, host: str = "127.0.0.1", allowed_hosts: Sequence[str] = ()
) -> int:
    from bot.sandbox.server import serve  # loads Bolt and the page only when asked for

    try:
        asyncio.run(serve(port, empty=empty, database=database, host=host, allowed_hosts=allowed_hosts))
    except OSError as error:  # most often: the port is taken
        explained = port_busy(error, port)
        print(explained if explained is not error else f"dealbell sandbox cannot start: {error.strerror or error}",
              file=sys.stderr)  # fmt: skip
        return 2
    return 0


@command
def db_upgrade(settings: Settings) -> int:
    migrate.upgrade(settings.database_url)
    print(f"database at revision {migrate.head_revision()}")
    return 0


@command
def db_current(settings: Settings) -> int:
    current = asyncio.run(migrate.current_revision(settings.database_url))
    head = migrate.head_revision()
    state = "up to date" if current == head else "run `dealbell db upgrade`"
    print(f"current: {current or 'none'}\nlatest:  {head} ({state})")
    return 0


@command
async def db_backup(settings: Settings, file: Path) -> int:
    """`dealbell db backup FILE`: 0 copied, 2 refused (PostgreSQL, missing source, FILE exists)."""
    try:
        pages = await backup_sqlite(settings.database_url, file)
    except BackupError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"backed up {pages} pages to {file}")
    return 0


@command
async def db_to_postgres(source: str, target: str) -> int:
    """`dealbell db migrate-sqlite-to-postgres SQLITE_URL POSTGRES_URL`: 0 copied, 2 refused."""
    try:
        await asyncio.to_thread(migrate.upgrade, target)  # an empty database gets the schema first
        copied = await copy_sqlite_to_postgres(source, target)
    except TransferError as error:
        print(error, file=sys.stderr)
        return 2
    for table, rows in copied.items():
        if rows:
            print(f"{table:28} {rows:>10} rows")
    print(
        f"copied {sum(copied.values())} rows in {len(copied)} tables; counts match. Point DATABASE_URL at it."
    )
    return 0


@command
async def workspace_purge(settings: Settings, team: str, enterprise: str | None, yes: bool) -> int:
    """`dealbell workspace purge TEAM_ID [--yes]`: 0 done (or shown), 1 unknown workspace."""
    db = Database(settings.database_url)
    try:
        async with db.sessions() as session:  # one transaction: all of it goes, or none
            deleted = await purge_workspace(session, team, enterprise)
            # Without --yes the deletes are counted inside the transaction, then rolled back.
            await (session.commit() if yes else session.rollback())
    finally:
        await db.dispose()
    if not any(deleted.values()):
        print(f"nothing is stored for workspace {team!r}", file=sys.stderr)
        return 1
    for table, rows in sorted(deleted.items()):
        if rows:
            print(f"{table:28} {rows:>10} rows")
    total = sum(deleted.values())
    print(
        f"deleted {total} rows" if yes else f"would delete {total} rows: run again with --yes to delete them"
    )
    return 0


@command
async def member_forget(settings: Settings, team: str, enterprise: str | None, user: str, yes: bool) -> int:
    """`dealbell member forget TEAM_ID USER_ID [--yes]`: 0 done (or shown), 1 unknown workspace or person."""
    secret = settings.secret_key  # before anything is read: the anonymous-feedback hashes need it
    db = Database(settings.database_url)
    try:
        async with db.sessions() as session:  # one transaction: all of it changes, or none
            workspace = await get_workspace(session, team, enterprise)
            if workspace is None:
                print(f"nothing is stored for workspace {team!r}", file=sys.stderr)
                return 1
            try:
                forgotten = await forget_member(session, workspace.id, user, secret, by=None)
            except UnknownMember:
                print(f"workspace {team!r} has no member {user!r}", file=sys.stderr)
                return 1
            # Without --yes the changes are counted inside the transaction, then rolled back.
            await (session.commit() if yes else session.rollback())
    finally:
        await db.dispose()
    for column, rows in sorted(forgotten.changed.items()):
        print(f"{column:36} {rows:>10} rows deleted or cleared")
    for column, rows in sorted(forgotten.kept.items()):
        print(f"{column:36} {rows:>10} rows kept, now the former member's")
    print(f"{'anonymous feedback hashes removed':36} {forgotten.anonymous_hashes:>10}")
    done = f"forgot {user}: {forgotten.rows} rows deleted, cleared or kept for the team without their name"
    print(done if yes else f"would change {forgotten.rows} rows: run again with --yes to forget {user}")
    return 0


@command
async def secrets_rotate(settings: Settings) -> int:
    """`dealbell secrets rotate`: every stored token encrypted under the current key, in one
    transaction. 0 done, 1 a token the keys given cannot read (nothing changed)."""
    cipher = token_cipher(settings)
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            rewritten = await rotate_tokens(session, cipher)
    except SecretKeyError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        await db.dispose()
    print(f"re-encrypted the tokens of {rewritten} rows with the first key of DEALBELL_SECRET_KEY")
    return 0


@command
def jobs_list() -> int:
    for spec in JOBS.values():
        schedule = describe_schedule(spec.cron)
        print(f"{spec.name:28} per {spec.cadence:6} {schedule:42} {spec.description}")
    return 0


def local_time(text: str) -> dt.datetime:
    """`--at`: a local date and time, "2026-12-07 08:05" (an explicit UTC offset is kept)."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'{text!r} is not a local date and time, like "2026-12-07 08:05"'
        ) from None
    return moment


def moment_in(workspace: Workspace, at: dt.datetime | None) -> dt.datetime | None:
    """`--at` as an instant: the workspace's wall time (past a daylight-saving gap), else now (None)."""
    if at is None or at.tzinfo is not None:
        return at
    return local_moment(at.date(), at.time(), workspace.timezone)


@command
async def jobs_run(
    settings: Settings, name: str, team: str | None, as_scheduled: bool, at: dt.datetime | None = None
) -> int:
    from bot.server import job_services

    settings.require(*(OAUTH_REQUIRED if settings.oauth else ["SLACK_BOT_TOKEN"]))
    if await migrate.current_revision(settings.database_url) != migrate.head_revision():
        raise SettingsError("the database is not migrated: run `dealbell db upgrade` first")
    db = Database(settings.database_url)
    services = job_services(settings, db)
    try:
        async with db.session() as session:
            workspaces = await list_workspaces(session, team)
        if not workspaces and team is not None:
            print(f"no workspace {team!r} is known to this database", file=sys.stderr)
            return 1
        # One token: Slack is asked before any job, so an outage or a refused token is one line, not a
        # traceback per job.
        auth = None if settings.oauth else await slack_identity(settings)
        if not workspaces and auth is not None:
            # A fresh single-workspace install: the token knows its own team.
            defaults = WorkspaceDefaults(
                timezone=settings.dealbell_timezone, currency=settings.dealbell_currency
            )
            async with db.session() as session:
                workspaces = [
                    await ensure_workspace(session, auth["team_id"], auth.get("enterprise_id"), defaults)
                ]
        if not workspaces:
            print("no workspace is known to this database", file=sys.stderr)
            return 1
        outcomes = [
            await run_job(JOBS[name], ws, services, as_scheduled=as_scheduled, now=moment_in(ws, at))
            for ws in workspaces
        ]
    finally:
        await db.dispose()
    for outcome in outcomes:
        print(describe(outcome))
    return 1 if any(o.status == "failed" for o in outcomes) else 0


async def one_workspace(session: AsyncSession, team: str) -> Workspace | None:
    """The one workspace with this team id, or None after saying why not (unknown, or ambiguous)."""
    workspaces = await list_workspaces(session, team)
    if len(workspaces) == 1:
        return workspaces[0]
    known = "is not known to" if not workspaces else "is ambiguous in"
    print(f"workspace {team!r} {known} this database", file=sys.stderr)
    return None


@command
async def import_file(
    settings: Settings,
    kind: str,
    file: Path,
    team: str,
    owner: str | None,
    dry_run: bool,
    skip_bad: bool,
    max_mb: int = DEFAULT_MAX_IMPORT_MB,
) -> int:
    """`dealbell import deals|customers FILE.csv --team T…`: 0 done, 1 bad rows, 2 unusable input."""
    if await migrate.current_revision(settings.database_url) != migrate.head_revision():
        raise SettingsError("the database is not migrated: run `dealbell db upgrade` first")
    try:
        data = await asyncio.to_thread(read_file, file, max_mb)
    except FileError as error:
        print(f"{file}: {error}", file=sys.stderr)
        return 2
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            workspace = await one_workspace(session, team)
        if workspace is None:
            return 2
        result = await import_csv(
            db, workspace.id, kind, data, workspace.currency,
            default_owner=owner, dry_run=dry_run, skip_bad=skip_bad,
        )  # fmt: skip
    except FileError as error:
        print(f"{file}: {error}", file=sys.stderr)
        return 2
    finally:
        await db.dispose()
    print(describe_import(result, dry_run))
    for bad in result.bad:
        reason = t("en", bad.refusal.key, **bad.refusal.params) if bad.refusal else bad.reason
        print(f"line {bad.line}: {reason}", file=sys.stderr)
    if any(bad.cuts_the_file for bad in result.bad):
        print(
            "the rest of the file cannot be read: nothing was written (--skip-bad cannot skip it)",
            file=sys.stderr,
        )
        return 1
    if result.bad and not skip_bad:
        print(
            f"{len(result.bad)} bad row(s): nothing was written (fix them, or pass --skip-bad)",
            file=sys.stderr,
        )
        return 1
    return 0


@command
async def export_file(settings: Settings, kind: str, team: str, period: str, out: Path | None) -> int:
    """`dealbell export deals|kudos|activities|customers --team T [--period P] [--out FILE]`:
    0 written, 2 unknown workspace or unwritable FILE. The file is what `/dealbell export` sends."""
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            workspace = await one_workspace(session, team)
            if workspace is None:
                return 2
            _, start, end = export_window(period, dt.datetime.now(dt.UTC), workspace.timezone)
            content, rows = await export_csv(session, kind, workspace.id, start, end)
    finally:
        await db.dispose()
    try:
        if out is None:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
        else:
            await asyncio.to_thread(out.write_bytes, content)
    except OSError as error:
        print(f"{out}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"{kind}: {rows} row{'' if rows == 1 else 's'} exported", file=sys.stderr)
    return 0


def describe_import(result: ImportResult, dry_run: bool) -> str:
    """What changed, or with --dry-run what would change, per kind of row."""
    created, updated = ("to create", "to update") if dry_run else ("created", "updated")
    lines = ["dry run: nothing was written"] if dry_run else []
    if result.kind == "deals":
        lines.append(
            f"deals: {result.deals_created} new, {result.deals_updated} updated, "
            f"{result.deals_unchanged} unchanged"
        )
    lines.append(
        f"customers: {result.customers_created} {created}, {result.customers_updated} {updated}, "
        f"{result.customers_unchanged} unchanged"
    )
    if result.bad:
        lines.append(f"bad rows: {len(result.bad)}" + (" (skipped)" if result.written or dry_run else ""))
    return "\n".join(lines)


def describe(outcome: RunOutcome) -> str:
    result = f" ({outcome.result})" if outcome.result is not None else ""
    return f"{outcome.job} {outcome.team_id} {outcome.period.key}: {outcome.status}{result}"


if __name__ == "__main__":
    sys.exit(main())
