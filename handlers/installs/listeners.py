"""Uninstalls and revoked tokens: delete the stored tokens at once; the data stays until
`dealbell workspace purge TEAM_ID`."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncBoltContext

from storage.workspaces import mark_uninstalled

log = logging.getLogger(__name__)


async def app_uninstalled(body: dict[str, Any], context: AsyncBoltContext) -> None:
    if context.get("installation_store") is None:  # one workspace, its token in the environment
        log.warning(
            "dealbell was uninstalled from %s; remove SLACK_BOT_TOKEN or reinstall", body.get("team_id")
        )
        return
    await _forget_workspace(body, context)
    log.info("uninstalled from %s: its tokens are deleted, its jobs stop", body.get("team_id"))


async def tokens_revoked(body: dict[str, Any], context: AsyncBoltContext) -> None:
    store = context.get("installation_store")
    if store is None:
        log.warning("Slack revoked dealbell's tokens in %s", body.get("team_id"))
        return
    tokens = (body.get("event") or {}).get("tokens") or {}
    if tokens.get("bot"):  # without its bot dealbell has nothing to act as: as good as uninstalled
        await _forget_workspace(body, context)
    for user_id in tokens.get("oauth") or []:
        await store.async_delete_installation(
            enterprise_id=body.get("enterprise_id"), team_id=body.get("team_id", ""), user_id=user_id
        )
    log.info("tokens revoked in %s", body.get("team_id"))


async def _forget_workspace(body: dict[str, Any], context: AsyncBoltContext) -> None:
    """Delete every token stored for the workspace (installation rows carry the bot token too), and
    mark it uninstalled so its scheduled jobs stop."""
    team_id, enterprise_id = body.get("team_id", ""), body.get("enterprise_id")
    await context["installation_store"].async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
    async with context["db"].session() as session:
        await mark_uninstalled(session, team_id, enterprise_id)
