"""Every "managers only" command refuses a rep in the same words, from storage.authority's one rule."""

from __future__ import annotations

import pytest

LI = "<@U0003|li>"
MANAGERS_ONLY = ":no_entry: Only managers and workspace admins can do that. Nothing was changed."
ADMINS_ONLY = ":no_entry: Only workspace admins and owners can do that. Nothing was changed."


# Every manager-only command, as a rep would type it (tests/handlers/test_audit_log.py runs them as an
# admin and expects one audit row each).
MANAGERS_ONLY_COMMANDS = [
    ("/goal", "set team deals 5"),
    ("/contest", 'new "Sprint" metric:deals from:2026-12-01 to:2026-12-02'),
    ("/team", f"role {LI} after-sales"),
    ("/lead", f"assign 42 {LI}"),
    ("/training", 'schedule "Deep dive" 2030-12-03 15:00'),
    ("/reward", f'{LI} "Team Player" for the help'),
    ("/feedback", f"request {LI}"),
    ("/standup", "setup"),
    ("/standup", "now"),
    ("/dealbell", "export deals"),
    ("/dealbell", "cadence vip 7"),
    ("/dealbell", "kudos allowance 3"),
    ("/dealbell", "settings"),
]
ADMINS_ONLY_COMMANDS = [("/dealbell", "channels wins <#C0WINS|wins>"), ("/team", f"role {LI} manager")]


@pytest.mark.parametrize(("command", "text"), MANAGERS_ONLY_COMMANDS)
async def test_a_rep_is_refused_in_the_one_managers_only_message(app, command, text):
    reply = await app.send.command(command, text, user="U0002")
    assert reply.text == MANAGERS_ONLY


async def test_admin_only_changes_are_refused_in_the_one_admins_only_message(app):
    app.fake.add_user("U0001", is_admin=True)
    await app.send.command("/team", "role <@U0002|ana> manager")  # a manager by role, not an admin
    for command, text in ADMINS_ONLY_COMMANDS:
        reply = await app.send.command(command, text, user="U0002")
        assert reply.text == ADMINS_ONLY, command
