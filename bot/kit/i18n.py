"""Every string a user sees comes from the catalogue (bot/kit/messages), in English and Simplified Chinese."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.kit.emphasis import slack_emphasis
from bot.kit.messages import FEATURES

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"


def _merge() -> dict[str, dict[str, str]]:
    catalogue: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
    for feature in FEATURES:
        for language in LANGUAGES:
            clashes = catalogue[language].keys() & feature.MESSAGES[language].keys()
            if clashes:
                raise RuntimeError(f"message keys defined twice: {sorted(clashes)}")
            catalogue[language].update(feature.MESSAGES[language])
    return catalogue


CATALOGUE = _merge()


def extend_catalogue(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add a feature's own entries; registering the same entries again changes nothing."""
    for language_code, entries in messages.items():
        known = CATALOGUE[language_code]
        clashes = sorted(key for key, text in entries.items() if known.get(key, text) != text)
        if clashes:
            raise RuntimeError(f"message keys defined twice: {clashes}")
        known.update(entries)


def language(locale: str | None) -> str:
    """Catalogue language for a Slack or Babel locale: zh-CN, zh_Hans_CN → zh; anything else → en."""
    if locale and locale.replace("_", "-").lower().startswith("zh"):
        return "zh"
    return DEFAULT_LANGUAGE


def babel_locale(locale: str | None) -> str:
    """Babel locale for number and date formatting."""
    return "zh_Hans_CN" if language(locale) == "zh" else "en_US"


def field_error(locale: str | None, key: str, **params: Any) -> str:
    """A refusal shown under a form's field: the catalogue's `key.form` wording where the command's
    (which may show slash-command syntax, meaningless in a form) has one, else `key`'s."""
    form_key = f"{key}.form"
    return t(locale, form_key if form_key in CATALOGUE[DEFAULT_LANGUAGE] else key, **params)


def t(locale: str | None, key: str, **params: Any) -> str:
    """The message `key` in the member's language, filled with `params` (already escaped by the caller);
    bold marks get the boundaries Slack needs next to Chinese text (bot/kit/emphasis.py)."""
    messages = CATALOGUE[language(locale)]
    template = messages.get(key) or CATALOGUE[DEFAULT_LANGUAGE][key]
    return slack_emphasis(template.format(**params) if params else template)
