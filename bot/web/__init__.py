"""The web dashboard (/app, behind Sign in with Slack) and the office screen (/tv/<token>), served by
the bot's own aiohttp application (issue 22). README "Dashboard" describes it.

Layer: imports the shared library (bot.kit), the settings and storage, never handlers, jobs or the
composition root (bot.server mounts it).
"""

from __future__ import annotations

from bot.web.routes import DashboardConfig, dashboard_config, mount, security_headers

__all__ = ["DashboardConfig", "dashboard_config", "mount", "security_headers"]
