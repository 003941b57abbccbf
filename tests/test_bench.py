"""The benchmarks (`python -m bench`) at a tiny size on SQLite: each prints its Markdown table, and
the fan-out delivers every intended message once. Numbers are not asserted (they belong in the
README's Performance section, not in tests), only that the bench measures what it claims."""

from __future__ import annotations

import pytest

from bench.__main__ import main

TINY_SCALE = ["--members", "20", "--deals", "200", "--kudos", "400", "--activities", "200"]


def tables(output: str) -> list[list[list[str]]]:
    """Every Markdown table printed: a list of rows (header first, the |---| line left out)."""
    found: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*output.splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= set("-:") for c in cells):
                current.append(cells)
        elif current:
            found.append(current)
            current = []
    return found


def run_bench(capsys: pytest.CaptureFixture[str], *args: str) -> list[list[list[str]]]:
    assert main([*args, "--db", "sqlite"]) == 0
    return tables(capsys.readouterr().out)


def column(table: list[list[str]], name: str) -> list[str]:
    index = table[0].index(name)
    return [row[index] for row in table[1:]]


def test_request_path_against_bare_bolt(capsys: pytest.CaptureFixture[str]) -> None:
    blocks, ratios, table, burst, logged = run_bench(
        capsys, "request", "--requests", "12", "--concurrency", "4", "--warmup", "1",
        "--burst-requests", "6", "--burst-concurrency", "3", "--rounds", "2",
    )  # fmt: skip
    # /kudos interleaved against the fair peer (ORM, Core) and bare Bolt: A, B, C, D, A, B, C, D
    assert [row[:2] for row in blocks[1:]] == [
        [str(n), name] for n in (1, 2) for name in ("dealbell", "peer ORM", "peer Core", "bare Bolt")
    ]
    assert column(blocks, "non-200") == ["0"] * 8
    # every measured /kudos wrote its row, on both sides; the server's CPU and statements were read
    written = [
        int(w) + int(b) if w != "—" else w
        for w, b in zip(column(blocks, "rows written"), column(blocks, "busy"), strict=True)
    ]
    assert written == [12, 12, 12, "—"] * 2  # (a request told "busy" at Slack's deadline wrote nothing)
    cpu = column(blocks, "server CPU ms/req")  # in clock ticks (10 ms): a dozen no-ops may show 0
    assert all(float(v) >= 0 for v in cpu) and float(cpu[0]) > 0 and float(cpu[4]) > 0
    assert column(blocks, "statements/req")[:3] != ["—"] * 3 and column(blocks, "PG CPU ms/req") == ["—"] * 8
    assert all(v != "" for v in column(blocks, "load (1 min)"))
    assert ratios[0] == ["round", "dealbell × peer ORM", "dealbell × peer Core", "dealbell × bare Bolt"]
    assert [row[0] for row in ratios[1:]] == ["1", "2", "median"]
    assert table[0][:2] == ["database", "request"] and "× bare Bolt" in table[0]
    assert [row[:2] for row in table[1:]] == [
        ["bare Bolt", "/noop"],
        ["sqlite", "/kudos"],
        ["sqlite", "/deal won"],
        ["sqlite", "Congratulate"],
        ["sqlite", "reaction_added"],
    ]
    assert column(table, "requests") == ["12"] * 5
    assert all(float(v.replace(",", "")) > 0 for v in column(table, "req/s"))
    # every measured request wrote: each kudos, deal, congratulation (a new clicker and deal each, never
    # the winner) and reaction
    assert column(table, "rows written") == ["—", "12", "12", "12", "12"]
    # the burst: /deal won and /kudos interleaved, each answer counted, then what the database and the
    # server's log show
    assert [row[:4] for row in burst[1:]] == [
        ["sqlite", "/deal won", "6", "3"],
        ["sqlite", "/kudos", "6", "3"],
    ]
    assert column(burst, "non-200") == column(burst, "no answer") == column(burst, "failed") == ["0", "0"]
    answered = [
        int(a) + int(b) for a, b in zip(column(burst, "accepted"), column(burst, "busy"), strict=True)
    ]
    assert answered == [6, 6] and column(burst, "rows written") == column(burst, "accepted")
    assert logged[0] == ["database", "concurrency", "mix req/s", '"database is locked"', "pool timeouts",
                         "Bolt suggestions"]  # fmt: skip
    assert logged[1][:2] == ["sqlite", "3"] and logged[1][3:] == ["0", "0", "0"]


def test_scale_times_each_operation(capsys: pytest.CaptureFixture[str]) -> None:
    loaded, timed = run_bench(capsys, "scale", *TINY_SCALE, "--repeat", "2")
    assert loaded[1][:4] == ["sqlite", "20", "10", "200"] and loaded[1][6] == "400"
    assert column(timed, "operation") == [
        "weekly leaderboard",
        "monthly leaderboard",
        "manager digest (weekly)",
        "App Home (manager)",
    ]
    assert column(timed, "target ms") == ["500"] * 4


def test_scale_explain_prints_plans(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scale", "--db", "sqlite", *TINY_SCALE, "--repeat", "1", "--explain"]) == 0
    out = capsys.readouterr().out
    assert out.count("#### sqlite: ") == 4
    assert "SEARCH deals USING INDEX" in out


def test_fanout_delivers_each_message_once(capsys: pytest.CaptureFixture[str]) -> None:
    (table,) = run_bench(capsys, "fanout", "--participants", "30", "--managers", "6")
    assert column(table, "job") == ["standup-prompt", "manager-digest-daily"]
    assert column(table, "intended") == ["30", "6"]
    assert column(table, "delivered") == ["30", "6"]
    assert column(table, "duplicates") == ["0", "0"]
    assert column(table, "claims not done") == ["0", "0"]


def test_memory_reads_the_bot_process(capsys: pytest.CaptureFixture[str]) -> None:
    (table,) = run_bench(capsys, "memory", *TINY_SCALE)
    assert column(table, "process") == ["dealbell run --http"] * 2 + [
        "dealbell jobs run manager-digest-daily"
    ]
    assert all(float(v) > 30 for v in column(table, "peak VmHWM MB"))
    assert table[3][2].startswith("1 digests sent (exit 0)")  # 20 members: one manager


def test_generator_draws_what_randint_and_choice_draw() -> None:
    """The scale generator's fast draws give the very numbers `randint` and `choice` give (the data
    must not change with the generator's speed), interleaved with `random()` as the generator does."""
    import random

    from bench.scale import ints, picks

    for low, high in [(1, 1), (1, 4), (10, 1000), (20, 120), (-60, 60), (1, 2000), (1, 50_000), (0, 2**40)]:
        fast, slow = random.Random(f"t:{low}:{high}"), random.Random(f"t:{low}:{high}")
        draw, pick = ints(fast, low, high), picks(fast, ("a", "b", "c", None, 5))
        for _ in range(2_000):
            assert (draw(), fast.random(), pick()) == (
                slow.randint(low, high),
                slow.random(),
                slow.choice(("a", "b", "c", None, 5)),
            )


def test_generator_rows_keep_their_shape() -> None:
    """Each table's rows have its COLUMNS' length, ids count up from 1, every reference points at a
    generated row, and the same seed gives the same rows on both backends (text times on SQLite)."""
    import datetime as dt

    from bench.scale import COLUMNS, Generator, Sizes, tables

    sizes = Sizes(members=30, deals=400, kudos=600, activities=300)
    now = dt.datetime(2026, 11, 27, 9, 30, 15, 250_000, tzinfo=dt.UTC)
    made = {
        sqlite: {table: list(rows) for table, rows in tables(Generator(sizes, 7, now, sqlite=sqlite))}
        for sqlite in (True, False)
    }
    for rows in made.values():
        for table, table_rows in rows.items():
            assert {len(row) for row in table_rows} == {len(COLUMNS[table])}
            assert [row[0] for row in table_rows] == list(range(1, len(table_rows) + 1))
        assert [len(rows[t]) for t in ("members", "customers", "deals", "kudos_gives", "kudos")] == [
            30, 20, 400, 300, 600,
        ]  # fmt: skip
        assert all(row[3] != row[4] for row in rows["kudos"])  # nobody thanks themselves
        assert {row[2] for row in rows["deal_stage_changes"]} == set(range(1, 401))
    text, objects = made[True], made[False]
    deal_sqlite, deal_pg = text["deals"][0], objects["deals"][0]
    assert deal_sqlite[14] == deal_pg[14].replace(tzinfo=None).isoformat(" ", "microseconds")
    assert deal_sqlite[8] == deal_pg[8].isoformat()
    assert [row[:14] for row in text["deals"] if row[10] is None] == [
        (*row[:8], row[8].isoformat(), *row[9:14]) for row in objects["deals"] if row[10] is None
    ]


def test_sqlite_load_leaves_the_migrated_schema(tmp_path) -> None:
    """The SQLite load drops the plain indexes and builds them again: afterwards sqlite_master holds
    exactly what the migrations made (besides ANALYZE's statistics), the file is back in WAL mode, and
    every row is there."""
    import datetime as dt
    import shutil
    import sqlite3

    from bench.common import sqlite_schema
    from bench.scale import COLUMNS, Generator, Sizes, load_sqlite

    path = tmp_path / "scale.db"
    shutil.copyfile(sqlite_schema(), path)

    def schema() -> list[tuple]:
        conn = sqlite3.connect(path)
        try:
            return conn.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' "
                "ORDER BY type, name"
            ).fetchall()
        finally:
            conn.close()

    before = schema()
    sizes = Sizes(members=20, deals=300, kudos=400, activities=100)
    counts = load_sqlite(str(path), Generator(sizes, 1, dt.datetime.now(dt.UTC), sqlite=True))
    assert schema() == before
    assert any(row[0] == "index" and row[1] == "ix_kudos_workspace_created" for row in before)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COLUMNS} == counts
    finally:
        conn.close()
    assert counts["deals"] == 300 and counts["kudos"] == 400 and counts["deal_stage_changes"] > 300


def test_postgres_load_leaves_the_migrated_schema(tmp_path) -> None:
    """The same on PostgreSQL (COPY, indexes dropped and built again from pg_indexes' definitions)."""
    import asyncio
    import datetime as dt

    import asyncpg

    from bench.common import fresh_database, postgres_reachable
    from bench.scale import COLUMNS, Generator, Sizes, load_postgres

    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")

    async def indexes(url: str) -> list[tuple]:
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "ORDER BY tablename, indexname"
            )
            return [tuple(row) for row in rows]
        finally:
            await conn.close()

    async def load() -> tuple[list[tuple], list[tuple], dict[str, int], dict[str, int]]:
        async with fresh_database("postgresql", tmp_path) as url:
            before = await indexes(url)
            sizes = Sizes(members=20, deals=300, kudos=400, activities=100)
            counts = await load_postgres(url, Generator(sizes, 1, dt.datetime.now(dt.UTC), sqlite=False))
            conn = await asyncpg.connect(url)
            try:
                stored = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in COLUMNS}
            finally:
                await conn.close()
            return before, await indexes(url), counts, stored

    before, after, counts, stored = asyncio.run(load())
    assert after == before and any(row[1] == "ix_kudos_workspace_created" for row in before)
    assert stored == counts and counts["kudos"] == 400
