"""Installs into many workspaces (OAuth): Bolt's install flow, tokens kept in dealbell's own database.

Installations and install states use slack_sdk's SQLAlchemy stores on dealbell's engine (their tables
come from migration 0016); the tokens in them are encrypted with DEALBELL_SECRET_KEY (storage/secrets.py),
which OAuth mode therefore requires. Bolt authorizes each request from the store and rotates expiring tokens;
scheduled jobs get a client per workspace that does the same before each call.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackClientError
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import OAUTH_REQUIRED, Settings
from bot.slack import make_client
from storage.db import Database
from storage.models import Workspace
from storage.secrets import TokenCipher, seal_columns
from storage.workspaces import WorkspaceDefaults, mark_installed

log = logging.getLogger(__name__)

# The bot scopes of manifest.yml (tests/test_manifest.py keeps the two equal).
BOT_SCOPES = (
    "commands", "chat:write", "chat:write.public", "users:read", "im:write", "reactions:read",
    "channels:history", "groups:history", "channels:read", "groups:read", "files:write", "im:read",
    "mpim:read", "users:read.email",
)  # fmt: skip
ROTATE_MINUTES_BEFORE_EXPIRY = 120  # as Bolt does for requests


def token_cipher(settings: Settings) -> TokenCipher:
    """The cipher of the stored Slack tokens, from DEALBELL_SECRET_KEY (`new,old` while rotating)."""
    settings.require("DEALBELL_SECRET_KEY")
    return TokenCipher.from_setting(settings.dealbell_secret_key or "")


class NotInstalled(SlackClientError):
    """No bot token is stored for a workspace: it was never installed, or it was uninstalled."""


class SealedInstallationStore(AsyncSQLAlchemyInstallationStore):
    """slack_sdk's database installation store, with every token encrypted at rest: its token columns
    encrypt what is written and decrypt what is read (rows written before encryption read as they are)."""

    def __init__(self, cipher: TokenCipher, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        seal_columns(self.installations, cipher)
        seal_columns(self.bots, cipher)


class SignedStateStore(AsyncSQLAlchemyOAuthStateStore):
    """slack_sdk's database state store, with each state signed by SLACK_STATE_SECRET, so a forged or
    foreign state is refused before it reaches the database."""

    def __init__(self, secret: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._secret = secret.encode()

    def _signature(self, state: str) -> str:
        return hmac.new(self._secret, state.encode(), hashlib.sha256).hexdigest()[:32]

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = await super().async_issue(*args, **kwargs)
        return f"{state}.{self._signature(state)}"

    async def async_consume(self, state: str) -> bool:
        raw, _, signature = state.rpartition(".")
        if not raw or not hmac.compare_digest(signature, self._signature(raw)):
            return False
        return await super().async_consume(raw)


class Installations:
    """Where each workspace's bot token lives, and how it gets there (the install flow)."""

    def __init__(self, settings: Settings, db: Database) -> None:
        settings.require(*OAUTH_REQUIRED)
        self.settings = settings
        self.db = db
        self.store = SealedInstallationStore(
            token_cipher(settings), client_id=settings.slack_client_id or "", engine=db.engine
        )
        self.state_store = SignedStateStore(
            settings.slack_state_secret or "", expiration_seconds=600, engine=db.engine
        )
        self.rotator = AsyncTokenRotator(
            client_id=settings.slack_client_id or "",
            client_secret=settings.slack_client_secret or "",
            client=make_client(settings, token=None),
        )

    def authorize(self) -> AsyncInstallationStoreAuthorize:
        """Bolt's per-request authorization from the store, rotating with dealbell's client (so the
        refresh goes to SLACK_API_URL like every other call; Bolt's default client would not)."""
        return AsyncInstallationStoreAuthorize(
            logger=logging.getLogger("slack_bolt"),
            installation_store=self.store,
            client_id=self.settings.slack_client_id,
            client_secret=self.settings.slack_client_secret,
            token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE_EXPIRY,
            bot_only=True,  # dealbell acts as its bot only, never as a person
            client=self.rotator.client,
        )

    def oauth_settings(self) -> AsyncOAuthSettings:
        return AsyncOAuthSettings(
            client_id=self.settings.slack_client_id,
            client_secret=self.settings.slack_client_secret,
            scopes=list(BOT_SCOPES),
            redirect_uri=self.settings.slack_redirect_uri,
            installation_store=self.store,
            installation_store_bot_only=True,  # dealbell acts as its bot only, never as a person
            token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE_EXPIRY,
            state_store=self.state_store,
            callback_options=AsyncCallbackOptions(success=self._installed, failure=self._failed),
        )

    async def _installed(self, args: AsyncSuccessArgs) -> BoltResponse:
        """After Slack's consent screen: know the workspace at once, so its scheduled jobs start."""
        installation = args.installation
        defaults = WorkspaceDefaults(
            timezone=self.settings.dealbell_timezone, currency=self.settings.dealbell_currency
        )
        async with self.db.session() as session:
            await mark_installed(
                session, installation.team_id or "", installation.enterprise_id, defaults,
                name=installation.team_name or "",
            )  # fmt: skip
        log.info("installed into workspace %s", installation.team_id)
        return await args.default.success(args)

    async def _failed(self, args: AsyncFailureArgs) -> BoltResponse:
        log.warning("an install failed: %s", args.reason)
        return await args.default.failure(args)

    async def bot_token(self, team_id: str, enterprise_id: str | None) -> str:
        """The workspace's bot token, rotated first when it expires within two hours."""
        bot = await self.store.async_find_bot(enterprise_id=enterprise_id or None, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise NotInstalled(f"dealbell is not installed in workspace {team_id}")
        refreshed: Bot | None = await self.rotator.perform_bot_token_rotation(
            bot=bot, minutes_before_expiration=ROTATE_MINUTES_BEFORE_EXPIRY
        )
        if refreshed is not None:
            await self.store.async_save_bot(refreshed)
            return refreshed.bot_token or ""
        return bot.bot_token

    def client_for(self, workspace: Workspace) -> AsyncWebClient:
        """A client for a scheduled job in `workspace`: each call uses the workspace's current token."""
        client = make_client(self.settings, token=None, client_class=InstalledWorkspaceClient)
        client.token_source = lambda: self.bot_token(workspace.team_id, workspace.enterprise_id or None)
        return client


class InstalledWorkspaceClient(AsyncWebClient):
    """An AsyncWebClient that asks for the workspace's bot token before each call (tokens rotate)."""

    token_source: Any = None  # () -> Awaitable[str]

    async def api_call(self, api_method: str, **kwargs: Any) -> Any:  # type: ignore[override]
        if self.token_source is not None:
            self.token = await self.token_source()
        return await super().api_call(api_method, **kwargs)
