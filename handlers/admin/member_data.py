"""`/dealbell my-data` (anyone: a ZIP of everything stored about them, in their DM) and
`/dealbell forget @person` (admins: a confirmation modal, then one transaction)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit.delivery import upload_to_dm
from bot.kit.format import mention, plural
from bot.kit.i18n import t
from bot.kit.mentions import user_ids
from bot.kit.views import privacy as views
from handlers.middleware import scope
from handlers.replies import error_text, not_allowed
from storage import member_data
from storage.authority import NotAllowed, require_admin
from storage.models import utcnow


async def my_data_command(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient, args: list[str]
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    await ack(text=t(locale, "privacy.my_data.started"))
    async with db.session() as session:
        data = await member_data.my_data_zip(session, workspace.id, member)
    await upload_to_dm(
        client,
        member.slack_user_id,
        data.content,
        filename=f"dealbell-my-data-{utcnow():%Y-%m-%d}.zip",
        title=t(locale, "privacy.my_data.title"),
        comment=plural(locale, "privacy.my_data.comment", sum(data.rows.values())),
    )


async def forget_command(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient, args: list[str]
) -> None:
    """`/dealbell forget @person`: admins get the confirmation modal, showing how many rows refer to them."""
    db, workspace, member = scope(context)
    locale = member.locale
    if refused := not_allowed(locale, require_admin, member):
        await ack(text=refused)
        return
    found = user_ids(" ".join(args))
    if len(found) != 1:
        await ack(text=t(locale, "privacy.forget.usage"))
        return
    try:
        async with db.session() as session:
            preview = await member_data.forget_preview(session, workspace.id, found[0])
    except member_data.UnknownMember:
        await ack(text=":warning: " + t(locale, "privacy.forget.unknown", user=mention(found[0])))
        return
    await ack()
    await client.views_open(trigger_id=body["trigger_id"], view=views.forget_modal(found[0], preview, locale))


async def submit_forget(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """The confirmed forget, authorised again (the modal could be submitted by someone no longer
    admin). The modal closes first: forgetting rewrites rows in many tables, in one transaction,
    which may take longer than Slack waits. A second submit finds nobody left and says so."""
    db, workspace, member = scope(context)
    locale = member.locale
    user = view.get("private_metadata", "")
    await ack()
    try:
        async with db.session() as session:
            forgotten = await member_data.forget_member(
                session, workspace.id, user, context["settings"].secret_key, by=member
            )
        text = plural(locale, "privacy.forget.done", forgotten.rows, user=mention(user))
    except NotAllowed as error:
        text = error_text(locale, error)
    except member_data.UnknownMember:
        text = ":warning: " + t(locale, "privacy.forget.unknown", user=mention(user))
    await client.chat_postMessage(channel=member.slack_user_id, text=text)
