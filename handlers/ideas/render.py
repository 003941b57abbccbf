"""Block Kit for the idea box: the public card (Upvote button, status menu) and the top list."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

from bot.kit import blocks as bk
from bot.kit.format import mention, plural
from bot.kit.i18n import babel_locale, t
from storage.ideas import TopIdea
from storage.models import IDEA_STATUSES, Idea

TOP_TEXT_LIMIT = 200


def status_name(status: str, locale: str | None) -> str:
    return t(locale, f"ideas.status.{status}") if status in IDEA_STATUSES else status


def votes_text(count: int, locale: str | None) -> str:
    return plural(locale, "ideas.card.votes", count)


def status_option(idea_id: int, status: str, locale: str | None) -> bk.Block:
    # The value names its target idea, so the menu works without trusting anything else in the payload.
    return bk.option(status_name(status, locale), f"{idea_id}:{status}")


def card(idea: Idea, votes: int, locale: str | None) -> tuple[str, list[bk.Block]]:
    """The public idea card: (fallback text, blocks)."""
    author = mention(idea.author.slack_user_id)
    text = bk.escape(idea.text)
    fallback = t(locale, "ideas.card.text", author=author, text=bk.escape(bk.truncate(idea.text, 300)))
    menu: bk.Block = {
        "type": "static_select",
        "action_id": "ideas_status",
        "placeholder": bk.plain(t(locale, "ideas.status.placeholder")),
        "options": [status_option(idea.id, s, locale) for s in IDEA_STATUSES],
        "initial_option": status_option(idea.id, idea.status, locale),
    }
    blocks = [
        bk.section(f"{t(locale, 'ideas.card.title', author=author)}\n{text}", block_id="ideas_text"),
        bk.context(
            t(locale, "ideas.card.status", status=status_name(idea.status, locale)),
            votes_text(votes, locale),
            block_id="ideas_notes",
        ),
        bk.actions(
            bk.button(t(locale, "ideas.button.upvote", count=votes), "ideas_upvote", str(idea.id)),
            menu,
            block_id="ideas_actions",
        ),
    ]
    return fallback, blocks


def month_name(month: dt.date, locale: str | None) -> str:
    return format_date(month, "LLLL y", locale=babel_locale(locale))


def top_list(ranked: list[TopIdea], month: dt.date, locale: str | None) -> tuple[str, list[bk.Block]]:
    name = month_name(month, locale)
    title = t(locale, "ideas.top.title", month=name)
    if not ranked:
        return title, [bk.header(title), bk.section(t(locale, "ideas.top.none", month=name))]
    lines = [
        t(
            locale,
            "ideas.top.line",
            rank=rank,
            votes=votes_text(entry.votes, locale),
            text=bk.escape(bk.truncate(" ".join(entry.idea.text.split()), TOP_TEXT_LIMIT)),
            author=mention(entry.idea.author.slack_user_id),
            status=status_name(entry.idea.status, locale),
        )
        for rank, entry in enumerate(ranked, start=1)
    ]
    return title, [bk.header(title), bk.section("\n".join(lines))]


def usage(channel_id: str | None, locale: str | None) -> str:
    channel = f"<#{channel_id}>" if channel_id else t(locale, "ideas.usage.here")
    return t(locale, "ideas.usage", channel=channel)
