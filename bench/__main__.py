"""`python -m bench [scenario] [--db sqlite|postgresql|both] …`: run benchmarks and print Markdown tables.

Scenarios: request (HTTP request path against bare Bolt), scale (leaderboards, digest and App Home
on a large generated database), fanout (standup prompt and digests through a rate-limited fake
Slack), memory (peak RSS of the bot process), all (each in turn). Run from the repository root.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import os
import platform
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

SCENARIOS = ("request", "scale", "fanout", "memory")


def concurrencies(text: str) -> tuple[int, ...]:
    """`8,32` -> (8, 32); `0` or an empty list: no burst."""
    return tuple(int(n) for n in text.split(",") if n.strip() and int(n) > 0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", default="all", choices=[*SCENARIOS, "all"])
    parser.add_argument("--db", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument(
        "--workdir", type=Path, help="keep SQLite files and server logs here (default: a temp dir)"
    )
    request = parser.add_argument_group("request")
    request.add_argument("--requests", type=int, default=500, help="requests per kind (default 500)")
    request.add_argument("--concurrency", type=int, default=32, help="concurrent requests (default 32)")
    request.add_argument("--warmup", type=int, default=50, help="unmeasured requests per kind first")
    request.add_argument(
        "--burst-requests",
        type=int,
        default=400,
        help="/deal won and as many /kudos in the burst (default 400)",
    )
    request.add_argument(
        "--burst-concurrency", type=concurrencies, default=(8, 32), help="burst concurrencies (default 8,32)"
    )
    request.add_argument(
        "--rounds", type=int, default=5, help="interleaved /kudos rounds against the fair peer (0: none)"
    )
    request.add_argument(
        "--workers", type=int, default=1, help="dealbell's processes (dealbell run --workers)"
    )
    scale = parser.add_argument_group("scale and memory")
    scale.add_argument("--members", type=int, default=2_000)
    scale.add_argument("--deals", type=int, default=1_000_000)
    scale.add_argument("--kudos", type=int, default=2_000_000)
    scale.add_argument("--activities", type=int, default=1_000_000)
    scale.add_argument("--repeat", type=int, default=5, help="timed runs of each query (median shown)")
    scale.add_argument("--explain", action="store_true", help="print each query's plan (PG: EXPLAIN ANALYZE)")
    fanout = parser.add_argument_group("fanout")
    fanout.add_argument("--participants", type=int, default=1_000, help="standup participants")
    fanout.add_argument("--managers", type=int, default=200, help="managers getting a digest")
    fanout.add_argument("--per-second", type=int, default=50, help="workspace chat.postMessage limit")
    return parser


async def run(args: argparse.Namespace, workdir: Path) -> list[tuple[str, str]]:
    from bench import request, scale

    wanted = SCENARIOS if args.scenario == "all" else (args.scenario,)
    tables = []
    async with contextlib.AsyncExitStack() as stack:
        sizes = scale.Sizes(args.members, args.deals, args.kudos, args.activities)
        data = scale.ScaleData(workdir, sizes, stack)  # generated once, for scale and memory
        for name in wanted:
            started = time.monotonic()
            if name == "request":
                options = request.Options(
                    args.requests, args.concurrency, args.warmup,
                    burst_requests=args.burst_requests, burst_concurrency=args.burst_concurrency,
                    rounds=args.rounds, workers=args.workers,
                )  # fmt: skip
                out = await request.run(args.db, workdir, options)
            elif name == "scale":
                out = await scale.run(args.db, data, args.repeat, args.explain)
            elif name == "fanout":
                from bench import fanout

                out = await fanout.run(args.db, workdir, args.participants, args.managers, args.per_second)
            else:
                from bench import memory

                out = await memory.run(args.db, workdir, data)
            load = "/".join(f"{n:.1f}" for n in os.getloadavg())
            tables.append((f"{name} ({time.monotonic() - started:.0f} s, load average after {load})", out))
            print(f"\n### {tables[-1][0]}\n\n{out}\n", flush=True)
    return tables


def interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # so SIGTERM also stops the servers and drops the databases


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=os.environ.get("BENCH_LOG_LEVEL", "WARNING"))
    print(
        f"dealbell bench, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {'/'.join(f'{n:.1f}' for n in os.getloadavg())}",
        flush=True,
    )
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        if args.workdir:
            args.workdir.mkdir(parents=True, exist_ok=True)
            asyncio.run(run(args, args.workdir.resolve()))
        else:
            with tempfile.TemporaryDirectory(prefix="dealbell-bench-") as tmp:
                asyncio.run(run(args, Path(tmp)))
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    sys.exit(main())
