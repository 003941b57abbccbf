"""Who may do what: one check per rule, each refused with its one message, before anything is written.

A manager is a member with the manager role or a workspace admin or owner (`Member.is_manager`); an
admin is a workspace admin or owner (`Member.is_workspace_admin`). A member let through by
require_manager or require_admin is the one acting in storage.audit's log for the rest of the request.
"""

from __future__ import annotations

from storage import audit
from storage.errors import UserError
from storage.models import Member

MANAGERS_ONLY = "authority.error.managers_only"
ADMINS_ONLY = "authority.error.admins_only"
OTHERS_FIGURES = "authority.error.others_figures"
SELF_AWARD = "authority.error.self_award"
SELF_APPROVAL = "authority.error.self_approval"
ALONE = "_alone"  # the same refusal, for a workspace where nobody else could do it


class NotAllowed(UserError):
    """The member's role does not allow this; nothing was written."""


def require_manager(member: Member) -> None:
    """Team changes (goals, contests, roles, rewards, settings, exports …) are for managers."""
    if not member.is_manager:
        raise NotAllowed(MANAGERS_ONLY)
    audit.acting(member, audit.MANAGER)  # what follows in this request goes to the audit log


def require_admin(member: Member) -> None:
    """Changes above a manager (making or unmaking managers, the bot's channels) are for admins."""
    if not member.is_workspace_admin:
        raise NotAllowed(ADMINS_ONLY)
    audit.acting(member, audit.ADMIN)


def require_sight_of_others(member: Member) -> None:
    """Everyone sees their own figures; someone else's, or the team's, are for managers."""
    if not member.is_manager:
        raise NotAllowed(OTHERS_FIGURES)


def require_someone_else(actor: Member, beneficiary_id: int, other_managers: int, rule: str) -> None:
    """Nobody decides in their own favour (awarding themself, approving their own redemption):
    another manager or an admin must. With no other manager the refusal says how to get one.

    `rule` is SELF_AWARD or SELF_APPROVAL; `other_managers` counts the managers besides `actor`.
    """
    if actor.id == beneficiary_id:
        raise NotAllowed(rule if other_managers else rule + ALONE)
