"""The presentation helpers every view shares: one way to write a person, a stage, money, a percentage, a count."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.kit.format import mention, money, people, percent, plural, stage_name
from storage.models import Member


def test_a_member_and_a_user_id_are_mentioned_alike():
    ana = Member(slack_user_id="U1")
    assert mention(ana) == mention("U1") == "<@U1>"
    assert people([ana, "U2"]) == "<@U1>, <@U2>"
    assert people([]) == ""


def test_stages_read_in_the_readers_language_and_an_unknown_one_as_stored():
    assert stage_name("won", "en") == "Won"
    assert stage_name("won", "zh-CN") != "Won"
    assert stage_name("archived-by-hand", "en") == "archived-by-hand"


def test_money_and_percentages():
    assert money(1250000, "USD", "en") == "$12,500.00"
    assert percent(Decimal("12.5")) == "12.5%"
    assert percent(Decimal("12.5"), signed=True) == "+12.5%"
    assert percent(Decimal("-3.0"), signed=True) == "-3.0%"
    assert percent(None) == percent(None, signed=True) == "—"


@pytest.mark.parametrize(
    ("count", "english"),
    [(0, "0 upvotes"), (1, "1 upvote"), (2, "2 upvotes"), (21, "21 upvotes")],
)
def test_plurals_follow_babels_rules(count, english):
    assert plural("en", "ideas.card.votes", count) == english
    assert plural("zh-CN", "ideas.card.votes", count) == f"{count} 个赞"  # Chinese has one form
