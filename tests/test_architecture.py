"""Imports flow one way (the product brief): composition root → handlers/jobs → storage and shared views."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_BOT_MODULES = (
    "bot/kit/blocks.py",
    "bot/kit/i18n.py",
    "bot/kit/mentions.py",
    "bot/kit/messages",
    "bot/kit/views",
)

# folder → top-level packages it must never import
FORBIDDEN = {
    "storage": {"slack_bolt", "slack_sdk", "handlers", "jobs", "bot"},
    "jobs": {"handlers", "slack_bolt"},
    "handlers": {"jobs"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def python_files(relative: str) -> list[Path]:
    target = ROOT / relative
    return [target] if target.is_file() else sorted(target.rglob("*.py"))


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_folders_import_only_downstream(folder):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[folder])
        for path in python_files(folder)
        if imported_packages(path) & FORBIDDEN[folder]
    }
    assert offenders == {}


def test_shared_presentation_helpers_import_no_handler_or_job():
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & {"handlers", "jobs"})
        for relative in SHARED_BOT_MODULES
        for path in python_files(relative)
        if imported_packages(path) & {"handlers", "jobs"}
    }
    assert offenders == {}


def test_the_server_loads_matplotlib_only_to_draw_a_chart():
    """Importing the server (which imports the jobs, and so bot.kit.charts) stays light: matplotlib is
    half a second and ~40 MB of a process's memory, needed only when a weekly chart is drawn."""
    code = (
        "import sys, bot.server, bot.kit.charts; assert 'matplotlib' not in sys.modules, 'imported'; "
        "bot.kit.charts.leaderboard_chart('USD', [bot.kit.charts.Bar('Ana', 100)], [], 'en'); "
        "assert 'matplotlib' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)
