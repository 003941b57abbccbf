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
    (table,) = run_bench(capsys, "request", "--requests", "12", "--concurrency", "4", "--warmup", "1")
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
    # every kudos, deal and reaction was written; Congratulate counts each (person, deal) once
    written = column(table, "rows written")
    assert written[1:3] == ["12", "12"] and written[4] == "12" and 0 < int(written[3]) <= 12


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
