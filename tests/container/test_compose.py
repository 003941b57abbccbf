"""compose.yaml, the README's compose instructions and the Containerfile agree with each other and with
dealbell's settings and command line. (The image itself is built and run in test_image.py.)"""

from __future__ import annotations

import re
import shlex

from bot.cli import build_parser
from bot.settings import Settings
from tests.container.deploy_files import (
    REPO,
    compose,
    compose_variables,
    readme_compose_commands,
    readme_dotenv,
    service_environment,
)

SETTINGS = {name.upper() for name in Settings.model_fields}


def test_dealbell_waits_for_a_healthy_postgres_with_a_named_volume() -> None:
    spec = compose()
    db, dealbell = spec["services"]["db"], spec["services"]["dealbell"]
    assert db["image"].startswith("docker.io/library/postgres:")  # the official image
    volume = db["volumes"][0].split(":")[0]
    assert volume in spec["volumes"], "PostgreSQL's data is in a named volume"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert dealbell["depends_on"]["db"]["condition"] == "service_healthy"
    env = service_environment("dealbell", {"POSTGRES_PASSWORD": "pw"})
    assert env["DATABASE_URL"] == "postgresql://dealbell:pw@db:5432/dealbell"
    assert (REPO / dealbell["build"]["context"] / dealbell["build"]["dockerfile"]).is_file()


def test_dealbell_environment_names_only_real_settings() -> None:
    env = service_environment("dealbell", {})
    assert set(env) <= SETTINGS, f"not dealbell settings: {set(env) - SETTINGS}"
    Settings(_env_file=None, **{k.lower(): v for k, v in env.items() if v})  # type: ignore[arg-type]


def test_sandbox_is_a_profile_whose_command_dealbell_accepts() -> None:
    sandbox = compose()["services"]["sandbox"]
    assert sandbox["profiles"] == ["sandbox"]
    assert "environment" not in sandbox  # no Slack tokens
    program, *args = sandbox["command"]
    assert program == "dealbell"
    parsed = build_parser().parse_args(args)
    assert (parsed.command, parsed.host) == ("sandbox", "0.0.0.0")  # reachable through the published port
    assert sandbox["ports"][0].startswith("127.0.0.1:"), "the sandbox has no login: the host's loopback only"


def test_readme_dotenv_sets_what_compose_reads() -> None:
    dotenv = readme_dotenv()
    assert set(dotenv) == {
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "DEALBELL_SECRET_KEY",
        "POSTGRES_PASSWORD",
    }
    assert set(dotenv) <= compose_variables()


def test_readme_compose_commands_name_services_profiles_and_variables_compose_has() -> None:
    spec = compose()
    services = set(spec["services"])
    profiles = {p for s in spec["services"].values() for p in s.get("profiles", [])}
    commands = readme_compose_commands()
    assert "docker compose up -d --build" in commands
    for command in commands:
        words = shlex.split(command.split(">")[0])
        docker = words.index("docker")
        assert {w.split("=")[0] for w in words[:docker]} <= compose_variables(), command  # VAR=value docker …
        positional, rest = [], iter(words[docker + 2 :])
        for word in rest:
            if word in ("--profile", "--scale"):
                value = next(rest)
                assert value.split("=")[0] in (profiles if word == "--profile" else services), command
            elif not word.startswith("-"):
                positional.append(word)
        subcommand, *names = positional
        if subcommand in ("up", "exec"):
            assert names[:1] == [] or names[0] in services, command
    # two replicas need a port each: the range the README gives must cover --scale's count
    scaled = next(c for c in commands if "--scale" in c)
    low, high = re.search(r"DEALBELL_PORTS=(\d+)-(\d+)", scaled).groups()
    assert int(high) - int(low) + 1 == int(re.search(r"--scale dealbell=(\d+)", scaled)[1])


def test_containerfile_runs_the_bot_as_a_non_root_user_with_a_healthcheck() -> None:
    text = (REPO / "Containerfile").read_text()
    assert re.search(r"^ARG BASE_IMAGE=docker\.io/library/python:3\.\d+-slim", text, re.M)
    assert len(re.findall(r"^FROM ", text, re.M)) == 2, "multi-stage: build, then runtime"
    user = re.search(r"^USER (\S+)", text, re.M)[1]
    assert user.split(":")[0].isdigit() and user.split(":")[0] != "0"
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", text, re.M)
    assert re.search(r'^CMD \["dealbell", "run", "--http"\]', text, re.M)
    assert re.search(r"^VOLUME /data", text, re.M)
    assert "DATABASE_URL=sqlite:////data/dealbell.db" in text
