"""What a feature is, and how the app finds them: each package under `handlers/` declares one `FEATURE`.

A declaration names everything Slack needs to know of the feature — its slash commands (with the
description and usage hint the manifest and the sandbox show, and the catalogue key of its line in
`/dealbell help`), the actions, views, events and type-ahead menus (options) it listens to, and any
middleware. The app factory
registers every declaration it discovers, wrapping each listener in `guarded` here and nowhere else;
`tests/test_manifest.py` generates the manifest's command list from the same declarations.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Protocol

from bot.kit.i18n import extend_catalogue, t
from handlers.errors import guarded

Listener = Callable[..., Awaitable[None]]
COMMANDS_URL = "https://dealbell.example.com/slack/events"  # the manifest's placeholder, as an admin edits it


class ListenerRegistry(Protocol):
    """The part of Bolt's AsyncApp a feature registers with (a test can stand in for it)."""

    def command(self, command: str) -> Callable[[Listener], Any]: ...
    def action(self, constraints: str | re.Pattern) -> Callable[[Listener], Any]: ...
    def view(self, constraints: str | re.Pattern) -> Callable[[Listener], Any]: ...
    def event(self, event: str) -> Callable[[Listener], Any]: ...
    def options(self, constraints: str | re.Pattern) -> Callable[[Listener], Any]: ...
    def use(self, *args: Any) -> Any: ...
    def shortcut(self, constraints: str) -> Callable[[Listener], Any]: ...
    def function(self, callback_id: str) -> Callable[[Listener], Any]: ...


@dataclass(frozen=True)
class Command:
    name: str  # "/deal"
    listener: Listener
    description: str  # what Slack's command picker shows (manifest.yml, the sandbox)
    usage_hint: str  # likewise
    summary: str  # catalogue key of the command's line in `/dealbell help`


@dataclass(frozen=True)
class Shortcut:
    """A global shortcut (the ⚡ menu, the composer's "+") or a message shortcut (a message's ⋯ menu)."""

    callback_id: str
    listener: Listener
    name: str  # what the menu shows (manifest.yml, the sandbox); Slack allows 24 characters
    description: str
    kind: str = "global"  # "global" or "message", as the manifest spells it


@dataclass(frozen=True)
class Parameter:
    """An input or output of a Workflow Builder step, as the manifest's `functions` declare it."""

    name: str
    type: str  # "string", "number", "slack#/types/user_id", "slack#/types/channel_id", or an array of one
    title: str
    description: str = ""
    required: bool = True

    def schema(self) -> dict[str, Any]:
        kind = self.type.removesuffix("[]")
        shape: dict[str, Any] = (
            {"type": kind} if kind == self.type else {"type": "array", "items": {"type": kind}}
        )
        shape["title"] = self.title
        if self.description:
            shape["description"] = self.description
        return shape


@dataclass(frozen=True)
class WorkflowStep:
    """A custom step for Workflow Builder (a Bolt function, run by this app: function_runtime remote)."""

    callback_id: str
    listener: Listener
    title: str
    description: str
    inputs: tuple[Parameter, ...] = ()
    outputs: tuple[Parameter, ...] = ()

    def manifest(self) -> dict[str, Any]:
        def parameters(params: tuple[Parameter, ...]) -> dict[str, Any]:
            return {
                "properties": {p.name: p.schema() for p in params},
                "required": [p.name for p in params if p.required],
            }

        return {
            "title": self.title,
            "description": self.description,
            "input_parameters": parameters(self.inputs),
            "output_parameters": parameters(self.outputs),
        }


@dataclass(frozen=True)
class Feature:
    name: str
    commands: tuple[Command, ...] = ()
    actions: Mapping[str | re.Pattern, Listener] = field(default_factory=dict)
    views: Mapping[str, Listener] = field(default_factory=dict)
    events: Mapping[str, Listener] = field(default_factory=dict)
    # Type-ahead menus (external_select action_id → listener answering with `ack(options=…)`)
    options: Mapping[str, Listener] = field(default_factory=dict)
    middleware: tuple[Callable[..., Awaitable[None]], ...] = ()
    shortcuts: tuple[Shortcut, ...] = ()
    steps: tuple[WorkflowStep, ...] = ()
    # Catalogue entries the feature brings along ({"en": {...}, "zh": {...}}); most features keep
    # theirs in bot/kit/messages/<feature>.py instead.
    messages: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Listeners run through `guarded` unless a feature says why not (a failure must reach Slack).
    unguarded_because: str = ""

    def register(self, app: ListenerRegistry) -> None:
        extend_catalogue(self.messages)
        wrap = (lambda listener: listener) if self.unguarded_because else guarded
        for command in self.commands:
            app.command(command.name)(wrap(command.listener))
        for action_id, listener in self.actions.items():
            app.action(action_id)(wrap(listener))
        for callback_id, listener in self.views.items():
            app.view(callback_id)(wrap(listener))
        for event, listener in self.events.items():
            app.event(event)(wrap(listener))
        for action_id, listener in self.options.items():
            app.options(action_id)(wrap(listener))
        for middleware in self.middleware:
            app.use(middleware)
        for shortcut in self.shortcuts:
            app.shortcut(shortcut.callback_id)(wrap(shortcut.listener))
        for step in self.steps:
            app.function(step.callback_id)(wrap(step.listener))


def discover(package: ModuleType | None = None) -> tuple[Feature, ...]:
    """The `FEATURE` of every sub-package of `handlers` (or `package`), in name order.

    Nothing lists them by hand: a new folder under handlers/ with a declaration is a new feature.
    """
    if package is None:
        import handlers as package
    features = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
        if not info.ispkg:
            continue  # errors, middleware, replies: shared by the features, not features
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        feature = getattr(module, "FEATURE", None)
        if not isinstance(feature, Feature):
            raise TypeError(f"{module.__name__} declares no FEATURE (handlers.features.Feature)")
        features.append(feature)
    return tuple(features)


def commands(features: Iterable[Feature]) -> list[Command]:
    """Every declared slash command, `/dealbell` (the index of the rest) last."""
    found = [command for feature in features for command in feature.commands]
    return sorted(found, key=lambda command: (command.name == "/dealbell", command.name))


def manifest_commands(features: Iterable[Feature], url: str = COMMANDS_URL) -> list[dict[str, Any]]:
    """The `features.slash_commands` list of manifest.yml, as the declarations say it should be."""
    return [
        {
            "command": command.name,
            "url": url,
            "description": command.description,
            "usage_hint": command.usage_hint,
            "should_escape": True,
        }
        for command in commands(features)
    ]


def sandbox_commands(features: Iterable[Feature]) -> list[dict[str, str]]:
    """What the sandbox's composer offers (bot/sandbox serves it at /api/commands)."""
    return [
        {"command": command.name, "description": command.description, "usage_hint": command.usage_hint}
        for command in commands(features)
    ]


def help_text(features: Iterable[Feature], locale: str | None) -> str:
    """`/dealbell help`: one line per declared command, in the member's language."""
    lines = [t(locale, "admin.help.title")]
    lines += [f"• `{command.name}` {t(locale, command.summary)}" for command in commands(features)]
    lines.append(t(locale, "admin.help.routed"))
    return "\n".join(lines)


def manifest_shortcuts(features: Iterable[Feature]) -> list[dict[str, str]]:
    """The `features.shortcuts` list of manifest.yml, as the declarations say it should be."""
    return [
        {
            "name": shortcut.name,
            "type": shortcut.kind,
            "callback_id": shortcut.callback_id,
            "description": shortcut.description,
        }
        for feature in features
        for shortcut in feature.shortcuts
    ]


def routed_command(features: Iterable[Feature], text: str) -> tuple[Command, str] | None:
    """`/dealbell log call Acme …` → (the `/log` command, "call Acme …"); None if no command is named.

    Every declared command is also reachable as `/dealbell <name> …`, for workspaces where another
    app already owns `/log` or `/team` (the admin drops the short command from the manifest)."""
    head, _, rest = (text or "").strip().partition(" ")
    by_name = {c.name.removeprefix("/"): c for c in commands(features) if c.name != "/dealbell"}
    command = by_name.get(head.lower())
    return (command, rest.strip()) if command else None


async def run_routed(command: Command, text: str, arguments: Mapping[str, Any]) -> None:
    """Run `command`'s listener as if Slack had sent it `text`: same request, its name and text."""
    payload = {**arguments["command"], "command": command.name, "text": text}
    given = {**arguments, "command": payload, "body": {**arguments["body"], **payload}}
    wanted = inspect.getfullargspec(command.listener).args
    await command.listener(**{name: given[name] for name in wanted})


def manifest_functions(features: Iterable[Feature]) -> dict[str, dict[str, Any]]:
    """The top-level `functions` of manifest.yml: each declared Workflow Builder step."""
    return {step.callback_id: step.manifest() for feature in features for step in feature.steps}
