"""Imports flow one way. Every module under bot/, handlers/, jobs/ and storage/ is in one layer:

- the web dashboard (bot/web/) imports the shared library, the settings and storage; only the root imports it;
- the composition root (bot/ outside bot/kit, bot/web and bot/settings.py: app factory, server, CLI, Slack
  clients, installations, observability, sandbox, the REST API in bot/api, the CRM webhooks in
  bot/integrations) may import anything; nothing
  but the root imports it;
- handlers/ and jobs/ import the shared library, the settings and storage (and, within each, itself);
- the shared library (bot/kit/) imports only storage;
- storage imports none of dealbell's other packages and no Slack library;
- the settings import only storage (its money rules).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "jobs", "storage")
SLACK_LIBRARIES = ("slack_bolt", "slack_sdk")

# layer → the layers (and third-party libraries) it must never import
LAYERS = ("root", "web", "settings", "kit", "handlers", "jobs", "storage")
FORBIDDEN = {
    "root": set(),
    "web": {"root", "handlers", "jobs", "slack_bolt"},
    "settings": {"root", "web", "kit", "handlers", "jobs"},
    "kit": {"root", "web", "settings", "handlers", "jobs", "slack_bolt"},
    "handlers": {"root", "web", "jobs"},
    "jobs": {"root", "web", "handlers", "slack_bolt"},
    "storage": {"root", "web", "settings", "kit", "handlers", "jobs", *SLACK_LIBRARIES},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    """The layer of one of dealbell's modules (or the name of a third-party package)."""
    top = module.split(".")[0]
    if top in ("handlers", "jobs", "storage"):
        return top
    if top != "bot":
        return top
    if module == "bot.settings":
        return "settings"
    if module == "bot.kit" or module.startswith("bot.kit."):
        return "kit"
    if module == "bot.web" or module.startswith("bot.web."):
        return "web"
    return "root"


def modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts or path.name == "__init__.py"
    }


def imports(source: str, known: set[str]) -> set[str]:
    """The modules `source` imports: `from bot.kit import blocks` is bot.kit.blocks when that is a module."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, "dealbell uses absolute imports"
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in known else node.module)
    return found


def sources(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**{name: path.read_text() for name, path in modules().items()}, **(extra or {})}


def violations(extra: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Module → the imports it must not make; `extra` adds modules (name → source) to the tree."""
    known = sources(extra)
    found = {}
    for name, source in known.items():
        own = layer(name)
        wrong = sorted(m for m in imports(source, set(known)) if layer(m) in FORBIDDEN[own])
        if wrong:
            found[name] = wrong
    return found


def test_every_module_is_in_a_layer_with_rules():
    assert {layer(name) for name in modules()} == set(LAYERS)
    assert len(modules()) > 150  # every module under the four packages is looked at


def test_imports_follow_the_layers():
    assert violations() == {}


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("bot.kit.probe", "from handlers.deals import listeners"),
        ("bot.kit.probe", "from bot.settings import Settings"),
        ("bot.kit.probe", "from slack_bolt.async_app import AsyncApp"),
        ("jobs.probe", "from bot import server"),
        ("jobs.probe", "from handlers import features"),
        ("handlers.probe", "import bot.cli"),
        ("handlers.probe", "from jobs import runner"),
        ("storage.probe", "from bot.kit.i18n import t"),
        ("storage.probe", "import slack_sdk"),
        ("bot.settings", "from bot.kit import blocks"),
        ("storage.probe", "from bot.api import routes"),  # the REST API is a surface, like handlers
        ("jobs.probe", "from bot.api.core import Endpoint"),
        ("bot.web.probe", "from bot import server"),
        ("bot.web.probe", "from handlers import features"),
        ("handlers.probe", "from bot.web import pages"),
        ("bot.kit.probe", "from bot.web import routes"),
        ("jobs.probe", "from bot.integrations import setup_integrations"),  # CRM webhooks are a surface too
        ("storage.probe", "from jobs.crm_sync import ingest"),  # CRM connectors live in storage/crm
    ],
)
def test_the_check_catches_a_wrong_import(module, source):
    assert module in violations({module: source})


def test_the_server_loads_matplotlib_only_to_draw_a_chart():
    """Importing the server (which imports the jobs, and so bot.kit.charts) stays light: matplotlib is
    half a second and ~40 MB of a process's memory, needed only when a weekly chart is drawn."""
    code = (
        "import sys, bot.server, bot.kit.charts; assert 'matplotlib' not in sys.modules, 'imported'; "
        "bot.kit.charts.leaderboard_chart('USD', [bot.kit.charts.Bar('Ana', 100)], [], 'en'); "
        "assert 'matplotlib' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


@pytest.mark.parametrize("module", ["bot.app", "bot.server", "bot.cli"])
def test_the_root_is_imported_only_by_the_root(module):
    known = sources()
    importers = [name for name, source in known.items() if module in imports(source, set(known))]
    assert all(layer(name) == "root" for name in importers), importers
