"""Counted things read right for 1 and for many, in both languages (issue 16, item 14): a number
next to its noun comes from a `.one`/`.other` pair through bot.kit.format.plural (Babel's rules)."""

from __future__ import annotations

import re

from bot.kit.format import days, points
from bot.kit.i18n import CATALOGUE

COUNTED = re.compile(
    r"\{(\w+)\}\s+(points?|days?|votes?|upvotes?|rows?|deals? won|overdue follow-ups?)(?![\w-])"
)
# A number that is a constant above 1 where it is shown (a limit, a fixed window), each with why.
CONSTANT = {
    "digests.conversion.title": "days",  # the 90-day conversion window
    "training.error.too_far": "days",  # the 365-day planning limit
}


def test_no_english_template_puts_a_count_before_its_noun_by_hand():
    found = {
        key: match.group(0)
        for key, template in CATALOGUE["en"].items()
        if not key.endswith((".one", ".other"))
        for match in COUNTED.finditer(template)
        if CONSTANT.get(key) != match.group(1)
    }
    assert found == {}


def test_points_and_days_follow_each_languages_plural_rule():
    assert [points("en", n) for n in (0, 1, 2)] == ["0 points", "1 point", "2 points"]
    assert [days("en", n) for n in (1, 3)] == ["1 day", "3 days"]
    assert [points("zh-CN", n) for n in (1, 2)] == ["1 积分", "2 积分"]
    assert days("zh-CN", 1) == "1 天"
