"""Only storage/jobruns.py reads and writes the job-claims table: every claim goes through its rules."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWNERS = {"storage/jobruns.py", "storage/models.py"}  # the rules, and the table's definition


def names_job_run(path: Path) -> bool:
    tree = ast.parse(path.read_text())
    return any(
        (isinstance(node, ast.Name) and node.id == "JobRun")
        or (isinstance(node, ast.alias) and node.name == "JobRun")
        or (isinstance(node, ast.Constant) and node.value == "job_runs")
        for node in ast.walk(tree)
    )


def test_only_jobruns_touches_the_claims_table():
    modules = [
        p
        for package in ("storage", "jobs", "handlers", "bot")
        for p in (ROOT / package).rglob("*.py")
        if "migrations" not in p.parts  # the schema's history creates the table, of course
    ]
    touching = sorted(str(p.relative_to(ROOT)) for p in modules if names_job_run(p))

    assert set(touching) - OWNERS == set(), touching
