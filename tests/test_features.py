"""A feature is one declaration: dropping a package with a FEATURE under handlers/ is all it takes.

The throwaway feature below lives in a temporary folder added to the `handlers` package's path, as
a new folder under handlers/ would be; no other file is edited for it to be registered, answer its
command and its button, appear in `/dealbell help` in both languages, in the manifest's generated
command list and in the sandbox's composer.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

import handlers
from bot.sandbox.server import start_sandbox
from handlers.errors import guarded
from handlers.features import discover, manifest_commands

THROWAWAY = '''
"""`/shout`: a feature that exists only for this test."""

from handlers.features import Command, Feature


async def shout(ack, body, context, command):
    await ack(text="SHOUTED " + command["text"].upper())


async def shout_again(ack, body, context, client):
    await ack()
    await client.chat_postMessage(channel=body["channel"]["id"], text="again!")


FEATURE = Feature(
    name="throwaway",
    commands=(
        Command(
            "/shout",
            shout,
            description="Shout something",
            usage_hint="words",
            summary="shout.summary",
        ),
    ),
    actions={"shout_again": shout_again},
    messages={"en": {"shout.summary": "shouts your words"}, "zh": {"shout.summary": "大声说出你的话"}},
)
'''


@pytest.fixture
def throwaway_feature(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    package = tmp_path / "features" / "throwaway"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(THROWAWAY))
    monkeypatch.setattr(handlers, "__path__", [*handlers.__path__, str(package.parent)])
    yield "/shout"
    sys.modules.pop("handlers.throwaway", None)


async def test_a_new_feature_package_is_registered_and_listed_everywhere(throwaway_feature, app, tmp_path):
    reply = await app.send.command("/shout", "hello")
    assert reply.text == "SHOUTED HELLO"

    await app.send.action("shout_again", "x")
    posted = await app.fake.wait_for("chat.postMessage")
    assert posted[-1].args["text"] == "again!"

    english = (await app.send.command("/dealbell", "help")).text
    assert "• `/shout` shouts your words" in english
    app.fake.add_user("U0009", locale="zh-CN")
    chinese = (await app.send.command("/dealbell", "help", user="U0009")).text
    assert "• `/shout` 大声说出你的话" in chinese

    manifest = {entry["command"]: entry for entry in manifest_commands(discover())}
    assert manifest["/shout"]["description"] == "Shout something"
    assert manifest["/shout"]["usage_hint"] == "words"

    sandbox = await start_sandbox(f"sqlite:///{tmp_path / 'sandbox.db'}", seed=False, scheduler=False)
    try:
        async with aiohttp.ClientSession() as session, session.get(sandbox.url + "/api/commands") as answer:
            offered = {entry["command"] for entry in await answer.json()}
    finally:
        await sandbox.stop()
    assert throwaway_feature in offered


def test_every_listener_is_guarded_but_those_whose_feature_says_why_not():
    """`guarded` is applied once, by Feature.register; a feature that opts out must give its reason."""

    class Recorder:
        def __init__(self) -> None:
            self.listeners: list = []

        def _record(self, _key):
            return self.listeners.append

        command = action = view = event = options = shortcut = function = _record

        def use(self, *_middleware):
            pass

    for feature in discover():
        recorder = Recorder()
        feature.register(recorder)
        declared = [c.listener for c in feature.commands]
        declared += [*feature.actions.values(), *feature.views.values(), *feature.events.values()]
        declared += [*feature.options.values()]
        declared += [shortcut.listener for shortcut in feature.shortcuts]
        declared += [step.listener for step in feature.steps]
        if feature.unguarded_because:
            assert recorder.listeners == declared, feature.name
        else:
            assert [getattr(listener, "__wrapped__", None) for listener in recorder.listeners] == declared
            assert all(listener.__code__ is guarded(declared[0]).__code__ for listener in recorder.listeners)
    assert {feature.name for feature in discover() if feature.unguarded_because} == {"installs"}
