"""Block Kit and replies for customers and activities: pure functions of data and locale."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.kit import blocks as bk
from bot.kit.format import days as format_days
from bot.kit.format import mention, money_text, plural, stage_name
from bot.kit.i18n import t
from bot.kit.views.customers import deal_name, segment_name
from storage.activities import ActivityResult
from storage.customers import CustomerCard, MergeResult, SetResult
from storage.deals import customer_key
from storage.models import ACTIVITY_KINDS, Customer, Member
from storage.money import Money

CARD_NOTE_LIMIT = 200
OPTION_TEXT = 75  # Slack's limit on an option's text
OPTION_VALUE = 150  # and on its value
CUSTOMER_SEARCH = "customer_search"  # the action id of the deal form's customer menu


def owner_text(member: Member | None, locale: str | None) -> str:
    return mention(member) if member else t(locale, "customers.card.no_owner")


def command_name(name: str) -> str:
    """A name as it would be typed back into a command: quoted when it is more than one word."""
    return f'"{name}"' if len(name.split()) > 1 or ":" in name else name


def customer_usage(locale: str | None) -> str:
    return t(locale, "customers.usage")


def log_usage(locale: str | None) -> str:
    return t(locale, "customers.log_usage", kinds=", ".join(ACTIVITY_KINDS))


def set_reply(result: SetResult, owner: Member | None, locale: str | None) -> str:
    key = (
        "customers.added"
        if result.created
        else "customers.updated"
        if result.changed
        else "customers.unchanged"
    )
    return t(
        locale,
        key,
        customer=bk.escape(result.customer.name),
        segment=segment_name(result.customer.segment, locale),
        owner=owner_text(owner, locale),
    )


def log_reply(result: ActivityResult, locale: str | None, zone: str) -> str:
    """The logger's confirmation: what was logged, the next follow-up, the CSAT and the linked deal."""
    activity, customer = result.activity, result.customer
    lines = [
        t(
            locale,
            "customers.logged" if result.created else "customers.already_logged",
            kind=t(locale, f"customers.kind_phrase.{activity.kind}"),
            customer=bk.escape(customer.name),
        )
    ]
    if activity.next_follow_up is not None:
        if result.from_cadence:
            days = (activity.next_follow_up - _local_day(activity.occurred_at, zone)).days
            lines.append(
                t(
                    locale,
                    "customers.logged.next_cadence",
                    date=activity.next_follow_up.isoformat(),
                    days=format_days(locale, days),
                    segment=segment_name(customer.segment, locale),
                )
            )
        else:
            lines.append(t(locale, "customers.logged.next", date=activity.next_follow_up.isoformat()))
    if activity.csat is not None:
        lines.append(t(locale, "customers.logged.csat", csat=activity.csat))
    if result.deal is not None:
        lines.append(
            t(
                locale,
                "customers.logged.deal",
                deal=deal_name(result.deal),
                amount=money_text(Money(result.deal.amount_minor, result.deal.currency), locale),
            )
        )
    return " ".join(lines)


def _local_day(moment: dt.datetime, zone: str) -> dt.date:
    return moment.astimezone(ZoneInfo(zone)).date()


def _follow_up(customer: Customer, today: dt.date, locale: str | None) -> str:
    due = customer.next_follow_up
    if due is None:
        return t(locale, "customers.card.not_set")
    if due < today:
        return t(locale, "customers.card.overdue", date=due.isoformat())
    if due == today:
        return t(locale, "customers.card.due_today", date=due.isoformat())
    return due.isoformat()


def card(data: CustomerCard, locale: str | None, zone: str, now: dt.datetime) -> tuple[str, list[bk.Block]]:
    """`/customer <name>`: (fallback text, blocks), dates in the reader's zone `zone`."""
    customer = data.customer
    today = _local_day(now, zone)
    last = (
        _local_day(customer.last_contact_at, zone).isoformat()
        if customer.last_contact_at
        else t(locale, "customers.card.never")
    )
    field_texts = t(
        locale,
        "customers.card.fields",
        segment=segment_name(customer.segment, locale),
        owner=owner_text(data.owner, locale),
        last=last,
        next=_follow_up(customer, today, locale),
    ).split("|")
    blocks: list[bk.Block] = [
        bk.header(customer.name),
        bk.fields(*field_texts),
        bk.section(_deals_text(data, locale), block_id="customer_deals"),
        bk.section(_activities_text(data, locale, zone), block_id="customer_activities"),
        bk.context(t(locale, "customers.card.hint", customer=bk.escape(command_name(customer.name)))),
    ]
    return t(locale, "customers.card.text", customer=bk.escape(customer.name)), blocks


def _deals_text(data: CustomerCard, locale: str | None) -> str:
    if not data.open_deals:
        return t(locale, "customers.card.no_deals")
    lines = [t(locale, "customers.card.deals_title", count=data.open_deal_count)]
    for deal in data.open_deals:
        lines.append(
            t(
                locale,
                "customers.card.deal_line",
                deal=deal_name(deal),
                amount=money_text(Money(deal.amount_minor, deal.currency), locale),
                stage=stage_name(deal.stage, locale),
                owner=mention(deal.owner),
            )
        )
    if data.open_deal_count > len(data.open_deals):
        lines.append(
            t(locale, "customers.card.more_deals", count=data.open_deal_count - len(data.open_deals))
        )
    amounts = ", ".join(
        money_text(Money(minor, currency), locale) for currency, minor in data.open_totals.items()
    )
    lines.append(t(locale, "customers.card.deals_total", amounts=amounts))
    return "\n".join(lines)


def _activities_text(data: CustomerCard, locale: str | None, zone: str) -> str:
    if not data.recent:
        return t(locale, "customers.card.no_activities")
    lines = [t(locale, "customers.card.activities_title")]
    for entry in data.recent:
        activity = entry.activity
        details = []
        if activity.csat is not None:
            details.append(t(locale, "customers.card.csat", csat=activity.csat))
        if activity.note:
            details.append(bk.escape(bk.truncate(" ".join(activity.note.split()), CARD_NOTE_LIMIT)))
        lines.append(
            t(
                locale,
                "customers.card.activity_line",
                date=_local_day(activity.occurred_at, zone).isoformat(),
                kind=t(locale, f"customers.kind.{activity.kind}"),
                member=mention(entry.member),
                details="".join(f" · {d}" for d in details),
            )
        )
    return "\n".join(lines)


# --- "Did you mean…?" ----------------------------------------------------------------------------


def did_you_mean(
    key: str,
    typed: str,
    customer: Customer,
    locale: str | None,
    action_id: str,
    use_value: str,
    create_value: str | None = None,
) -> tuple[str, list[bk.Block]]:
    """The question asked instead of creating a customer next to a close one: (text, blocks) with a
    button for the close customer and, if offered, one for creating the typed name after all.
    Both carry the whole request in their values, so a click needs nothing stored."""
    text = t(locale, key, typed=bk.escape(typed), customer=bk.escape(customer.name))
    buttons = [
        bk.button(t(locale, "customers.suggest.use", customer=customer.name), action_id, use_value, "primary")
    ]
    if create_value is not None:
        buttons.append(
            bk.button(t(locale, "customers.suggest.create", typed=typed), f"{action_id}_new", create_value)
        )
    return text, [bk.section(text), bk.actions(*buttons, block_id="customer_suggestion")]


def merged(result: MergeResult, locale: str | None) -> str:
    return t(
        locale,
        "customers.merge.done",
        merged=bk.escape(result.merged),
        customer=bk.escape(result.into.name),
        deals=plural(locale, "customers.merge.deals", result.deals),
        activities=plural(locale, "customers.merge.activities", result.activities),
    )


def picker_options(found: list[Customer], typed: str, locale: str | None) -> list[bk.Block]:
    """Type-ahead options for the deal form's customer menu: the matches, then the typed name as new.

    The value is the customer's name (what the form records), so names over Slack's 150-character
    option value are left out (type them in `/deal` instead)."""
    options = [
        bk.option(bk.truncate(c.name, OPTION_TEXT), c.name) for c in found if len(c.name) <= OPTION_VALUE
    ]
    typed = " ".join(typed.split())
    known = {customer_key(c.name) for c in found}
    if typed and len(typed) <= OPTION_VALUE and customer_key(typed) not in known:
        options.append(
            bk.option(bk.truncate(t(locale, "customers.picker.new", typed=typed), OPTION_TEXT), typed)
        )
    return options


def customer_picker(locale: str | None, initial: str | None = None) -> bk.Block:
    """The deal form's customer input: a type-ahead menu of the workspace's customers, where a name
    not yet known can be picked as a new customer (`picker_options` answers as the rep types)."""
    chosen = (
        bk.option(bk.truncate(initial, OPTION_TEXT), initial)
        if initial and len(initial) <= OPTION_VALUE
        else None
    )
    return bk.external_select_input(
        "customer",
        t(locale, "modal.deal.customer"),
        CUSTOMER_SEARCH,
        placeholder=t(locale, "customers.picker.placeholder"),
        initial=chosen,
    )
