"""⚡ "Request feedback": a form for `/feedback request @rep from @a @b`, run as that command.

The form only gathers the people; the submission runs the `/feedback` command's own listener (through
the same routing as `/dealbell feedback …`), so the rules and the DMs are the command's. The view id
stands in for the trigger id, so a double-clicked Send asks each person once."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import blocks as bk
from bot.kit.i18n import t
from bot.kit.views.modal import catalogue_modal
from handlers.features import discover, routed_command, run_routed
from handlers.middleware import scope
from handlers.replies import not_allowed, tell_user
from storage.authority import require_manager

CALLBACK_ID = "shortcut_feedback_request"
MAX_ASKEES = 10


def form(locale: str | None) -> dict[str, Any]:
    body = [
        bk.input_block("subject", t(locale, "shortcuts.feedback.subject"),
                       {"type": "users_select", "action_id": "value"}),
        bk.input_block("askees", t(locale, "shortcuts.feedback.askees"),
                       {"type": "multi_users_select", "action_id": "value", "max_selected_items": MAX_ASKEES}),
    ]  # fmt: skip
    return catalogue_modal(locale, CALLBACK_ID, body, keys="shortcuts.feedback")


async def open_form(
    ack: AsyncAck,
    body: dict[str, Any],
    shortcut: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    await ack()
    _, _, member = scope(context)
    await client.views_open(trigger_id=shortcut["trigger_id"], view=form(member.locale))


async def submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    _, workspace, member = scope(context)
    if refused := not_allowed(member.locale, require_manager, member):
        await ack(response_action="errors", errors={"subject": refused})
        return
    await ack()
    subject = bk.input_value(view["state"], "subject") or ""
    askees = " ".join(f"<@{user}>" for user in bk.input_value(view["state"], "askees") or [])

    async def tell(text: str = "", blocks: list[bk.Block] | None = None, **_: Any) -> None:
        await tell_user(client, member, None, text, blocks)  # no channel: the answer comes as a DM

    command = {"user_id": member.slack_user_id, "team_id": workspace.team_id, "channel_id": None,
               "trigger_id": f"view:{view['id']}"}  # fmt: skip
    route = routed_command(discover(), f"feedback request <@{subject}> from {askees}")
    assert route is not None  # /feedback is declared by handlers/feedback
    arguments = {"ack": tell, "body": body, "command": command, "context": context, "client": client,
                 "respond": tell}  # fmt: skip
    await run_routed(*route, arguments)
