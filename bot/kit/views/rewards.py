"""Block Kit for rewards shared by the `/reward` listeners and the `award-nominations` job."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from babel.dates import format_skeleton

from bot.kit import blocks as bk
from bot.kit.format import mention, money, plural, points
from bot.kit.i18n import babel_locale, t
from storage.models import Award, CatalogueItem, Member, Nomination, Redemption
from storage.rewards import DEFAULT_AWARD_POINTS

AWARD_EMOJI = {"Sales Champion": ":trophy:", "Team Player": ":handshake:", "Innovation": ":bulb:"}


def month_name(month_key: str, locale: str | None) -> str:
    """ "2026-11" → "November 2026" / "2026年11月"."""
    year, month = (int(part) for part in month_key.split("-"))
    return format_skeleton("yMMMM", dt.date(year, month, 1), locale=babel_locale(locale))


# --- the award card ------------------------------------------------------------------------------


def award_card(
    award: Award, receiver: Member, giver: Member, locale: str | None
) -> tuple[str, list[bk.Block]]:
    """The public card: who, which title, why, how many points, from whom."""
    emoji = AWARD_EMOJI.get(award.title, ":medal:")
    text = t(locale, "rewards.card.text", emoji=emoji, user=mention(receiver), title=bk.escape(award.title))
    blocks: list[bk.Block] = [
        bk.header(t(locale, "rewards.card.header", title=award.title)),
        bk.section(text, block_id="rewards_award"),
    ]
    if award.reason:
        blocks.append(bk.section(t(locale, "rewards.card.reason", reason=bk.escape(award.reason))))
    notes = [t(locale, "rewards.card.by", user=mention(giver))]
    if award.points:
        notes.insert(0, plural(locale, "rewards.card.points", award.points))
    blocks.append(bk.context(" · ".join(notes), block_id="rewards_award_notes"))
    return text, blocks


# --- nominations ---------------------------------------------------------------------------------


def nomination_detail(nomination: Nomination, locale: str | None) -> str:
    """Why this person: revenue won, kudos received, or their idea and its votes."""
    detail: dict[str, Any] = json.loads(nomination.detail or "{}")
    if nomination.kind == "sales-champion":
        return t(
            locale,
            "rewards.nomination.why.sales",
            amount=money(detail.get("amount", 0), detail.get("currency", "USD"), locale),
        )
    if nomination.kind == "team-player":
        return t(locale, "rewards.nomination.why.kudos", count=detail.get("kudos", 0))
    return t(
        locale,
        "rewards.nomination.why.idea",
        idea=bk.escape(bk.truncate(str(detail.get("idea", "")), 200)),
        votes=plural(locale, "ideas.card.votes", int(detail.get("votes", 0))),
    )


def nomination_reason(nomination: Nomination, locale: str | None) -> str:
    """The award's reason when a nomination is announced (plain text, stored with the award)."""
    return t(
        locale,
        f"rewards.nomination.reason.{nomination.kind}",
        month=month_name(nomination.month, locale),
    )


def nominations_card(
    nominations: list[Nomination], people: dict[int, Member], locale: str | None
) -> tuple[str, list[bk.Block]]:
    """The manager's DM: one section per candidate, with Announce and Skip while it is open."""
    month = month_name(nominations[0].month, locale) if nominations else ""
    text = t(locale, "rewards.nominations.text", month=month, points=points(locale, DEFAULT_AWARD_POINTS))
    blocks: list[bk.Block] = [
        bk.header(t(locale, "rewards.nominations.header", month=month)),
        bk.section(text),
    ]
    for nomination in nominations:
        member = people.get(nomination.member_id)
        who = mention(member) if member else "?"
        award = t(locale, f"rewards.kind.{nomination.kind}")
        line = t(
            locale,
            "rewards.nomination.line",
            award=award,
            user=who,
            why=nomination_detail(nomination, locale),
        )
        blocks.append(bk.section(line, block_id=f"rewards_nomination_{nomination.id}"))
        if nomination.status == "open":
            blocks.append(
                bk.actions(
                    bk.button(
                        t(locale, "rewards.button.announce"),
                        "rewards_nomination_announce",
                        str(nomination.id),
                        "primary",
                    ),
                    bk.button(
                        t(locale, "rewards.button.skip"), "rewards_nomination_skip", str(nomination.id)
                    ),
                    block_id=f"rewards_nomination_actions_{nomination.id}",
                )
            )
        else:
            blocks.append(bk.context(t(locale, f"rewards.nomination.status.{nomination.status}")))
    return text, blocks


# --- redemptions ---------------------------------------------------------------------------------


def redemption_card(
    redemption: Redemption,
    item: CatalogueItem,
    member: Member,
    locale: str | None,
    decided_by: Member | None = None,
) -> tuple[str, list[bk.Block]]:
    """The managers' DM: Approve / Decline while pending, the outcome once decided."""
    text = t(
        locale,
        "rewards.redemption.request",
        user=mention(member),
        item=bk.escape(item.name),
        cost=points(locale, redemption.cost),
    )
    blocks: list[bk.Block] = [bk.section(text, block_id="rewards_redemption")]
    if item.stock is not None:
        blocks.append(bk.context(t(locale, "rewards.redemption.stock", stock=item.stock)))
    if redemption.status == "pending":
        blocks.append(
            bk.actions(
                bk.button(
                    t(locale, "rewards.button.approve"),
                    "rewards_redemption_approve",
                    str(redemption.id),
                    "primary",
                ),
                bk.button(
                    t(locale, "rewards.button.decline"),
                    "rewards_redemption_decline",
                    str(redemption.id),
                    "danger",
                ),
                block_id="rewards_redemption_actions",
            )
        )
    else:
        by = mention(decided_by) if decided_by else "?"
        blocks.append(bk.context(t(locale, f"rewards.redemption.status.{redemption.status}", user=by)))
    return text, blocks


def redeem_requested(locale: str | None, item: str, cost: int, balance: int) -> str:
    """The redeemer's answer: what they asked for (`item` escaped), what it cost, what is left."""
    return t(
        locale,
        "rewards.redeem.requested",
        item=item,
        cost=points(locale, cost),
        balance=points(locale, balance),
    )


def redemption_outcome(
    redemption: Redemption, item: CatalogueItem, out_of_stock: bool, balance: int, locale: str | None
) -> str:
    """The member's DM once a manager decided."""
    if redemption.status == "approved":
        key = "rewards.redemption.approved_dm"
    elif out_of_stock:
        key = "rewards.redemption.out_of_stock_dm"
    else:
        key = "rewards.redemption.declined_dm"
    return t(
        locale,
        key,
        item=bk.escape(item.name),
        cost=points(locale, redemption.cost),
        balance=points(locale, balance),
    )
