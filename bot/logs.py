"""How the process logs: LOG_LEVEL, LOG_FORMAT (text or one JSON object per line), and the
redaction every log record goes through (no request bodies, tokens, webhooks or statement parameters)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from collections.abc import Callable
from typing import Any

from bot.settings import Settings


def configure_logging(settings: Settings) -> None:
    """LOG_LEVEL and LOG_FORMAT for the whole process."""
    install_redaction()
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=[CurrentStderr()],
        force=True,
    )
    if settings.log_format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())
    # Alembic's INFO lines ("Context impl SQLiteImpl.") are noise at a terminal and in the server's
    # log; LOG_LEVEL=DEBUG keeps them.
    if logging.getLevelName(settings.log_level) > logging.DEBUG:
        logging.getLogger("alembic").setLevel(logging.WARNING)
    # At DEBUG these libraries log request payloads and headers (tokens, message text): never here.
    for noisy in ("slack_sdk", "slack_bolt"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLevelName(settings.log_level)))


class CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to `sys.stderr` as it is when a record is written, not as it was when logging was set
    up: whatever replaced it since (a test's capture, a daemon's redirect) gets the lines, and a
    stream closed since is never written to."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, plus a record's `fields` extra."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update({k: v for k, v in fields.items() if k not in entry})
        if record.exc_info or record.exc_text:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


# --- redaction -------------------------------------------------------------------------------------

# What libraries put in their messages that must never reach a log: Bolt logs a refused request's
# whole body ("... body: token=…&text=…") and an unhandled one's ("Unhandled request ({…})"),
# SQLAlchemy an error's statement parameters, anyone a token or a response_url.
REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(\bbody: ).*", re.S), r"\1[redacted])"),
    (re.compile(r"(Unhandled request \().*", re.S), r"\1[redacted])"),
    (re.compile(r"(\[parameters: ).*?\](?=\n|$)", re.S), r"\1redacted]"),
    (re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+"), "[token]"),
    (re.compile(r"https?://hooks\.slack\.com/\S*"), "[webhook]"),
)
_exception_text = logging.Formatter()


def redact(text: str) -> str:
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def install_redaction() -> None:
    """Redact every log record as it is made, whichever logger and handler it goes to (idempotent).

    A record factory rather than a filter: filters on a logger miss its children's records, and
    filters on handlers miss handlers added later (pytest's, a library's own)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "redacts", False):
        logging.setLogRecordFactory(_redacting(current))


def _redacting(make: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave the record to logging's own error report
            return record
        record.msg, record.args = redact(message), None
        if record.exc_info:
            record.exc_text = redact(_exception_text.formatException(record.exc_info))
        return record

    factory.redacts = True  # type: ignore[attr-defined]
    return factory
