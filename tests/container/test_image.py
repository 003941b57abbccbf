"""The image, built and run: the Containerfile built from the debootstrap base with wheels built here,
started with host networking against PostgreSQL with compose.yaml's environment, one signed
`/deal won` through the fake Slack, then stopped with SIGTERM.

Slow (a minute or two with podman's layer cache, a few from scratch), so `make test` leaves it out:
`.ci/run` runs it after the suite, and `pytest -m container tests/container/test_image.py` runs it
alone. Needs podman and the base image that deploy/podman/setup.sh installs and makes; skips, with
the reason, where either is missing or podman cannot run a container.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import PG_ADMIN, _admin, _postgres_reachable
from tests.container.deploy_files import REPO, compose, readme_dotenv, service_environment
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackSender

pytestmark = pytest.mark.container

PODMAN_CONF = REPO / "deploy" / "podman" / "containers.conf"
BASE_IMAGE = os.environ.get("DEALBELL_BASE_IMAGE", "localhost/dealbell-base:bookworm")
IMAGE = "localhost/dealbell:smoke-test"
CACHE = Path(os.environ.get("DEALBELL_CACHE", "/var/cache/dealbell"))
SIGNING_SECRET = "container-signing-secret"
APP_UID = "10001"  # the Containerfile's non-root user


def podman(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONTAINERS_CONF": str(PODMAN_CONF)}
    done = subprocess.run(
        ["podman", *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(f"podman {' '.join(args[:2])} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done


def elapsed(label: str, started: float) -> None:
    print(f"[container] {label}: {time.monotonic() - started:.1f}s", flush=True)


# --- the engine, the wheels, the image ---------------------------------------------------------------


@pytest.fixture(scope="module")
def engine() -> None:
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed: run deploy/podman/setup.sh (as root) to install it")
    if podman("image", "exists", BASE_IMAGE, check=False).returncode != 0:
        pytest.skip(f"no base image {BASE_IMAGE}: run deploy/podman/setup.sh (debootstrap + podman import)")
    probe = podman("run", "--rm", "--network", "none", BASE_IMAGE, "true", check=False)
    if probe.returncode != 0:
        pytest.skip(f"podman cannot run a container here: {probe.stderr.strip()[-500:]}")


def wheelhouse() -> Path:
    """The dependencies as wheels built on this host (a build reaches no package index); kept under
    /var/cache/dealbell/wheels where writable, so later runs resolve offline in seconds."""
    folder = CACHE / "wheels"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="dealbell-wheels-"))
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
               "--wheel-dir", str(folder), "--find-links", str(folder),
               "setuptools>=77", "wheel", str(REPO)]  # fmt: skip
    offline = subprocess.run([*command, "--no-index"], capture_output=True, text=True, check=False)
    if offline.returncode != 0:  # a dependency not in the cache yet
        online = subprocess.run(command, capture_output=True, text=True, check=False)
        assert online.returncode == 0, f"pip wheel failed:\n{online.stderr[-3000:]}"
    for built in folder.glob("dealbell-*.whl"):  # the image installs dealbell from its sources
        built.unlink()
    return folder


def image_id() -> str:
    """The id IMAGE's tag points at ("" before the first build)."""
    return podman("image", "inspect", "--format", "{{.Id}}", IMAGE, check=False).stdout.strip()


@pytest.fixture(scope="module")
def image(engine: None) -> str:
    """Build the image exactly as compose.yaml's `build` says, from the local base, offline."""
    build = compose()["services"]["dealbell"]["build"]
    previous = image_id()
    started = time.monotonic()
    wheels = wheelhouse()
    elapsed("wheels built on the host", started)
    started = time.monotonic()
    podman(
        "build", "--format", "docker",  # docker format: OCI images have no HEALTHCHECK
        "--file", str(REPO / build["context"] / build["dockerfile"]),
        "--build-arg", f"BASE_IMAGE={BASE_IMAGE}",
        "--build-arg", "PIP_INSTALL_OPTIONS=--no-index --find-links /wheels",
        "--volume", f"{wheels}:/wheels:ro",
        "--network", "none",  # proof that the build needs nothing but the host's wheels
        "--tag", IMAGE,
        str(REPO / build["context"]),
        timeout=900,
    )  # fmt: skip
    elapsed("image built", started)
    if previous and previous != image_id():  # the last run's, untagged now: layers would pile up
        podman("image", "rm", previous, check=False)
    return IMAGE


# --- a database of its own on the suite's PostgreSQL ------------------------------------------------


@pytest.fixture
def postgres_url() -> Iterator[str]:
    server = make_url(os.environ.get("TEST_DATABASE_URL") or PG_ADMIN).set(drivername="postgresql")
    if not _postgres_reachable():
        if os.environ.get("DEALBELL_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (DEALBELL_REQUIRE_POSTGRES=1) but is not reachable")
        pytest.skip("PostgreSQL not reachable (set TEST_DATABASE_URL to use another)")
    admin = server.set(database="postgres").render_as_string(hide_password=False)
    name = f"dealbell_container_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"', admin))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', admin))


# --- running a container -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(image: str, env: dict[str, str], *command: str) -> str:
    """Run `image` detached on the host's network; its id. Healthchecks are run on demand (no systemd
    here to time them)."""
    env_args = [arg for key, value in env.items() for arg in ("--env", f"{key}={value}")]
    run = podman("run", "--detach", "--network", "host", "--health-interval", "disable", *env_args, image,
                 *command)  # fmt: skip
    return run.stdout.strip()


def logs(container: str) -> str:
    done = podman("logs", container, check=False)
    return (done.stdout + done.stderr)[-4000:]


async def wait_until_serving(url: str, container: str, timeout: float = 60) -> None:
    """Poll `url` until it answers 200; fail at once, with the logs, if the container exits first."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url) as reply:
                    if reply.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            state = podman("inspect", "--format", "{{.State.Status}}", container).stdout.strip()
            assert state == "running", f"the container is {state} before {url} answered:\n{logs(container)}"
            await asyncio.sleep(0.5)
    raise AssertionError(f"{url} did not answer 200 within {timeout}s:\n{logs(container)}")


def stop_with_sigterm(container: str) -> tuple[int, float]:
    """`podman stop` sends the image's STOPSIGNAL (SIGTERM) and would SIGKILL after 30 s."""
    started = time.monotonic()
    podman("stop", "--time", "30", container, timeout=60)
    took = time.monotonic() - started
    code = podman("inspect", "--format", "{{.State.ExitCode}}", container).stdout.strip()
    return int(code), took


@pytest.fixture
def containers() -> Iterator[list[str]]:
    started: list[str] = []
    yield started
    for container in started:
        podman("rm", "--force", container, check=False)


# --- the tests ---------------------------------------------------------------------------------------


def compose_environment(**overrides: str) -> dict[str, str]:
    """compose.yaml's environment for `dealbell` with the README's `.env`, secrets filled in; then
    `overrides` (the database, the fake Slack, the port: what host networking in CI changes)."""
    dotenv = {key: f"test-{key.lower()}" for key in readme_dotenv()}
    dotenv["SLACK_BOT_TOKEN"] = "xoxb-container-test"
    dotenv["SLACK_SIGNING_SECRET"] = SIGNING_SECRET
    return {**service_environment("dealbell", dotenv), **overrides}


async def test_image_migrates_serves_a_win_and_stops_cleanly_on_sigterm(
    image: str, postgres_url: str, fake_slack: FakeSlack, containers: list[str]
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = compose_environment(DATABASE_URL=postgres_url, SLACK_API_URL=fake_slack.api_url, PORT=str(port))
    started = time.monotonic()
    container = start(image, env)
    containers.append(container)

    await wait_until_serving(f"{url}/healthz", container)
    elapsed("started, migrated and serving /healthz", started)
    await wait_until_serving(f"{url}/readyz", container)  # migrations current on PostgreSQL
    assert podman("healthcheck", "run", container, check=False).returncode == 0, logs(container)
    assert podman("exec", container, "id", "-u").stdout.strip() == APP_UID

    sender = SlackSender(url, SIGNING_SECRET, fake_slack.response_url())
    reply = await sender.command("/deal", 'won 12.5k Acme Corp "Annual licence"')
    assert reply.status == 200, reply.text
    assert "Acme Corp" in reply.text and "$12,500.00" in reply.text
    posts = await fake_slack.wait_for("chat.postMessage", timeout=30)
    celebration = posts[0].args
    assert celebration["channel"] == "C0001"
    assert "<@U0001>" in celebration["text"] and "Acme Corp" in celebration["text"]
    assert celebration["blocks"][0]["accessory"]["action_id"] == "deal_congratulate"

    code, took = stop_with_sigterm(container)
    assert code == 0, f"exit code {code} after SIGTERM (137: it had to be killed):\n{logs(container)}"
    assert took < 30
    assert "dealbell stopped" in logs(container)


async def test_image_serves_the_sandbox_as_compose_runs_it(image: str, containers: list[str]) -> None:
    sandbox = compose()["services"]["sandbox"]
    assert sandbox["profiles"] == ["sandbox"]
    command = list(sandbox["command"])
    port = free_port()
    command[command.index("--port") + 1] = str(port)  # host networking: a free port, not 3000
    container = start(image, {}, *command)  # no Slack settings at all
    containers.append(container)

    await wait_until_serving(f"http://127.0.0.1:{port}/", container)
    code, _ = stop_with_sigterm(container)
    assert code == 0, logs(container)
