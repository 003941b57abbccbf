"""Block Kit for leads: the assignee's DM, the creator's and manager's notes, the modal (pure)."""

from __future__ import annotations

import json
from typing import Any

from bot.kit import blocks as bk
from bot.kit.format import mention, money
from bot.kit.i18n import t
from bot.kit.views.modal import catalogue_modal
from storage.leads import MAX_COMPANY, MAX_NOTES, LeadResult, Move
from storage.models import Deal, Member

# How the assignee got the lead, as told in their DM.
FROM_CREATOR, FROM_PASS, FROM_MANAGER = "lead.dm.from_creator", "lead.dm.from_pass", "lead.dm.from_manager"
NOTES_SHOWN = 1500


def company(deal: Deal) -> str:
    return bk.escape(deal.customer.name)


def amount_text(deal: Deal, locale: str | None) -> str:
    """A lead without an amount (stored as 0) shows "—"."""
    if deal.amount_minor <= 0:
        return t(locale, "lead.none")
    return money(deal.amount_minor, deal.currency, locale)


def button_value(deal: Deal) -> str:
    """ "<deal id>:<owner id>": the lead and whose it must still be for the click to count."""
    return f"{deal.id}:{deal.owner_id}"


def is_row_id(text: str) -> bool:
    """ASCII digits within a 32-bit id (str.isdigit() alone also takes "²", which int() refuses)."""
    return text.isascii() and text.isdigit() and int(text) < 2**31


def target_of(value: str) -> tuple[int, int]:
    """(deal id, expected owner id) from a button value; forged values find nothing."""
    deal, _, owner = (value or "").partition(":")
    if not (is_row_id(deal) and is_row_id(owner)):
        return 0, 0
    return int(deal), int(owner)


def confirmation(result: LeadResult, creator: Member, locale: str | None) -> str:
    """The creator's ephemeral note, naming the assignee."""
    deal = result.deal
    if not result.created:
        text = t(
            locale, "lead.already_created", company=company(deal), id=deal.id, assignee=mention(deal.owner)
        )
    elif result.assignee is None:
        text = t(locale, "lead.created_unassigned", company=company(deal), id=deal.id)
    else:
        text = t(locale, "lead.created", company=company(deal), id=deal.id, assignee=mention(result.assignee))
    if creator.is_manager:
        text += "\n" + t(locale, "lead.reassign_hint", id=deal.id)
    return text


def confirmation_blocks(text: str, result: LeadResult, creator: Member, locale: str | None) -> list[bk.Block]:
    """The confirmation, with a "Reassign to…" menu for managers (the block id names the lead)."""
    blocks = [bk.section(text)]
    if creator.is_manager:
        menu = {
            "type": "users_select",
            "action_id": "lead_reassign",
            "placeholder": bk.plain(t(locale, "lead.reassign_menu")),
        }
        blocks.append(bk.actions(menu, block_id=f"lead_reassign:{result.deal.id}"))
    return blocks


def reassign_target(block_id: str) -> int:
    """The lead id from a "Reassign to…" block id; forged ids find nothing."""
    _, _, deal = block_id.partition(":")
    return int(deal) if is_row_id(deal) else 0


def lead_dm(deal: Deal, by: Member, how: str, locale: str | None) -> tuple[str, list[bk.Block]]:
    """The assignee's DM: the lead, who sent it, and Accept / Pass back buttons naming the owner."""
    text = t(locale, "lead.dm.new", company=company(deal))
    source = bk.escape(deal.customer.source) if deal.customer.source else t(locale, "lead.none")
    # Split the template, not the filled text: an imported customer's source may contain `|`.
    amount = amount_text(deal, locale)
    fields = [f.format(source=source, amount=amount) for f in t(locale, "lead.dm.fields").split("|")]
    blocks = [bk.section(text, block_id="lead"), bk.fields(*fields)]
    if deal.notes:
        notes = bk.escape(bk.truncate(deal.notes, NOTES_SHOWN))
        blocks.append(bk.section(t(locale, "lead.dm.notes", notes=notes)))
    blocks.append(bk.context(t(locale, how, user=mention(by), id=deal.id), block_id="lead_from"))
    value = button_value(deal)
    blocks.append(
        bk.actions(
            bk.button(t(locale, "lead.button.accept"), "lead_accept", value, style="primary"),
            bk.button(t(locale, "lead.button.pass"), "lead_pass", value),
            block_id="lead_actions",
        )
    )
    return text, blocks


def accepted_dm(deal: Deal, locale: str | None) -> tuple[str, list[bk.Block]]:
    text = t(locale, "lead.dm.accepted", company=company(deal), id=deal.id)
    return text, [bk.section(text, block_id="lead_accepted")]


def passed_dm(move: Move, locale: str | None) -> tuple[str, list[bk.Block]]:
    assert move.new_owner is not None
    text = t(
        locale,
        "lead.dm.passed",
        company=company(move.deal),
        id=move.deal.id,
        assignee=mention(move.new_owner),
    )
    return text, [bk.section(text, block_id="lead_passed")]


def reassigned(move: Move, locale: str | None) -> str:
    key = "lead.reassigned" if move.changed else "lead.already_with"
    return t(locale, key, company=company(move.deal), id=move.deal.id, assignee=mention(move.deal.owner))


def moved_away(move: Move, manager: Member, locale: str | None) -> str:
    return t(
        locale,
        "lead.moved_away",
        company=company(move.deal),
        id=move.deal.id,
        assignee=mention(move.deal.owner),
        manager=mention(manager),
    )


def error_params(params: dict[str, Any]) -> dict[str, str]:
    return {k: bk.escape(str(v)) for k, v in params.items()}


def lead_modal(locale: str | None, channel_id: str | None) -> dict[str, Any]:
    body = [
        bk.text_input("company", t(locale, "lead.modal.company"), max_length=MAX_COMPANY),
        bk.text_input(
            "source",
            t(locale, "lead.modal.source"),
            optional=True,
            placeholder=t(locale, "lead.modal.source_hint"),
            max_length=64,
        ),
        bk.text_input(
            "amount",
            t(locale, "lead.modal.amount"),
            optional=True,
            placeholder=t(locale, "lead.modal.amount_hint"),
            max_length=64,
        ),
        bk.text_input(
            "notes", t(locale, "lead.modal.notes"), multiline=True, optional=True, max_length=MAX_NOTES
        ),
    ]
    return catalogue_modal(
        locale, "lead_new", body, keys="lead.modal", metadata=json.dumps({"channel": channel_id})
    )
