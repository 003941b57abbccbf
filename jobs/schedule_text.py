"""A job's schedule in words ("Every 5 minutes", "每 5 分钟"), for people: `dealbell jobs list` and the
sandbox's Scheduler panel. Read from the APScheduler trigger the scheduler itself builds, so the words
cannot drift from what runs; cron-descriptor says it in the member's language."""

from __future__ import annotations

from typing import Any

from apscheduler.triggers.cron import CronTrigger
from babel import Locale, UnknownLocaleError
from cron_descriptor import ExpressionDescriptor, Options

# APScheduler numbers weekdays from Monday = 0; a five-field cron expression from Sunday = 0.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CRON_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
ENGLISH_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def cron_expression(cron: dict[str, Any]) -> str:
    """The five-field expression of APScheduler CronTrigger fields (defaults filled in as it does)."""
    fields = {field.name: str(field) for field in CronTrigger(timezone="UTC", **cron).fields}
    weekday = fields["day_of_week"]
    for number, name in enumerate(WEEKDAYS):  # weekday numbers mean different days in the two
        weekday = weekday.replace(str(number), name)
    fields["day_of_week"] = weekday
    return " ".join(fields[name] for name in CRON_FIELDS)


def _babel_locale(locale: str | None) -> Locale:
    try:
        return Locale.parse((locale or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


def describe_schedule(cron: dict[str, Any], locale: str | None = "en") -> str:
    """In words: "Every 5 minutes", "At 16:00, only on Friday" (or in Chinese for a zh locale)."""
    language = _babel_locale(locale)
    options = Options()
    options.locale_code = "zh_CN" if language.language == "zh" else "en_US"
    options.use_24hour_time_format = True
    text = ExpressionDescriptor(cron_expression(cron), options).get_description()
    if language.language != "en":  # cron-descriptor names weekdays in English whatever the language
        names = language.days["format"]["wide"]  # Monday = 0
        for number, english in enumerate(ENGLISH_DAYS):
            text = text.replace(english, names[number])
    return text
