"""manifest.yml and the features' declarations agree: every command and event is declared and handled."""

from __future__ import annotations

from typing import Any

import yaml

from bot.sandbox.strict import METHOD_SCOPES
from handlers.features import discover, manifest_commands, manifest_functions, manifest_shortcuts


def load_manifest(repo_root):
    return yaml.safe_load((repo_root / "manifest.yml").read_text())


class RegistrationRecorder:
    """Stands in for the Bolt app while listener modules register, noting what they listen to."""

    def __init__(self) -> None:
        self.commands: set[str] = set()
        self.events: set[str] = set()
        self.shortcuts: set[str] = set()
        self.functions: set[str] = set()

    def command(self, name: str):
        self.commands.add(name)
        return lambda func: func

    def event(self, name: str | dict[str, Any]):
        self.events.add(name if isinstance(name, str) else name["type"])
        return lambda func: func

    def action(self, *_args: Any, **_kwargs: Any):
        return lambda func: func

    view = options = action

    def use(self, *_args: Any) -> None:
        pass  # global middleware: not a listener

    def shortcut(self, callback_id: str):
        self.shortcuts.add(callback_id)
        return lambda func: func

    def function(self, callback_id: str):
        self.functions.add(callback_id)
        return lambda func: func


def registered() -> RegistrationRecorder:
    recorder = RegistrationRecorder()
    for feature in discover():
        feature.register(recorder)
    return recorder


def test_every_command_has_a_handler_and_every_handler_is_in_the_manifest(repo_root):
    declared = {c["command"] for c in load_manifest(repo_root)["features"]["slash_commands"]}
    assert declared == registered().commands


def test_the_manifests_commands_are_generated_from_the_declarations(repo_root):
    """manifest.yml is the file an admin pastes; its command list is exactly what the features declare
    (command, description, usage hint, in the declarations' order)."""
    assert load_manifest(repo_root)["features"]["slash_commands"] == manifest_commands(discover())


def test_the_manifests_shortcuts_are_generated_from_the_declarations_and_handled(repo_root):
    """Global (⚡) and message (⋯) shortcuts: the manifest lists exactly the declared ones, each handled."""
    shortcuts = load_manifest(repo_root)["features"]["shortcuts"]
    assert shortcuts == manifest_shortcuts(discover())
    assert {s["callback_id"] for s in shortcuts} == registered().shortcuts
    assert {s["type"] for s in shortcuts} == {"global", "message"}
    assert all(len(s["name"]) <= 24 for s in shortcuts)  # Slack's limit on a shortcut's name


def test_the_manifests_workflow_steps_are_generated_from_the_declarations_and_handled(repo_root):
    """Workflow Builder steps: the manifest's `functions` are the declared ones (inputs, outputs),
    each has a listener, and they run here (function_runtime: remote)."""
    manifest = load_manifest(repo_root)
    assert manifest["functions"] == manifest_functions(discover())
    assert (
        set(manifest["functions"])
        == registered().functions
        == {"log_deal", "give_kudos", "post_leaderboard", "add_follow_up"}
    )
    assert manifest["settings"]["function_runtime"] == "remote"
    for step in manifest["functions"].values():
        for parameters in (step["input_parameters"], step["output_parameters"]):
            assert set(parameters["required"]) <= set(parameters["properties"])


def test_every_subscribed_event_is_handled_and_every_handled_event_is_subscribed(repo_root):
    declared = set(load_manifest(repo_root)["settings"]["event_subscriptions"]["bot_events"])
    assert declared == registered().events


def test_commands_escape_users_and_channels(repo_root):
    for command in load_manifest(repo_root)["features"]["slash_commands"]:
        assert command["should_escape"] is True, command["command"]
        assert command["url"].endswith("/slack/events")


def test_manifest_shape(repo_root):
    manifest = load_manifest(repo_root)
    assert manifest["display_information"]["name"] == "dealbell"
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert {"commands", "chat:write", "users:read"} <= set(manifest["oauth_config"]["scopes"]["bot"])
    assert manifest["settings"]["socket_mode_enabled"] is False  # documented switch for Socket Mode


def test_type_ahead_menus_have_an_options_load_url(repo_root):
    """Slack asks `message_menu_options_url` for an external_select's options (block_suggestion)."""
    interactivity = load_manifest(repo_root)["settings"]["interactivity"]
    if any(feature.options for feature in discover()):
        assert interactivity["message_menu_options_url"].endswith("/slack/events")


async def test_the_running_app_answers_every_declared_command(app, repo_root):
    for command in load_manifest(repo_root)["features"]["slash_commands"]:
        reply = await app.send.command(command["command"], "help")
        assert reply.status == 200, command["command"]
        assert reply.text, command["command"]


def test_every_method_the_bot_calls_is_granted_its_scope(repo_root):
    """files_upload_v2 (CSV exports, charts) calls files.getUploadURLExternal and
    files.completeUploadExternal, which need files:write."""
    granted = set(load_manifest(repo_root)["oauth_config"]["scopes"]["bot"])
    assert "files:write" in granted
    for method, scopes in METHOD_SCOPES.items():
        assert not scopes or set(scopes) & granted, method
