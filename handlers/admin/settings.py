"""`/dealbell settings` (one modal for the workspace's settings), `/dealbell language` and `/dealbell currency`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import blocks as bk
from bot.kit.i18n import language, t
from handlers.admin import listeners as admin
from handlers.middleware import fetch_profile, scope
from handlers.replies import error_text, not_allowed, refusal
from storage import home, team
from storage.authority import NotAllowed, require_admin, require_manager
from storage.errors import UserError
from storage.models import Member, Workspace
from storage.money import is_currency_code
from storage.workspaces import CHANNEL_KINDS, MAX_VALUES, save_member, set_channel, update_workspace

CALLBACK_ID = "settings_modal"
LOCALES = ("en_US", "zh_Hans_CN")
COMMON_ZONES = (
    "UTC", "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Moscow",
    "Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai",
    "Asia/Hong_Kong", "Asia/Taipei", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
    "America/Sao_Paulo", "America/New_York", "America/Chicago", "America/Denver",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu",
)  # fmt: skip
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,31}$")
CHARTS_ON = "on"


# --- the modal -----------------------------------------------------------------------------------


def channel_input(kind: str, current: str | None, locale: str | None) -> bk.Block:
    element: bk.Block = {"type": "conversations_select", "action_id": "value",
                         "filter": {"include": ["public", "private"], "exclude_bot_users": True}}  # fmt: skip
    if current:
        element["initial_conversation"] = current
    return bk.input_block(
        f"channel_{kind}", t(locale, f"settings.modal.channel.{kind}"), element, optional=True
    )


def checkboxes(block_id: str, label: str, options: list[bk.Block], chosen: list[str]) -> bk.Block:
    element: bk.Block = {"type": "checkboxes", "action_id": "value", "options": options}
    initial = [o for o in options if o["value"] in chosen]
    if initial:
        element["initial_options"] = initial
    return bk.input_block(block_id, label, element, optional=True)


def settings_modal(workspace: Workspace, locale: str | None) -> bk.Block:
    zones = list(COMMON_ZONES)
    if workspace.timezone not in zones:
        zones.insert(0, workspace.timezone)
    days = [bk.option(t(locale, f"settings.day.{d}"), str(d)) for d in range(7)]
    blocks = [
        bk.section(t(locale, "settings.modal.channels")),
        *(channel_input(kind, workspace.channel(kind), locale) for kind in CHANNEL_KINDS),
        bk.divider(),
        bk.select_input(
            "timezone",
            t(locale, "settings.modal.timezone"),
            [bk.option(z, z) for z in zones],
            initial=workspace.timezone,
        ),
        bk.text_input(
            "currency", t(locale, "settings.modal.currency"), initial=workspace.currency, max_length=3
        ),
        bk.select_input(
            "locale",
            t(locale, "settings.modal.locale"),
            [bk.option(t(locale, f"settings.modal.locale.{code}"), code) for code in LOCALES],
            initial=workspace.locale,
        ),
        checkboxes(
            "workdays",
            t(locale, "settings.modal.workdays"),
            days,
            [str(d) for d in workspace.working_weekdays],
        ),
        bk.divider(),
        bk.text_input(
            "kudos_allowance",
            t(locale, "settings.modal.kudos_allowance"),
            initial=str(workspace.kudos_allowance),
            max_length=3,
        ),
        bk.text_input(
            "kudos_emoji",
            t(locale, "settings.modal.kudos_emoji"),
            initial=f":{workspace.kudos_emoji}:",
            max_length=66,
        ),
        bk.text_input(
            "kudos_values",
            t(locale, "settings.modal.kudos_values"),
            initial=", ".join(workspace.values),
            max_length=1500,
        ),
        checkboxes(
            "charts",
            t(locale, "settings.modal.charts"),
            [bk.option(t(locale, "settings.modal.charts_on"), CHARTS_ON)],
            [CHARTS_ON] if workspace.charts_enabled else [],
        ),
    ]
    return bk.modal(
        CALLBACK_ID,
        t(locale, "settings.modal.title"),
        blocks,
        submit=t(locale, "settings.modal.save"),
        close=t(locale, "modal.close"),
    )


async def open_settings(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    _db, workspace, member = scope(context)
    if refused := not_allowed(member.locale, require_manager, member):
        await ack(text=refused)
        return
    await ack()
    await client.views_open(trigger_id=body["trigger_id"], view=settings_modal(workspace, member.locale))


# --- the submission ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What a valid submission writes: workspace columns and channels by kind."""

    values: dict[str, object]
    channels: dict[str, str]


def selected_conversation(state: dict[str, Any], block_id: str) -> str | None:
    element = state.get("values", {}).get(block_id, {}).get("value") or {}
    return element.get("selected_conversation")


def is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def read_settings(
    workspace: Workspace, state: dict[str, Any]
) -> Change | dict[str, tuple[str, dict[str, object]]]:
    """The change a submission asks for, or {block id: (catalogue key, params)} for each bad field."""
    errors: dict[str, tuple[str, dict[str, object]]] = {}
    values: dict[str, object] = {}
    channels: dict[str, str] = {}
    for kind in CHANNEL_KINDS:
        chosen = selected_conversation(state, f"channel_{kind}")
        if chosen and not CHANNEL_ID.match(chosen):
            errors[f"channel_{kind}"] = ("settings.error.channel", {})
        elif chosen and chosen != workspace.channel(kind):
            channels[kind] = chosen
    zone = bk.input_value(state, "timezone") or ""
    if is_zone(zone):
        values["timezone"] = zone
    else:
        errors["timezone"] = ("settings.error.timezone", {})
    currency = (bk.input_value(state, "currency") or "").strip().upper()
    if is_currency_code(currency):
        values["currency"] = currency
    else:
        errors["currency"] = ("settings.error.currency", {})
    locale = bk.input_value(state, "locale")
    if locale in LOCALES:
        values["locale"] = locale
    else:
        errors["locale"] = ("settings.error.locale", {})
    days = sorted({int(d) for d in bk.input_value(state, "workdays") or [] if d in "0123456" and len(d) == 1})
    if days:
        values["workdays"] = days
    else:
        errors["workdays"] = ("settings.error.workdays", {})
    for block_id, words in (
        ("kudos_allowance", ["allowance", (bk.input_value(state, "kudos_allowance") or "").strip()]),
        ("kudos_emoji", ["emoji", (bk.input_value(state, "kudos_emoji") or "").strip()]),
    ):
        change = admin.kudos_change(workspace, "kudos", words)
        if isinstance(change, str):
            errors[block_id] = (change, {})
        else:
            values.update(change)
    names = [w.strip().lstrip("#").lower() for w in (bk.input_value(state, "kudos_values") or "").split(",")]
    names = list(dict.fromkeys(n for n in names if n))
    if names and len(names) <= MAX_VALUES and all(admin.VALUE_NAME.match(n) for n in names):
        values["kudos_values"] = names
    else:
        errors["kudos_values"] = ("settings.error.values", {"limit": MAX_VALUES})
    values["charts_enabled"] = CHARTS_ON in (bk.input_value(state, "charts") or [])
    return errors or Change(values, channels)


def channels_refused(member: Member, change: Change) -> dict[str, NotAllowed]:
    """The bot's channels are for admins here too, as with `/dealbell channels`: each channel the
    form would change, by its block, with the refusal (the other fields are a manager's)."""
    refused: dict[str, NotAllowed] = {}
    for kind in change.channels:
        try:
            require_admin(member)
        except NotAllowed as error:
            refused[f"channel_{kind}"] = error
    return refused


async def submit_settings(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    try:
        require_manager(member)
    except NotAllowed as error:
        await ack(response_action="errors", errors={"timezone": error_text(locale, error)})
        return
    change = read_settings(workspace, view["state"])
    if not isinstance(change, Change):
        await ack(response_action="errors",
                  errors={block: t(locale, key, **params) for block, (key, params) in change.items()})  # fmt: skip
        return
    if refused := channels_refused(member, change):
        await ack(
            response_action="errors", errors={block: error_text(locale, e) for block, e in refused.items()}
        )
        return
    async with db.session() as session:  # one transaction: all of it or nothing
        fresh = await update_workspace(session, workspace, **change.values)
        for kind, channel in change.channels.items():
            await set_channel(session, fresh, kind, channel, by=member.slack_user_id)
    await ack()


# --- /dealbell language --------------------------------------------------------------------------


def language_name(member_language: str | None, locale: str | None, shown_in: str | None) -> str:
    name = t(shown_in, f"settings.language.name.{language(locale)}")
    return name if member_language else t(shown_in, "settings.language.name.auto", language=name)


async def set_language(context: AsyncBoltContext, args: list[str]) -> str:
    """`/dealbell language zh-CN|en|auto`: the member's own override of their Slack locale."""
    db, workspace, member = scope(context)
    if not args:
        current = language_name(member.language, member.locale, member.locale)
        return t(member.locale, "settings.language.shown", language=current)
    word = args[0].strip().lower().replace("_", "-")
    if word == "auto":
        profile = await fetch_profile(context.client, member.slack_user_id)
        async with db.session() as session:  # clear the override, then take Slack's locale again
            fresh = await home.set_language(session, workspace.id, member.id, None, None)
            if profile is not None:
                fresh = await save_member(session, workspace.id, member.slack_user_id, profile)
        return t(fresh.locale, "settings.language.auto")
    if word not in home.LANGUAGE_CHOICES:
        return ":warning: " + t(member.locale, "settings.language.bad", word=bk.escape(args[0]))
    chosen, locale = home.LANGUAGE_CHOICES[word]
    async with db.session() as session:
        fresh = await home.set_language(session, workspace.id, member.id, chosen, locale)
    return t(fresh.locale, "settings.language.set")


# --- /dealbell currency --------------------------------------------------------------------------


async def set_currency(context: AsyncBoltContext, args: list[str]) -> str:
    """`/dealbell currency CNY|auto`: the member's own currency for amounts typed without one."""
    db, workspace, member = scope(context)
    locale = member.locale
    if not args:
        key = "settings.currency.own" if member.currency else "settings.currency.workspace"
        return t(locale, key, currency=member.currency or workspace.currency)
    word = args[0].strip()
    try:
        async with db.session() as session:
            fresh = await team.set_own_currency(
                session, workspace.id, member.id, None if word.lower() == "auto" else word
            )
    except UserError as error:
        return refusal(locale, error)
    if fresh.currency is None:
        return t(locale, "settings.currency.cleared", currency=workspace.currency)
    return t(locale, "settings.currency.set", currency=fresh.currency)
