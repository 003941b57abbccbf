"""Configuration from the environment and an optional `.env` file.

Every setting is optional at load time; each command asks for the ones it needs with `require()`,
so `dealbell db upgrade` works without Slack tokens while `dealbell run` names every missing one.
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.money import is_currency_code

SLACK_API_URL = "https://slack.com/api/"

# Where each variable comes from, shown next to its name when it is missing.
HOW_TO_GET = {
    "SLACK_BOT_TOKEN": "Bot User OAuth Token (xoxb-…), on your app's 'OAuth & Permissions' page",
    "SLACK_SIGNING_SECRET": "Signing Secret, on your app's 'Basic Information' page (HTTP mode); or, with no"
    " public URL, use Socket Mode instead: set SLACK_APP_TOKEN (xapp-…, see 'Socket Mode' in README.md)",
    "DEALBELL_SECRET_KEY": "any long random string, e.g. `openssl rand -hex 32` (encrypts the stored Slack tokens)",
    "SLACK_APP_TOKEN": "App-Level Token (xapp-…, scope connections:write), on 'Basic Information'",
    "SLACK_CLIENT_ID": "Client ID, on your app's 'Basic Information' page (App Credentials)",
    "SLACK_CLIENT_SECRET": "Client Secret, on your app's 'Basic Information' page (App Credentials)",
    "SLACK_STATE_SECRET": "any long random string, e.g. `openssl rand -hex 32` (signs OAuth install states)",
}
OAUTH_SETTINGS = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET")
# What OAuth mode needs: the app's credentials, and the key the workspaces' tokens are stored encrypted with.
OAUTH_REQUIRED = (*OAUTH_SETTINGS, "DEALBELL_SECRET_KEY")


class SettingsError(Exception):
    """Settings are missing or malformed; the message is meant for a person at a terminal."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    # Distribution: with all three set, dealbell installs into many workspaces through OAuth.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_state_secret: str | None = None
    slack_redirect_uri: str | None = None  # only if your app lists several redirect URLs
    database_url: str = "sqlite:///dealbell.db"
    slack_api_url: str = SLACK_API_URL
    port: int = Field(default=3000, ge=1, le=65535)
    dealbell_timezone: str = "UTC"
    dealbell_currency: str = "USD"
    dealbell_secret_key: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object per line, for log collectors
    # seconds before a failed webhook delivery's first retry (then doubling, for 24 hours)
    dealbell_webhook_retry_seconds: float = Field(default=30, gt=0, le=3600)
    # Database connections kept per process, and how many more a burst may open (storage.db's
    # defaults when unset: 20 + 20 on PostgreSQL, 16 + 48 on a SQLite file).
    database_pool_size: int | None = Field(default=None, ge=1, le=500)
    database_max_overflow: int | None = Field(default=None, ge=0, le=500)

    @field_validator(
        "slack_bot_token", "slack_signing_secret", "slack_app_token", "slack_client_id", "slack_client_secret",
        "slack_state_secret", "slack_redirect_uri", mode="before",
    )  # fmt: skip
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("dealbell_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Berlin") from exc
        return value

    @field_validator("dealbell_currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not is_currency_code(value):
            raise ValueError(f"{value!r} is not an ISO 4217 currency code such as USD or EUR")
        return value.upper()

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def secret_key(self) -> bytes:
        """Key material for what dealbell keys or encrypts (anonymous feedback); never stored in the database."""
        current = (self.dealbell_secret_key or "").split(",")[0].strip()  # `new,old` while rotating
        secret = current or self.slack_signing_secret or self.slack_app_token
        if not secret:
            raise SettingsError(
                "set DEALBELL_SECRET_KEY (any long random string) to keep secrets out of the database"
            )
        return secret.encode()

    @property
    def pool_options(self) -> dict[str, int]:
        """The pool settings given, as engine options (none given: storage.db's defaults)."""
        chosen = {"pool_size": self.database_pool_size, "max_overflow": self.database_max_overflow}
        return {name: value for name, value in chosen.items() if value is not None}

    @property
    def oauth(self) -> bool:
        """Installed into many workspaces through OAuth (tokens in the database), not one bot token."""
        return any(getattr(self, name.lower()) for name in OAUTH_SETTINGS)

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    def require(self, *names: str) -> None:
        """Raise one SettingsError naming every variable in `names` that is not set."""
        missing = [name for name in names if getattr(self, name.lower()) is None]
        if missing:
            lines = [f"  {name}: {HOW_TO_GET.get(name, '')}" for name in missing]
            raise SettingsError(
                "dealbell cannot start: these settings are missing:\n"
                + "\n".join(lines)
                + "\nCreate the Slack app from manifest.yml (https://api.slack.com/apps → Create New App →"
                " From an app manifest), then set them in the environment or in a .env file."
                " See README.md, 'Set up the Slack app'."
            )


def load_settings(**overrides: object) -> Settings:
    """Load settings, turning pydantic's errors into one readable SettingsError."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = [f"  {'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()]
        raise SettingsError(
            "dealbell cannot start: these settings are malformed:\n" + "\n".join(problems)
        ) from None
