"""The App Home view: pure Block Kit from `storage.home.MemberHome`.

Slack refuses a Home view over 100 blocks (and 250 kB); every list is capped upstream and
summarised here ("…and N more"), lists of lines share one section, and the view stays well
under the limit whatever the team's size (MAX_BLOCKS is asserted by the tests).
"""

from __future__ import annotations

from typing import Any

from bot.kit import blocks as bk
from bot.kit.format import mention, money, plural, points, stage_name, stage_sum
from bot.kit.i18n import t
from bot.kit.views import goals as goal_views
from bot.kit.views import privacy
from storage.goals import Attainment
from storage.home import Capped, MemberHome, Results, TeamHome
from storage.models import Member

MAX_BLOCKS = 100
VIEW_TYPE = "home"
REDEEM_ACTION = "home_redeem"
ORDER_ACTION = "home_order_toggle"  # value: the section to show first from now on, "personal" or "team"
# The deal card opens from here; the deals feature (handlers/deals) listens to it. Value: the deal id.
OPEN_DEAL_ACTION = "deal_open"
# The rewards feature's own buttons (handlers/rewards): the value is the redemption id.
APPROVE_ACTION = "rewards_redemption_approve"
DECLINE_ACTION = "rewards_redemption_decline"


def revenue_text(revenue: dict[str, int], locale: str | None) -> str:
    if not revenue:
        return t(locale, "home.results.nothing")
    return " · ".join(money(minor, code, locale) for code, minor in revenue.items())


def results(key: str, figures: Results, locale: str | None) -> str:
    return t(
        locale,
        key,
        revenue=revenue_text(figures.revenue, locale),
        deals=plural(locale, "home.deals_won", figures.deals),
    )


def lines(title: str, rows: list[str], empty: str, capped: Capped | None, locale: str | None) -> bk.Block:
    """One section: a title, the rows (or the empty note) and "…and N more"."""
    body = rows or [empty]
    if capped is not None and capped.more:
        body = [*body, t(locale, "home.more", count=capped.more)]
    return bk.section("\n".join([title, *body]))


def mine(data: MemberHome, member: Member, locale: str | None) -> list[bk.Block]:
    blocks: list[bk.Block] = [
        bk.header(t(locale, "home.title")),
        bk.section(t(locale, "home.greeting", user=mention(member))),
        bk.fields(
            results("home.results.week", data.week, locale), results("home.results.month", data.month, locale)
        ),
    ]
    pipeline = [stage_sum(locale, "home.pipeline.line", row) for row in data.pipeline]
    blocks.append(
        lines(t(locale, "home.pipeline.title"), pipeline, t(locale, "home.pipeline.empty"), None, locale)
    )
    blocks.extend(open_deals(data.deals, locale))
    goals = [goal_line(row, locale) for row in data.goals.rows]
    blocks.append(
        lines(t(locale, "home.goals.title"), goals, t(locale, "home.goals.empty"), data.goals, locale)
    )
    follow_ups = [
        t(locale, "home.followups.line", customer=bk.escape(c.name), day=c.next_follow_up.isoformat())
        for c in data.follow_ups.rows
    ]
    blocks.append(
        lines(
            t(locale, "home.followups.title"),
            follow_ups,
            t(locale, "home.followups.empty"),
            data.follow_ups,
            locale,
        )
    )
    blocks.append(bk.divider())
    blocks.append(
        bk.section(
            t(
                locale,
                "home.kudos",
                received=data.kudos_received,
                left=data.allowance.left,
                limit=data.allowance.limit,
            )
        )
    )
    blocks.append(bk.section(t(locale, "home.points", points=data.points)))
    blocks.extend(catalogue(data, locale))
    return blocks


def goal_line(row: Attainment, locale: str | None) -> str:
    """A goal of "Your goals", the team's labelled as the team's (the rep shares it, does not own it)."""
    line = goal_views.goal_line(row, locale)
    return t(locale, "home.goals.team", line=line) if row.is_team else line


def open_deals(deals: Capped, locale: str | None) -> list[bk.Block]:
    """One section per open deal with its Open button (the deal card), newest first."""
    blocks = []
    for deal in deals.rows:
        title = f" {bk.escape(deal.title)}" if deal.title else ""
        text = t(locale, "home.deal.line", customer=bk.escape(deal.customer.name), title=title,
                 amount=money(deal.amount_minor, deal.currency, locale), stage=stage_name(deal.stage, locale))  # fmt: skip
        button = bk.button(t(locale, "home.button.open"), OPEN_DEAL_ACTION, str(deal.id))
        blocks.append(bk.section(text, block_id=f"home_deal_{deal.id}", accessory=button))
    if deals.more:
        blocks.append(bk.context(t(locale, "home.more", count=deals.more)))
    return blocks


def catalogue(data: MemberHome, locale: str | None) -> list[bk.Block]:
    blocks = [bk.section(t(locale, "home.catalogue.title"))]
    if not data.catalogue.rows:
        blocks.append(bk.context(t(locale, "home.catalogue.empty")))
    for item in data.catalogue.rows:
        text = t(locale, "home.catalogue.item", name=bk.escape(item.name), cost=points(locale, item.cost))
        if item.stock is not None:
            text += " · " + t(locale, "home.catalogue.stock", stock=item.stock)
        affordable = item.cost <= data.points and (item.stock is None or item.stock > 0)
        button = bk.button(t(locale, "home.button.redeem"), REDEEM_ACTION, str(item.id))
        blocks.append(
            bk.section(text, block_id=f"home_item_{item.id}", accessory=button if affordable else None)
        )
    if data.catalogue.more:
        blocks.append(bk.context(t(locale, "home.more", count=data.catalogue.more)))
    return blocks


def team(data: TeamHome, locale: str | None) -> list[bk.Block]:
    board = data.leaders
    leaders = [
        t(
            locale,
            "home.leaders.line",
            rank=row.rank,
            user=row.key,
            amount=money(row.value, board.currency or "", locale),
        )
        for row in board.rows
    ]
    blockers = [
        t(locale, "home.blockers.line", user=b.slack_user_id, text=bk.escape(bk.truncate(b.text, 200)))
        for b in data.blockers
    ]
    blocks: list[bk.Block] = [
        bk.header(t(locale, "home.team.title")),
        bk.section(results("home.team.week", data.week, locale)),
        lines(
            t(locale, "home.leaders.title", currency=board.currency),
            leaders,
            t(locale, "home.leaders.empty"),
            None,
            locale,
        ),
        lines(t(locale, "home.blockers.title"), blockers, t(locale, "home.blockers.empty"), None, locale),
        bk.section(t(locale, "home.pending.title")),
    ]
    if not data.pending.rows:
        blocks.append(bk.context(t(locale, "home.pending.empty")))
    for row in data.pending.rows:
        request = t(locale, "rewards.redemption.request", user=mention(row.member),
                    item=bk.escape(row.item.name), cost=points(locale, row.redemption.cost))  # fmt: skip
        blocks.append(bk.section(request, block_id=f"home_redemption_{row.redemption.id}"))
        blocks.append(
            bk.actions(
                bk.button(
                    t(locale, "rewards.button.approve"), APPROVE_ACTION, str(row.redemption.id), "primary"
                ),
                bk.button(
                    t(locale, "rewards.button.decline"), DECLINE_ACTION, str(row.redemption.id), "danger"
                ),
                block_id=f"home_redemption_actions_{row.redemption.id}",
            )
        )
    if data.pending.more:
        blocks.append(bk.context(t(locale, "home.more", count=data.pending.more)))
    return blocks


def order_toggle(personal_first: bool, locale: str | None) -> bk.Block:
    """A manager's switch between the team first (the default) and their own numbers first."""
    if personal_first:
        button = bk.button(t(locale, "home.order.team_first"), ORDER_ACTION, "team")
    else:
        button = bk.button(t(locale, "home.order.personal_first"), ORDER_ACTION, "personal")
    return bk.actions(button, block_id="home_order")


def home_view(data: MemberHome, member: Member, locale: str | None) -> dict[str, Any]:
    blocks = mine(data, member, locale)
    if data.team is not None:  # a manager: the team first unless they chose their own numbers first
        sections = [blocks, team(data.team, locale)]
        first, second = reversed(sections) if not data.personal_first else sections
        blocks = [order_toggle(data.personal_first, locale), *first, bk.divider(), *second]
    blocks.append(privacy.home_button(locale))
    blocks.append(bk.divider())
    blocks.append(bk.context(t(locale, "home.intro")))
    return {"type": VIEW_TYPE, "blocks": blocks[:MAX_BLOCKS]}
