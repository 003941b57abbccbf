"""How the process logs: LOG_LEVEL, LOG_FORMAT (text or one JSON object per line)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from bot.settings import Settings


def configure_logging(settings: Settings) -> None:
    """LOG_LEVEL and LOG_FORMAT for the whole process."""
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    if settings.log_format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())
    # At DEBUG these libraries log request payloads and headers (tokens, message text): never here.
    for noisy in ("slack_sdk", "slack_bolt"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLevelName(settings.log_level)))


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
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
