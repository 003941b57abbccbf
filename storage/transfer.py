"""`dealbell db migrate-sqlite-to-postgres`: move a team that outgrew one machine onto PostgreSQL.

Every table is copied, parents before children, in one PostgreSQL transaction: the target either
gets everything (row counts checked per table before the commit) or nothing. The source is read in
one SQLite read transaction, so the copy is a consistent snapshot; stop the bot first all the same,
or what it writes after the snapshot stays behind.
"""

from __future__ import annotations

from sqlalchemy import Integer, Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import NullPool

from storage.db import async_url, create_engine
from storage.migrate import current_revision, head_revision
from storage.models import Base

BATCH_ROWS = 2000


class TransferError(Exception):
    """The copy cannot start or did not verify; the message says why. Nothing was written."""


async def copy_sqlite_to_postgres(source_url: str, target_url: str) -> dict[str, int]:
    """Copy every row; returns rows per table. Both databases must be at the code's migration head,
    and the target must hold no rows yet."""
    if async_url(source_url).get_backend_name() != "sqlite":
        raise TransferError("the source must be a SQLite database (sqlite:///path/to/dealbell.db)")
    if async_url(target_url).get_backend_name() != "postgresql":
        raise TransferError("the target must be a PostgreSQL database (postgresql://user@host/db)")
    head = head_revision()
    for name, url in (("source", source_url), ("target", target_url)):
        if await current_revision(url) != head:
            raise TransferError(
                f"the {name} database is not at revision {head}: run `dealbell db upgrade` on it"
            )
    source = create_engine(source_url, poolclass=NullPool)
    target = create_engine(target_url, poolclass=NullPool)
    try:
        async with source.connect() as reader, target.begin() as writer:
            await reader.execute(text("BEGIN"))  # one snapshot for every table
            tables = Base.metadata.sorted_tables  # parents first, so foreign keys hold row by row
            if busy := [t.name for t in tables if await _count(writer, t)]:
                raise TransferError(
                    f"the target already holds rows (in {', '.join(busy)}); use an empty database"
                )
            copied = {table.name: await _copy_table(reader, writer, table) for table in tables}
            for table in tables:
                await _move_sequence(writer, table)
            await _verify(reader, writer, tables, copied)
    finally:
        await source.dispose()
        await target.dispose()
    return copied


async def _copy_table(reader: AsyncConnection, writer: AsyncConnection, table: Table) -> int:
    copied = 0
    result = await reader.stream(select(table))
    async for rows in result.partitions(BATCH_ROWS):
        await writer.execute(insert(table), [row._asdict() for row in rows])
        copied += len(rows)
    return copied


async def _move_sequence(writer: AsyncConnection, table: Table) -> None:
    """Copied ids were given explicitly: move each id sequence past them, or the next insert clashes."""
    for column in table.primary_key.columns:
        if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
            await writer.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 1), "
                    f"(SELECT MAX({column.name}) FROM {table.name}) IS NOT NULL)"
                )
            )


async def _count(conn: AsyncConnection, table: Table) -> int:
    return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def _verify(
    reader: AsyncConnection, writer: AsyncConnection, tables: list[Table], copied: dict[str, int]
) -> None:
    wrong = []
    for table in tables:
        in_source, in_target = await _count(reader, table), await _count(writer, table)
        if not in_source == in_target == copied[table.name]:
            wrong.append(f"{table.name}: {in_source} in SQLite, {in_target} in PostgreSQL")
    if wrong:
        raise TransferError("row counts differ, nothing was committed:\n  " + "\n  ".join(wrong))
