""" "Add follow-up" (a message's ⋯ menu): a form for a /log entry with the customer the message names.

The form writes what `/log` writes (storage.activities.record_activity), once per view."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import blocks as bk
from bot.kit.i18n import t
from bot.kit.views.modal import catalogue_modal
from handlers.customers.render import command_name, log_reply
from handlers.middleware import scope
from handlers.replies import error_text, tell_user
from handlers.shortcuts.syntax import customer_candidates, permalink
from storage import activities, customers
from storage.errors import UserError
from storage.models import ACTIVITY_KINDS, utcnow
from storage.periods import member_zone

CALLBACK_ID = "shortcut_follow_up"
MAX_CUSTOMER = 200


def form(locale: str | None, customer: str, note: str, channel: str | None) -> dict[str, Any]:
    kinds = [bk.option(t(locale, f"customers.kind.{kind}"), kind) for kind in ACTIVITY_KINDS]
    body = [
        bk.text_input("customer", t(locale, "shortcuts.follow_up.customer"), initial=customer, max_length=MAX_CUSTOMER),
        bk.select_input("kind", t(locale, "shortcuts.follow_up.kind"), kinds, initial="note"),
        bk.text_input("note", t(locale, "shortcuts.follow_up.note"), initial=note, multiline=True,
                      optional=True, max_length=activities.MAX_NOTE),
        bk.date_input("next", t(locale, "shortcuts.follow_up.next")),
    ]  # fmt: skip
    return catalogue_modal(
        locale, CALLBACK_ID, body, keys="shortcuts.follow_up", metadata=json.dumps({"channel": channel})
    )


async def open_form(
    ack: AsyncAck,
    body: dict[str, Any],
    shortcut: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """The form, with the first known customer the message names and the message's link as the note."""
    await ack()
    db, workspace, member = scope(context)
    async with db.session() as session:
        found = await customers.find_first_customer(
            session, workspace.id, customer_candidates(shortcut["message"].get("text", ""))
        )
    name = found[1].name if found else ""
    channel = (shortcut.get("channel") or {}).get("id")
    view = form(member.locale, name, permalink(shortcut), channel)
    await client.views_open(trigger_id=shortcut["trigger_id"], view=view)


async def submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    state = view["state"]
    name = " ".join((bk.input_value(state, "customer") or "").split())
    next_date = bk.input_value(state, "next")
    try:
        async with db.session() as session:
            customer = await customers.find_customer(session, workspace.id, name)
            if customer is None:
                raise customers.CustomerError(
                    "customers.error.unknown_customer", name=name, command=command_name(name)
                )
            result = await activities.record_activity(
                session, workspace, member, customer.id, kind=bk.input_value(state, "kind") or "note",
                note=bk.input_value(state, "note") or "", source_key=f"view:{view['id']}", now=utcnow(),
                next_follow_up=dt.date.fromisoformat(next_date) if next_date else None,
            )  # fmt: skip
    except UserError as error:
        block = "next" if error.key.startswith("dates.") else "note" if "note" in error.key else "customer"
        await ack(response_action="errors", errors={block: error_text(locale, error)})
        return
    await ack()
    if result.created:
        channel = json.loads(view.get("private_metadata") or "{}").get("channel")
        await tell_user(
            client, member, channel, log_reply(result, locale, member_zone(member, workspace)), None
        )
