"""Block Kit for goals and scorecards (pure: values in, blocks out)."""

from __future__ import annotations

from bot.kit import blocks as bk
from bot.kit.format import mention, money, percent
from bot.kit.i18n import t
from bot.kit.views.goals import amount, goal_line, progress
from storage.goals import GOAL_PERIODS, Attainment
from storage.models import GOAL_METRICS
from storage.scorecards import Scorecard

# Reps shown as sections in one message: Block Kit allows 50 blocks; the title and the note take two.
MAX_RANKED = 45


def usage(locale: str | None) -> str:
    return t(locale, "goals.usage", metrics=", ".join(GOAL_METRICS), periods=", ".join(GOAL_PERIODS))


def goal_set_note(
    subject: str | None,
    metric: str,
    target: int,
    currency: str | None,
    period: str,
    replaced: bool,
    locale: str | None,
) -> str:
    return t(
        locale,
        "goals.replaced" if replaced else "goals.set",
        subject=mention(subject) if subject else t(locale, "goals.team"),
        metric=t(locale, f"goals.metric.{metric}"),
        target=amount(metric, target, currency, locale),
        period=t(locale, f"goals.period.{period}"),
    )


def is_vision(row: Attainment) -> bool:
    return row.is_team and row.metric == "revenue" and row.goal.period_kind == "year"


def goals(rows: list[Attainment], user: str, mine: bool, locale: str | None) -> tuple[str, list[bk.Block]]:
    """`/goal`: the team's annual revenue target (the shared vision) on top, then the team's goals,
    then the person's."""
    title = t(locale, "goals.title.mine") if mine else t(locale, "goals.title.theirs", user=mention(user))
    blocks: list[bk.Block] = []
    vision = [r for r in rows if is_vision(r)]
    team = [r for r in rows if r.is_team and not is_vision(r)]
    person = [r for r in rows if not r.is_team]
    for row in vision:
        blocks.append(
            bk.section(
                t(locale, "goals.vision", year=row.goal.period_start.year,
                  target=amount(row.metric, row.target, row.goal.currency, locale))
                + "\n" + progress(row, locale),
                block_id="goals_vision",
            )
        )  # fmt: skip
    if team:
        blocks.append(bk.section(t(locale, "goals.section.team"), block_id="goals_team"))
        blocks.extend(bk.section(goal_line(r, locale)) for r in team)
    heading = (
        t(locale, "goals.section.mine") if mine else t(locale, "goals.section.theirs", user=mention(user))
    )
    blocks.append(bk.section(heading, block_id="goals_person"))
    if person:
        blocks.extend(bk.section(goal_line(r, locale)) for r in person)
    else:
        blocks.append(bk.context(t(locale, "goals.none.person")))
    if not rows:
        blocks = [bk.section(t(locale, "goals.none"), block_id="goals_none")]
    return title, blocks


# --- scorecards ----------------------------------------------------------------------------------


def revenue_text(card: Scorecard, currency: str, locale: str | None) -> str:
    """The workspace currency first (even when nothing was won), then any other currency won."""
    shown = [money(card.revenue.get(currency, 0), currency, locale)]
    shown += [money(v, c, locale) for c, v in card.revenue.items() if c != currency]
    return " + ".join(shown)


def scorecard_fields(card: Scorecard, currency: str, locale: str | None) -> list[str]:
    """A scorecard's figures, one field each (7 of Block Kit's 10 per section)."""
    dash = t(locale, "goals.dash")
    goal = card.revenue_goal
    revenue = (
        t(locale, "goals.scorecard.revenue_goal",
          revenue=revenue_text(card, goal.currency, locale), target=money(goal.target, goal.currency, locale),
          percent=percent(card.goal_percent))
        if goal is not None
        else t(locale, "goals.scorecard.revenue", revenue=revenue_text(card, currency, locale))
    )  # fmt: skip
    return [
        revenue,
        t(locale, "goals.scorecard.deals", won=card.deals_won, lost=card.deals_lost),
        t(locale, "goals.scorecard.win_rate", rate=percent(card.win_rate)),
        t(locale, "goals.scorecard.activities", count=card.activities),
        t(locale, "goals.scorecard.csat", csat=dash if card.csat is None else card.csat),
        t(locale, "goals.scorecard.kudos", count=card.kudos),
        t(locale, "goals.scorecard.feedback", count=card.feedback),
    ]


def scorecard(card: Scorecard, currency: str, locale: str | None) -> tuple[str, list[bk.Block]]:
    title = t(
        locale,
        "goals.scorecard.title",
        user=mention(card.member.slack_user_id),
        period=t(locale, f"goals.period.{card.period.kind}"),
        code=card.period.key,
    )
    blocks = [
        bk.section(title, block_id="scorecard_title"),
        bk.fields(*scorecard_fields(card, currency, locale)),
    ]
    return title, blocks


def ranked_section(rank: int, card: Scorecard, currency: str, locale: str | None) -> bk.Block:
    """One rep of the team scorecard: rank and name, then the figures as fields."""
    heading = t(locale, "goals.scorecard.rank", rank=rank, user=mention(card.member.slack_user_id))
    return {**bk.section(heading), "fields": bk.fields(*scorecard_fields(card, currency, locale))["fields"]}


def team_scorecards(
    cards: list[Scorecard], kind: str, key: str, currency: str, locale: str | None
) -> tuple[str, list[bk.Block]]:
    """The team scorecard, `cards` ranked best first: one section per rep, the first MAX_RANKED of them."""
    title = t(locale, "goals.scorecard.team_title", period=t(locale, f"goals.period.{kind}"), code=key)
    blocks: list[bk.Block] = [bk.section(f"*{title}*", block_id="scorecard_team")]
    if not cards:
        blocks.append(bk.context(t(locale, "goals.scorecard.nobody")))
        return title, blocks
    blocks += [
        ranked_section(rank, card, currency, locale) for rank, card in enumerate(cards[:MAX_RANKED], 1)
    ]
    if len(cards) > MAX_RANKED:
        blocks.append(bk.context(t(locale, "goals.scorecard.more", count=len(cards) - MAX_RANKED)))
    return title, blocks
