"""`/dealbell privacy` (and the Home's button): each member's own privacy choices;
`/dealbell retention [MONTHS|off]`; and `user_change`, which marks departed members.

The choices are stored and applied in storage/privacy.py; here they are only asked and shown.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import blocks as bk
from bot.kit.format import plural
from bot.kit.i18n import t
from bot.kit.views import privacy as views
from handlers.middleware import scope
from handlers.replies import not_allowed
from storage import member_data, privacy
from storage.authority import require_admin


async def open_privacy(
    ack: AsyncAck, trigger_id: str, context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    _db, _workspace, member = scope(context)
    await ack()
    await client.views_open(
        trigger_id=trigger_id, view=views.privacy_modal(privacy.choices_of(member), member.locale)
    )


async def privacy_command(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient, args: list[str]
) -> None:
    """`/dealbell privacy`: the modal with the member's current choices."""
    await open_privacy(ack, body["trigger_id"], context, client)


async def privacy_button(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """The Home's "Privacy settings" button."""
    await open_privacy(ack, body["trigger_id"], context, client)


async def submit_privacy(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """Save the submitted choices (a double submit saves the same twice) and tell the member by DM."""
    db, workspace, member = scope(context)
    choices = views.chosen(view["state"])
    async with db.session() as session:
        await privacy.set_choices(session, workspace.id, member.id, choices)
    await ack()
    text = t(member.locale, "privacy.saved", summary=views.summary(choices, member.locale))
    await client.chat_postMessage(channel=member.slack_user_id, text=text)


def retention_text(months: int | None, locale: str | None) -> str:
    if not months:
        return t(locale, "privacy.retention.shown.off")
    return plural(locale, "privacy.retention.shown", months)


async def retention_command(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient, args: list[str]
) -> None:
    """`/dealbell retention`: the setting; `/dealbell retention 12|off` (admins) changes it."""
    db, workspace, member = scope(context)
    locale = member.locale
    if not args:
        await ack(text=retention_text(workspace.retention_months, locale))
        return
    if refused := not_allowed(locale, require_admin, member):
        await ack(text=refused)
        return
    try:
        months = member_data.parse_retention(args[0])
    except member_data.RetentionError:
        word = bk.escape(args[0][:40])
        await ack(
            text=":warning: "
            + t(locale, "privacy.retention.bad", word=word, most=member_data.MAX_RETENTION_MONTHS)
        )
        return
    async with db.session() as session:
        await member_data.set_retention(session, workspace, months, by=member)
    await ack(text=":white_check_mark: " + retention_text(months, locale))


async def user_changed(
    ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
) -> None:
    """`user_change`: keep the member's profile; `deleted: true` marks them departed."""
    user = event.get("user")
    if not isinstance(user, dict) or not user.get("id") or context.get("workspace") is None:
        return
    db, workspace = context["db"], context["workspace"]
    async with db.session() as session:
        await member_data.mark_departed(session, workspace.id, str(user["id"]), user)
