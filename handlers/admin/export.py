"""`/dealbell export deals|kudos|activities [month|quarter|year|all]`: a CSV file in the requester's DM."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit.delivery import upload_to_dm
from bot.kit.format import plural
from bot.kit.i18n import t
from handlers.middleware import scope
from handlers.replies import not_allowed, refusal
from storage import audit
from storage.authority import require_manager
from storage.errors import UserError
from storage.exports import EXPORT_COLUMNS, EXPORT_KINDS, EXPORT_PERIODS, export_csv, export_window
from storage.models import utcnow
from storage.periods import member_zone

log = logging.getLogger(__name__)


class ExportError(UserError):
    """A refused export request."""


def parse_export_args(args: list[str]) -> tuple[str, str] | None:
    """(kind, period) from the words after `export`; None asks for the usage. Pure."""
    if not args or args[0] in ("help", "?"):
        return None
    kind, period = args[0].lower(), (args[1].lower() if len(args) > 1 else "month")
    if kind not in EXPORT_KINDS:
        raise ExportError("exports.error.bad_kind", word=args[0], kinds=", ".join(EXPORT_KINDS))
    if period not in EXPORT_PERIODS or len(args) > 2:
        word = args[1] if period not in EXPORT_PERIODS else args[2]
        raise ExportError("exports.error.bad_period", word=word, periods=", ".join(EXPORT_PERIODS))
    return kind, period


async def export_command(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient, args: list[str]
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    if refused := not_allowed(locale, require_manager, member):
        await ack(text=refused)
        return
    try:
        parsed = parse_export_args(args)
    except ExportError as error:
        await ack(text=f"{refusal(locale, error)}\n\n{t(locale, 'exports.usage')}")
        return
    if parsed is None:
        await ack(text=t(locale, "exports.usage"))
        return
    kind, period_kind = parsed
    zone = member_zone(member, workspace)
    key, start, end = export_window(period_kind, utcnow(), zone)
    label = t(locale, "exports.period.all") if key == "all" else key
    kind_label = t(locale, f"exports.kind.{kind}")
    columns = ", ".join(EXPORT_COLUMNS[kind])
    await ack(text=t(locale, "exports.started", kind=kind_label, period=label, columns=columns))

    async with db.session() as session:
        content, count = await export_csv(session, kind, workspace.id, start, end)
        audit.record(session, f"exports.{kind}", {"period": key, "rows": count})
    await upload_to_dm(
        client,
        member.slack_user_id,
        content,
        filename=f"dealbell-{kind}-{key}.csv",
        title=t(locale, "exports.file.title", kind=kind_label, period=label),
        comment=plural(locale, "exports.file.comment", count, kind=kind_label, period=label),
    )
