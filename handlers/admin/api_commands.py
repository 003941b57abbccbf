"""`/dealbell api tokens …` and `/dealbell webhooks …` (workspace admins): the API's keys and the
webhook endpoints. Secrets are shown once, in the ephemeral answer to the admin who made them."""

from __future__ import annotations

from slack_bolt.async_app import AsyncBoltContext

from bot.kit import blocks as bk
from bot.kit.i18n import t
from handlers.replies import refusal
from storage import api_tokens, webhooks
from storage.errors import UserError
from storage.models import Member, Workspace

PUBLIC_URL = "https://YOUR-DEALBELL-HOST"  # the admin knows where dealbell listens; the bot does not


def slack_url(word: str) -> str:
    """A URL as Slack sends it in command text (`<https://x|x>` when escaped) back to `https://x`."""
    return word.strip("<>").split("|", 1)[0]


async def api_command(context: AsyncBoltContext, args: list[str]) -> str:
    member: Member = context["member"]
    workspace: Workspace = context["workspace"]
    locale = member.locale
    if args[:1] != ["tokens"]:
        return t(locale, "api.usage")
    action, rest = (args[1].lower(), args[2:]) if len(args) > 1 else ("list", [])
    try:
        async with context["db"].session() as session:
            if action == "create" and rest:
                scope = next((w.split(":", 1)[1] for w in rest[1:] if w.startswith("scope:")), "read")
                issued = await api_tokens.create_token(session, workspace.id, rest[0], scope, by=member)
                return t(locale, "api.tokens.created", name=issued.token.name, scope=issued.token.scope,
                         token=issued.secret, url=PUBLIC_URL)  # fmt: skip
            if action == "revoke" and rest:
                token = await api_tokens.revoke_token(session, workspace.id, rest[0], by=member)
                return t(locale, "api.tokens.revoked", name=token.name)
            if action != "list":
                return t(locale, "api.usage")
            tokens = await api_tokens.list_tokens(session, workspace.id)
    except UserError as error:
        return refusal(locale, error)
    if not tokens:
        return t(locale, "api.tokens.none")
    never = t(locale, "api.tokens.never")
    lines = [
        t(
            locale,
            "api.tokens.line",
            name=token.name,
            scope=token.scope,
            prefix=token.prefix,
            by=f"<@{token.created_by}>" if token.created_by != "cli" else "CLI",
            created=token.created_at.date(),
            used=token.last_used_at.strftime("%Y-%m-%d %H:%M") if token.last_used_at else never,
        )
        for token in tokens
    ]
    return "\n".join([t(locale, "api.tokens.title"), *lines])


def endpoint_id(word: str) -> int:
    digits = word.lstrip("#")
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 10 else 0


async def webhooks_command(context: AsyncBoltContext, args: list[str]) -> str:
    member: Member = context["member"]
    workspace: Workspace = context["workspace"]
    locale = member.locale
    action, rest = (args[0].lower(), args[1:]) if args else ("list", [])
    try:
        async with context["db"].session() as session:
            if action == "add" and rest:
                events = next(
                    (w.split(":", 1)[1].split(",") for w in rest[1:] if w.startswith("events:")), []
                )
                endpoint = await webhooks.add_endpoint(
                    session, workspace.id, slack_url(rest[0]), events, by=member
                )
                return t(locale, "webhooks.added", id=endpoint.id, events=", ".join(endpoint.events),
                         secret=endpoint.secret)  # fmt: skip
            if action == "remove" and rest:
                await webhooks.remove_endpoint(session, workspace.id, endpoint_id(rest[0]), by=member)
                return t(locale, "webhooks.removed", id=endpoint_id(rest[0]))
            if action == "test" and rest:
                await webhooks.send_test(session, workspace.id, endpoint_id(rest[0]), by=member)
                return t(locale, "webhooks.tested", id=endpoint_id(rest[0]))
            if action != "list":
                return t(locale, "webhooks.usage", events=", ".join(webhooks.EVENT_TYPES))
            endpoints = await webhooks.list_endpoints(session, workspace.id)
    except UserError as error:
        return refusal(locale, error)
    if not endpoints:
        return (
            t(locale, "webhooks.none")
            + "\n"
            + t(locale, "webhooks.usage", events=", ".join(webhooks.EVENT_TYPES))
        )
    lines = [
        t(
            locale,
            "webhooks.line",
            id=e.id,
            url=bk.escape(e.url),
            events=", ".join(e.events),
            state=t(locale, "webhooks.line.disabled", failures=e.consecutive_failures)
            if e.disabled_at
            else "",
        )
        for e in endpoints
    ]
    return "\n".join([t(locale, "webhooks.title"), *lines])
