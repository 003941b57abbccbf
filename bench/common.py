"""What every scenario shares: throwaway databases, server subprocesses, RSS, and Markdown tables."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import IO

import aiohttp
import asyncpg

from storage import migrate

REPO = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-token"
TEAM_ID = "T0001"
NO_ANSWER = 15.0  # seconds a client waits for an answer before counting it as none


# --- tables --------------------------------------------------------------------------------------


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub Markdown table, numbers right-aligned, ready to paste into the README."""

    def numeric(value: object) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)

    aligns = [
        "---:" if rows and all(numeric(row[i]) or row[i] in ("", "—") for row in rows) else "---"
        for i in range(len(headers))
    ]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(aligns) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of `values` (need not be sorted); 0 for an empty list."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# --- databases -----------------------------------------------------------------------------------


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@contextlib.asynccontextmanager
async def fresh_database(backend: str, workdir: Path, migrated: bool = True) -> AsyncIterator[str]:
    """A new, migrated database: a SQLite file in `workdir`, or a throwaway PostgreSQL database that
    is dropped afterwards (whatever happens in between)."""
    if backend == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite:///{path}"
        if migrated:
            await asyncio.to_thread(shutil.copyfile, await asyncio.to_thread(sqlite_schema), path)
        try:
            yield url
        finally:
            remove_sqlite(path)
        return
    name = f"dealbell_bench_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        if migrated:
            await asyncio.to_thread(migrate.upgrade, url)
        yield url
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_SCHEMAS: dict[str | None, Path] = {}


def sqlite_schema() -> Path:
    """An empty SQLite database migrated to head, made once per process and copied for each fresh
    database (migrating takes half a second; copying the file, milliseconds)."""
    head = migrate.head_revision()
    if head not in _SCHEMAS:
        folder = Path(tempfile.mkdtemp(prefix="dealbell-bench-schema-"))
        atexit.register(shutil.rmtree, folder, True)
        migrate.upgrade(f"sqlite:///{folder / 'schema.db'}")  # closing its engine checkpoints the WAL
        _SCHEMAS[head] = folder / "schema.db"
    return _SCHEMAS[head]


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def backends(choice: str) -> list[str]:
    chosen = ["sqlite", "postgresql"] if choice == "both" else [choice]
    if "postgresql" in chosen and not postgres_reachable():
        print("PostgreSQL is not reachable on 127.0.0.1:5432: skipping it", file=sys.stderr)
        chosen.remove("postgresql")
    return chosen


# --- processes -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot_env(database_url: str, api_url: str, port: int, **extra: str) -> dict[str, str]:
    """The environment of a `dealbell` process talking to the fake Slack (no .env, no Socket Mode)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DEALBELL_"))}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=api_url,
        DATABASE_URL=database_url,
        PORT=str(port),
        PYTHONPATH=str(REPO),
        **extra,
    )
    return env


def dealbell_command(*args: str) -> list[str]:
    """The installed `dealbell` script beside this interpreter (what operators run), else the module."""
    script = Path(sys.executable).parent / "dealbell"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())", *args]


class Server:
    """A server subprocess (dealbell or the bare Bolt baseline) on a local port; logs go to a file."""

    def __init__(self, command: list[str], env: dict[str, str], port: int, log_path: Path) -> None:
        self.command, self.env, self.port, self.log_path = command, env, port, log_path
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self, within: float = 60.0) -> Server:
        with self.log_path.open("ab") as log:
            self.process = await spawn(self.command, self.env, log)
        await self._wait_healthy(within)
        return self

    async def _wait_healthy(self, within: float) -> None:
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.returncode is not None:
                    break
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(self.url + "/healthz") as r:
                        if r.status == 200:
                            return
                await asyncio.sleep(0.1)
        tail = self.log_path.read_text(errors="replace")[-2000:]
        await self.stop()
        raise RuntimeError(f"{self.command[0]} did not become healthy on port {self.port}:\n{tail}")

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # dealbell's graceful shutdown
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def dealbell_server(database_url: str, api_url: str, log_path: Path, workers: int = 1) -> Server:
    """`dealbell run --http` on a free port, talking to the Slack at `api_url`; started and healthy."""
    port = free_port()
    return await Server(
        dealbell_command("run", "--http", "--workers", str(workers)),
        bot_env(database_url, api_url, port),
        port,
        log_path,
    ).start()


# --- CPU, from /proc ------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat from its 3rd field (state) on: the name in brackets may hold spaces."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far; 0 when it is gone."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS if fields else 0.0


def process_tree(pid: int) -> set[int]:
    """`pid` and its descendants (a `dealbell run --workers N` parent and its workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))):
            parents[int(entry.name)] = int(fields[1])
    tree, grew = {pid}, True
    while grew:
        found = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    return tree


def tree_cpu_seconds(pid: int) -> float:
    return sum(cpu_seconds(p) for p in process_tree(pid))


async def postgres_backend_cpu(database_url: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving the database at `database_url`
    (the server is on this machine: its processes are in /proc)."""
    name = database_url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        pids = [
            row["pid"]
            for row in await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", name)
        ]
    finally:
        await conn.close()
    return {pid: cpu_seconds(pid) for pid in pids}


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two `postgres_backend_cpu` readings; a backend that started in between
    counts whole (it served only this stretch), one that ended is lost (pools keep theirs open)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


async def spawn(command: list[str], env: dict[str, str], log: IO[bytes]) -> asyncio.subprocess.Process:
    """Start `command` with its output in `log`, in the log's folder (so no .env of the repository
    leaks into the run)."""
    return await asyncio.create_subprocess_exec(
        *command, env=env, cwd=Path(log.name).parent, stdout=log, stderr=subprocess.STDOUT
    )


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) of a process, in kB, from /proc/<pid>/status."""
    out: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    return out
