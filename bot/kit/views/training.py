"""Training times as each reader sees them; the reminder DM that the job sends."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime, format_timedelta

from bot.kit import blocks as bk
from bot.kit.i18n import babel_locale, t
from storage.models import Training


def when(moment: dt.datetime, timezone: str, locale: str | None) -> str:
    """A start time for a reader: their locale's long date and short time, in `timezone`, zone named."""
    language = Locale.parse(babel_locale(locale))
    pattern = (
        str(language.datetime_formats["medium"])
        .replace("{1}", language.date_formats["full"].pattern)
        .replace("{0}", language.time_formats["short"].pattern)
    )
    text = format_datetime(moment, f"{pattern} (zzzz)", tzinfo=ZoneInfo(timezone), locale=language)
    return text.replace("\u202f", " ")


def reminder(training: Training, timezone: str, locale: str | None, now: dt.datetime) -> str:
    """The DM a member going gets: the start in their own zone and language."""
    relative = format_timedelta(
        training.starts_at - now, add_direction=True, threshold=1.1, locale=babel_locale(locale)
    )
    key = "training.reminder" if training.starts_at > now else "training.reminder.started"
    text = t(
        locale,
        key,
        title=bk.escape(training.title),
        relative=relative,
        when=when(training.starts_at, timezone, locale),
    )
    if training.channel_id:
        text += " " + t(locale, "training.reminder.channel", channel=training.channel_id)
    return text
