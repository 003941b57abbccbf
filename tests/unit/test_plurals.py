"""Counted things read right in English when the count is 1 (Babel's plural rules, not "1 days")."""

from __future__ import annotations

import datetime as dt

from bot.kit.views.followups import line_text
from bot.kit.views.rewards import award_card
from bot.kit.views.standups import standup_list
from handlers.rewards.render import points_view
from storage.followups import LineState, Target
from storage.models import Award, Customer, Deal, Member, Standup, Workspace

MONDAY = dt.date(2026, 3, 9)
ANA = Member(slack_user_id="U1", name="ana")


def test_a_follow_up_one_day_late_is_one_day_ago():
    acme = Customer(name="Acme", segment="new", last_contact_at=None)
    big = Deal(title="Big", customer=acme, amount_minor=100, currency="USD", stage="proposal")
    yesterday = MONDAY - dt.timedelta(days=1)
    customer_line = line_text(
        LineState(Target("customer", 1), "pending", acme, None, yesterday), MONDAY, "en", "UTC"
    )
    deal_line = line_text(LineState(Target("deal", 2), "pending", acme, big, yesterday), MONDAY, "en", "UTC")
    assert "2026-03-08, 1 day ago." in customer_line
    assert "2026-03-08, 1 day ago." in deal_line
    two_days = line_text(LineState(Target("customer", 1), "pending", acme, None, yesterday - dt.timedelta(days=1)),
                         MONDAY, "en", "UTC")  # fmt: skip
    assert "2 days ago." in two_days


def test_a_standup_of_one_has_one_person():
    workspace = Workspace(timezone="UTC", locale="en")
    standup = Standup(
        id=3, name="Daily", channel_id="C1", weekdays=[0, 1, 2, 3, 4], at="09:30", member_zones=False
    )
    text = standup_list([standup], {3: 1}, workspace, "en")
    assert text.endswith("· 1 person"), text


def test_one_point_is_one_point():
    own, _ = points_view(ANA, 1, [], True, "en")
    other, _ = points_view(ANA, 1, [], False, "en")
    assert own == "You have *1* point."
    assert other == "<@U1> has *1* point."
    assert points_view(ANA, 2, [], True, "en")[0] == "You have *2* points."
    _, blocks = award_card(Award(title="Team Player", points=1, reason=None), ANA, ANA, "en")
    assert blocks[-1]["elements"][0]["text"].startswith("+1 point ·")
