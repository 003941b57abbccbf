"""`/dealbell audit [days] [csv]` (admins): what managers and admins did, from storage/audit.py's log.

The list is one ephemeral message (the newest entries, within Block Kit's 50 blocks); `csv` sends the
whole period as a CSV file to the admin's DM, and that export is itself logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.kit import blocks as bk
from bot.kit.delivery import upload_to_dm
from bot.kit.format import mention, plural
from bot.kit.i18n import t
from handlers.middleware import scope
from handlers.replies import not_allowed, refusal
from storage import audit
from storage.authority import require_admin
from storage.models import AuditEntry, utcnow

SHOWN = 40  # entries listed: with the header and the footer, well within 50 blocks
CHANGES_SHOWN = 3  # changed values previewed per entry
VALUE_SHOWN = 40  # characters of one previewed value


async def audit_command(
    ack: AsyncAck, context: AsyncBoltContext, client: AsyncWebClient, words: list[str]
) -> None:
    db, workspace, member = scope(context)
    locale = member.locale
    if refused := not_allowed(locale, require_admin, member):
        await ack(text=refused)
        return
    try:
        days, as_csv = audit.parse_request(words)
    except audit.AuditError as error:
        await ack(text=f"{refusal(locale, error)}\n\n{t(locale, 'audit.usage', most=audit.MAX_DAYS)}")
        return
    since = utcnow() - dt.timedelta(days=days)
    if as_csv:
        await ack(text=plural(locale, "audit.csv.started", days))
        async with db.session() as session:
            content, count = await audit.audit_csv(session, workspace.id, since)
            audit.record(session, "exports.audit", {"days": days, "rows": count})
        title = plural(locale, "audit.csv.title", days)
        comment = plural(locale, "audit.csv.comment", count)
        await upload_to_dm(
            client,
            member.slack_user_id,
            content,
            filename=f"dealbell-audit-{days}d.csv",
            title=title,
            comment=comment,
        )
        return
    async with db.session() as session:
        entries, total = await audit.entries(session, workspace.id, since, SHOWN)
    text = plural(locale, "audit.title", days)
    await ack(text=text, blocks=audit_blocks(entries, total, text, days, locale))


def audit_blocks(
    entries: list[AuditEntry], total: int, title: str, days: int, locale: str | None
) -> list[bk.Block]:
    if not entries:
        return [bk.header(title), bk.section(plural(locale, "audit.none", days))]
    blocks = [bk.header(title), *(bk.section(entry_line(entry, locale)) for entry in entries)]
    if total > len(entries):
        blocks.append(bk.context(t(locale, "audit.more", count=total - len(entries), days=days)))
    return blocks


def entry_line(entry: AuditEntry, locale: str | None) -> str:
    """When (in the reader's zone), who, what, and a preview of what changed."""
    moment = entry.at
    when = f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"
    who = mention(entry.actor_user_id)
    tables = ", ".join(audit.changed_tables(entry))
    line = t(
        locale, "audit.line", when=when, who=who, action=bk.escape(entry.action), tables=bk.escape(tables)
    )
    preview = list(changes(entry))
    if preview:
        line += "\n" + "; ".join(preview[:CHANGES_SHOWN]) + ("; …" if len(preview) > CHANGES_SHOWN else "")
    return line


def changes(entry: AuditEntry) -> list[str]:
    """`column: old → new` for the values an action changed (the rows it updated)."""
    found = []
    for key, after in entry.after.items():
        before = entry.before.get(key)
        if not isinstance(after, dict) or not isinstance(before, dict):
            continue
        for column, new in after.items():
            if column in before and before[column] != new:
                found.append(f"`{bk.escape(column)}` {shown(before[column])} → {shown(new)}")
    return found


def shown(value: Any) -> str:
    return bk.escape(bk.truncate(str(value), VALUE_SHOWN)) if value is not None else "∅"
