"""Authority: one check per rule in storage.authority, each with one message, and no feature keeps its
own "only managers" wording beside them."""

from __future__ import annotations

import pytest

from bot.kit.i18n import CATALOGUE
from storage.authority import (
    ADMINS_ONLY,
    MANAGERS_ONLY,
    OTHERS_FIGURES,
    NotAllowed,
    require_admin,
    require_manager,
    require_sight_of_others,
)
from storage.models import Member, Role

REP = Member(role=Role.REP.value, is_admin=False, is_owner=False)
MANAGER = Member(role=Role.MANAGER.value, is_admin=False, is_owner=False)
ADMIN = Member(role=Role.REP.value, is_admin=True, is_owner=False)
OWNER = Member(role=Role.REP.value, is_admin=False, is_owner=True)


@pytest.mark.parametrize(
    ("rule", "key", "allowed", "refused"),
    [
        (require_manager, MANAGERS_ONLY, (MANAGER, ADMIN, OWNER), (REP,)),
        (require_sight_of_others, OTHERS_FIGURES, (MANAGER, ADMIN, OWNER), (REP,)),
        (require_admin, ADMINS_ONLY, (ADMIN, OWNER), (REP, MANAGER)),
    ],
)
def test_each_rule_allows_its_roles_and_refuses_the_rest_with_its_one_key(rule, key, allowed, refused):
    for member in allowed:
        rule(member)
    for member in refused:
        with pytest.raises(NotAllowed) as caught:
            rule(member)
        assert caught.value.key == key and caught.value.params == {}


def test_only_the_authority_rules_say_who_may_do_something():
    """A feature's own "Only managers …" message is a copy of a rule that will drift from it."""
    rules = {MANAGERS_ONLY, ADMINS_ONLY, OTHERS_FIGURES}
    wording = ("Only managers", "Only workspace admins")
    copies = [key for key, text in CATALOGUE["en"].items() if text.startswith(wording) and key not in rules]
    assert copies == []
    assert all(key in CATALOGUE["en"] and key in CATALOGUE["zh"] for key in rules)
