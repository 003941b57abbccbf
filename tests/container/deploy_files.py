"""What the container tests read from the repository: compose.yaml and the README's compose commands."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "compose.yaml"
README = REPO / "README.md"

# ${NAME}, ${NAME:-default}, ${NAME-default}: the forms compose.yaml uses (compose's own syntax).
_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?-)(?P<default>[^}]*))?\}")


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's variable substitution, for the forms above: a missing or (with `:-`) empty variable
    takes its default."""

    def substitute(match: re.Match[str]) -> str:
        name, op, default = match["name"], match["op"], match["default"] or ""
        given = env.get(name)
        if given is None or (op == ":-" and given == ""):
            return default if op else ""
        return given

    return _VARIABLE.sub(substitute, value)


def compose_variables() -> set[str]:
    return {m["name"] for m in _VARIABLE.finditer(COMPOSE_FILE.read_text())}


def service_environment(service: str, env: dict[str, str]) -> dict[str, str]:
    """The environment compose gives `service`, with `env` as the `.env` file."""
    given = compose()["services"][service]["environment"]
    return {key: interpolate(str(value), env) for key, value in given.items()}


def deploying_section() -> str:
    text = README.read_text()
    start = text.index("\n## Deploying")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def readme_dotenv() -> dict[str, str]:
    """The `.env` the README's compose instructions write (its `cat > .env <<EOF … EOF` block)."""
    section = deploying_section()
    block = re.search(r"cat > \.env <<EOF\n(?P<body>.*?)\nEOF\n", section, re.S)
    assert block, "README's Deploying section has no `cat > .env <<EOF` block for compose"
    pairs = (line.split("=", 1) for line in block["body"].splitlines() if line.strip())
    return {key: value for key, value in pairs}


def readme_compose_commands() -> list[str]:
    """The README's `docker compose …` commands: lines of its code blocks and inline `code`, in order."""
    section = deploying_section()
    found = re.finditer(
        r"^((?:\w+=\S+ )*docker compose [^#`\n]*)|`((?:\w+=\S+ )*docker compose [^`]*)`", section, re.M
    )
    return [(m[1] or m[2]).strip() for m in found]
