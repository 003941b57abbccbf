"""Uninstalls and revoked tokens: delete the stored tokens at once; the data stays until
`dealbell workspace purge TEAM_ID`."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncBoltContext

from storage.workspaces import mark_uninstalled

log = logging.getLogger(__name__)


async def app_uninstalled(body: dict[str, Any], context: AsyncBoltContext) -> None:
    team_id, enterprise_id = body.get("team_id", ""), body.get("enterprise_id")
    store = context.get("installation_store")
    if store is None:  # one workspace, its token in the environment: nothing stored to delete
        log.warning("dealbell was uninstalled from %s; remove SLACK_BOT_TOKEN or reinstall", team_id)
        return
    await store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
    async with context["db"].session() as session:
        await mark_uninstalled(session, team_id, enterprise_id)
    log.info("uninstalled from %s: its tokens are deleted, its jobs stop", team_id)


async def tokens_revoked(body: dict[str, Any], context: AsyncBoltContext) -> None:
    team_id, enterprise_id = body.get("team_id", ""), body.get("enterprise_id")
    store = context.get("installation_store")
    tokens = (body.get("event") or {}).get("tokens") or {}
    if store is None:
        log.warning("Slack revoked dealbell's tokens in %s", team_id)
        return
    if tokens.get("bot"):
        # The installation rows carry the bot token too: without a bot dealbell has nothing to act as.
        await store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
        async with context["db"].session() as session:
            await mark_uninstalled(session, team_id, enterprise_id)
    for user_id in tokens.get("oauth") or []:
        await store.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
    log.info("tokens revoked in %s", team_id)
