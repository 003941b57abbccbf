"""Who may do what: one check per rule, each refused with its one message, before anything is written.

A manager is a member with the manager role or a workspace admin or owner (`Member.is_manager`); an
admin is a workspace admin or owner (`Member.is_workspace_admin`).
"""

from __future__ import annotations

from storage.errors import UserError
from storage.models import Member

MANAGERS_ONLY = "authority.error.managers_only"
ADMINS_ONLY = "authority.error.admins_only"
OTHERS_FIGURES = "authority.error.others_figures"


class NotAllowed(UserError):
    """The member's role does not allow this; nothing was written."""


def require_manager(member: Member) -> None:
    """Team changes (goals, contests, roles, rewards, settings, exports …) are for managers."""
    if not member.is_manager:
        raise NotAllowed(MANAGERS_ONLY)


def require_admin(member: Member) -> None:
    """Changes above a manager (making or unmaking managers, the bot's channels) are for admins."""
    if not member.is_workspace_admin:
        raise NotAllowed(ADMINS_ONLY)


def require_sight_of_others(member: Member) -> None:
    """Everyone sees their own figures; someone else's, or the team's, are for managers."""
    if not member.is_manager:
        raise NotAllowed(OTHERS_FIGURES)
