"""`dealbell db backup FILE`: a consistent copy of a SQLite database, safe while the bot runs.

SQLite's online backup API copies the pages under the database's own locking, so writers in
other processes are never blocked for long and the copy is one consistent snapshot. PostgreSQL
is backed up with its own tool, `pg_dump`; `pg_dump_command` says how.
"""

from __future__ import annotations

import asyncio
import shlex
import sqlite3
from pathlib import Path

from sqlalchemy.engine import URL

from storage.db import SQLITE_BUSY_TIMEOUT_MS, async_url


class BackupError(Exception):
    """The backup cannot be made; the message says why and what to do instead."""


def pg_dump_command(url: str | URL, file: str | Path) -> str:
    """The documented PostgreSQL backup: `pg_dump --format=custom --file=FILE "$DATABASE_URL"`.

    The URL loses its `+asyncpg` driver (pg_dump speaks libpq URLs) and, since this is printed,
    its password, which is shown as *** (give it with PGPASSWORD or ~/.pgpass).
    """
    plain = async_url(url).set(drivername="postgresql")
    return f'pg_dump --format=custom --file={shlex.quote(str(file))} "{plain.render_as_string()}"'


def sqlite_path(url: str | URL, destination: str | Path) -> Path:
    target = async_url(url)
    if target.get_backend_name() != "sqlite":
        raise BackupError(
            "`dealbell db backup` copies SQLite databases only; back PostgreSQL up with pg_dump:\n"
            f"  {pg_dump_command(target, destination)}"
            + ("\n(the password is hidden: give it with PGPASSWORD or ~/.pgpass)" if target.password else "")
        )
    if not target.database or target.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(target.database)


def _copy(source: Path, destination: Path) -> int:
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    if destination.exists():
        raise BackupError(f"{destination} already exists: choose a new file")
    # Read-only URI: a backup must never create or change the source.
    src = sqlite3.connect(
        f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000
    )
    try:
        dst = sqlite3.connect(destination)
        try:
            src.backup(dst)
            pages = dst.execute("PRAGMA page_count").fetchone()[0]
        finally:
            dst.close()
    except sqlite3.Error as error:
        destination.unlink(missing_ok=True)
        raise BackupError(f"cannot back up {source} to {destination}: {error}") from error
    except BaseException:
        destination.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    return pages


async def backup_sqlite(url: str | URL, destination: str | Path) -> int:
    """Copy the SQLite database at `url` to `destination` (which must not exist); returns pages copied."""
    return await asyncio.to_thread(_copy, sqlite_path(url, destination), Path(destination))
