"""Block Kit for goals and scorecards (pure: values in, blocks out)."""

from __future__ import annotations

from bot.kit import blocks as bk
from bot.kit.format import mention, money, percent
from bot.kit.i18n import babel_locale, t
from bot.kit.views.goals import amount, goal_line, progress
from storage.goals import GOAL_PERIODS, Attainment
from storage.models import GOAL_METRICS
from storage.money import Money, format_money_short
from storage.scorecards import Scorecard

ROWS_PER_SECTION = 25


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


def scorecard(card: Scorecard, currency: str, locale: str | None) -> tuple[str, list[bk.Block]]:
    dash = t(locale, "goals.dash")
    title = t(
        locale,
        "goals.scorecard.title",
        user=mention(card.member.slack_user_id),
        period=t(locale, f"goals.period.{card.period.kind}"),
        code=card.period.key,
    )
    goal = card.revenue_goal
    revenue = (
        t(locale, "goals.scorecard.revenue_goal",
          revenue=revenue_text(card, goal.currency, locale), target=money(goal.target, goal.currency, locale),
          percent=percent(card.goal_percent))
        if goal is not None
        else t(locale, "goals.scorecard.revenue", revenue=revenue_text(card, currency, locale))
    )  # fmt: skip
    rate = percent(card.win_rate)
    blocks = [
        bk.section(title, block_id="scorecard_title"),
        bk.fields(
            revenue,
            t(locale, "goals.scorecard.deals", won=card.deals_won, lost=card.deals_lost),
            t(locale, "goals.scorecard.win_rate", rate=rate),
            t(locale, "goals.scorecard.activities", count=card.activities),
            t(locale, "goals.scorecard.csat", csat=dash if card.csat is None else card.csat),
            t(locale, "goals.scorecard.kudos", count=card.kudos),
            t(locale, "goals.scorecard.feedback", count=card.feedback),
        ),
    ]
    return title, blocks


def team_row(card: Scorecard, currency: str, locale: str | None) -> str:
    dash = t(locale, "goals.dash")
    shown = [format_money_short(Money(card.revenue.get(currency, 0), currency), babel_locale(locale))]
    shown += [
        format_money_short(Money(v, c), babel_locale(locale))
        for c, v in card.revenue.items()
        if c != currency
    ]
    cells = [
        mention(card.member.slack_user_id),
        " + ".join(shown),
        percent(card.goal_percent),
        str(card.deals_won),
        percent(card.win_rate),
        str(card.activities),
        dash if card.csat is None else str(card.csat),
        str(card.kudos),
        str(card.feedback),
    ]
    return " | ".join(cells)


def team_scorecards(
    cards: list[Scorecard], kind: str, key: str, currency: str, locale: str | None
) -> tuple[str, list[bk.Block]]:
    title = t(locale, "goals.scorecard.team_title", period=t(locale, f"goals.period.{kind}"), code=key)
    blocks: list[bk.Block] = [bk.section(f"*{title}*", block_id="scorecard_team")]
    if not cards:
        blocks.append(bk.context(t(locale, "goals.scorecard.nobody")))
        return title, blocks
    blocks.append(bk.context(t(locale, "goals.scorecard.head")))
    rows = [team_row(card, currency, locale) for card in cards]
    for i in range(0, len(rows), ROWS_PER_SECTION):
        blocks.append(bk.section("\n".join(rows[i : i + ROWS_PER_SECTION])))
    return title, blocks
