"""The `dealbell` command: run the bot, migrate the database, run scheduled jobs by hand."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot import __version__
from bot.settings import Settings, SettingsError, load_settings
from jobs import JOBS
from jobs.runner import RunOutcome, run_job
from storage import migrate
from storage.db import Database
from storage.workspaces import WorkspaceDefaults, ensure_workspace, list_workspaces


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

    db = commands.add_parser("db", help="database migrations")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="apply pending migrations")
    db_commands.add_parser("current", help="show the applied and the latest revision")

    jobs = commands.add_parser("jobs", help="scheduled jobs")
    job_commands = jobs.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    job_commands.add_parser("list", help="list the jobs and their schedules")
    run_one = job_commands.add_parser("run", help="run one job now")
    run_one.add_argument(
        "name", choices=sorted(JOBS), metavar="NAME", help="a name from `dealbell jobs list`"
    )
    run_one.add_argument("--team", help="only this workspace (Slack team id)")
    run_one.add_argument(
        "--as-scheduled",
        action="store_true",
        help="claim this period's run like the scheduler does: run twice, post once",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        settings.configure_logging()
        if args.command == "run":
            return run(settings, args.mode, args.port)
        if args.command == "db":
            return db_upgrade(settings) if args.db_command == "upgrade" else db_current(settings)
        if args.jobs_command == "list":
            return jobs_list()
        return asyncio.run(jobs_run(settings, args.name, args.team, args.as_scheduled))
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2


def run(settings: Settings, mode: str | None, port: int | None) -> int:
    from bot import server  # imported here so `dealbell db …` does not load Bolt

    socket_mode = mode == "socket" or (mode is None and settings.socket_mode)
    needed = ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN" if socket_mode else "SLACK_SIGNING_SECRET"]
    settings.require(*needed)
    migrate.upgrade(settings.database_url)
    if socket_mode:
        asyncio.run(server.serve_socket_mode(settings, port or settings.port))
    else:
        server.serve_http(settings, port or settings.port)
    return 0


def db_upgrade(settings: Settings) -> int:
    migrate.upgrade(settings.database_url)
    print(f"database at revision {migrate.head_revision()}")
    return 0


def db_current(settings: Settings) -> int:
    current = asyncio.run(migrate.current_revision(settings.database_url))
    head = migrate.head_revision()
    state = "up to date" if current == head else "run `dealbell db upgrade`"
    print(f"current: {current or 'none'}\nlatest:  {head} ({state})")
    return 0


def jobs_list() -> int:
    for spec in JOBS.values():
        schedule = " ".join(f"{k}={v}" for k, v in spec.cron.items())
        print(f"{spec.name:28} per {spec.cadence:6} {schedule:20} {spec.description}")
    return 0


async def jobs_run(settings: Settings, name: str, team: str | None, as_scheduled: bool) -> int:
    from bot.server import job_services

    settings.require("SLACK_BOT_TOKEN")
    if await migrate.current_revision(settings.database_url) != migrate.head_revision():
        raise SettingsError("the database is not migrated: run `dealbell db upgrade` first")
    db = Database(settings.database_url)
    services = job_services(settings, db)
    try:
        async with db.session() as session:
            workspaces = await list_workspaces(session, team)
        if not workspaces and team is None:
            # A fresh single-workspace install: the token knows its own team.
            auth = await services.client_for(None).auth_test()  # type: ignore[arg-type]
            defaults = WorkspaceDefaults(
                timezone=settings.dealbell_timezone, currency=settings.dealbell_currency
            )
            async with db.session() as session:
                workspaces = [
                    await ensure_workspace(session, auth["team_id"], auth.get("enterprise_id"), defaults)
                ]
        if not workspaces:
            print(f"no workspace {team!r} is known to this database", file=sys.stderr)
            return 1
        outcomes = [await run_job(JOBS[name], ws, services, as_scheduled=as_scheduled) for ws in workspaces]
    finally:
        await db.dispose()
    for outcome in outcomes:
        print(describe(outcome))
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def describe(outcome: RunOutcome) -> str:
    result = f" ({outcome.result})" if outcome.result is not None else ""
    return f"{outcome.job} {outcome.team_id} {outcome.period.key}: {outcome.status}{result}"


if __name__ == "__main__":
    sys.exit(main())
