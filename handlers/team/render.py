"""Block Kit for `/team`: the roster, one member's card, the workload, and the welcome DM (pure)."""

from __future__ import annotations

from bot.kit import blocks as bk
from bot.kit.format import mention, money_text
from bot.kit.i18n import t
from storage.models import Member
from storage.team import KNOWN_ROLES, Workload, display_name

# Slack allows 50 blocks a message: a header, this many rows, and room for the summary lines.
MAX_ROWS = 45
MORE_TEXT_LIMIT = 2800


def role_label(role: str, locale: str | None) -> str:
    return t(locale, f"team.role.{role}") if role in KNOWN_ROLES else bk.escape(role)


def who(member: Member, link: bool) -> str:
    """A mention where it does not notify (ephemeral answers); the plain name in posted messages."""
    return mention(member) if link else bk.escape(display_name(member))


def zone(member: Member, locale: str | None) -> str:
    return bk.escape(member.timezone) if member.timezone else t(locale, "team.zone.unknown")


def more(rest: list[Member], link: bool, locale: str | None) -> bk.Block:
    """'…and 12 more: a, b, c +9', kept inside one context element."""
    names: list[str] = []
    used = 0
    for member in rest:
        name = who(member, link)
        if used + len(name) + 2 > MORE_TEXT_LIMIT:
            break
        names.append(name)
        used += len(name) + 2
    people = ", ".join(names)
    if len(names) < len(rest):
        people += f" +{len(rest) - len(names)}"
    return bk.context(t(locale, "team.roster.more", count=len(rest), people=people), block_id="team_more")


def roster(members: list[Member], locale: str | None, *, link: bool) -> tuple[str, list[bk.Block]]:
    title = t(locale, "team.roster.title", count=len(members))
    if not members:
        return title, [bk.header(title), bk.section(t(locale, "team.roster.empty"))]
    blocks: list[bk.Block] = [bk.header(title)]
    for member in members[:MAX_ROWS]:
        line = t(
            locale,
            "team.roster.line",
            who=who(member, link),
            role=role_label(member.role, locale),
            title=t(locale, "team.roster.title_part", title=bk.escape(member.title)) if member.title else "",
        )
        duties = bk.escape(member.duties) if member.duties else t(locale, "team.roster.no_duties")
        zone_line = t(locale, "team.roster.zone", zone=zone(member, locale))
        blocks.append(bk.section(f"{line}\n{duties}\n{zone_line}", block_id=f"team_member_{member.id}"))
    if len(members) > MAX_ROWS:
        blocks.append(more(members[MAX_ROWS:], link, locale))
    return title, blocks


def card(member: Member, locale: str | None) -> tuple[str, list[bk.Block]]:
    title = bk.escape(member.title) if member.title else t(locale, "team.card.no_title")
    duties = bk.escape(member.duties) if member.duties else t(locale, "team.roster.no_duties")
    text = t(locale, "team.card.title", name=who(member, link=True))
    return text, [
        bk.section(f"*{text}*", block_id="team_card"),
        bk.fields(
            t(locale, "team.card.role", role=role_label(member.role, locale)),
            t(locale, "team.card.honour", title=title),
            t(locale, "team.card.zone", zone=zone(member, locale)),
        ),
        bk.section(t(locale, "team.card.duties", duties=duties), block_id="team_card_duties"),
    ]


def pipeline(load: Workload, locale: str | None) -> str:
    if not load.pipeline:
        return t(locale, "team.load.no_pipeline")
    return " + ".join(money_text(money, locale) for money in load.pipeline)


def workload(loads: list[Workload], locale: str | None) -> tuple[str, list[bk.Block]]:
    title = t(locale, "team.load.title")
    if not loads:
        return title, [bk.header(title), bk.section(t(locale, "team.load.empty"))]
    blocks: list[bk.Block] = [bk.header(title)]
    for load in loads[:MAX_ROWS]:
        line = t(
            locale,
            "team.load.line",
            who=who(load.member, link=True),
            role=role_label(load.member.role, locale),
            deals=load.open_deals,
            pipeline=pipeline(load, locale),
            overdue=load.overdue,
        )
        blocks.append(bk.section(line, block_id=f"team_load_{load.member.id}"))
    if len(loads) > MAX_ROWS:
        blocks.append(more([load.member for load in loads[MAX_ROWS:]], True, locale))
    blocks.append(bk.context(t(locale, "team.load.note")))
    return title, blocks


def welcome(member: Member, locale: str | None) -> tuple[str, list[bk.Block]]:
    """The one DM a new member of the team channel gets."""
    user = mention(member)
    details = [t(locale, "team.welcome.role", role=role_label(member.role, locale))]
    if member.duties:
        details.append(t(locale, "team.welcome.duties", duties=bk.escape(member.duties)))
    else:
        details.append(t(locale, "team.welcome.no_role_details"))
    text = t(locale, "team.welcome.text", user=user)
    return text, [
        bk.section(t(locale, "team.welcome.intro", user=user), block_id="team_welcome"),
        bk.section("\n".join(details), block_id="team_welcome_role"),
        bk.section(t(locale, "team.welcome.commands"), block_id="team_welcome_commands"),
    ]
