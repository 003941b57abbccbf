"""The `/reward` parser: awards, points, the catalogue and redemptions, without Slack."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.kit.i18n import CATALOGUE
from handlers.rewards.syntax import RewardSyntaxError, parse_reward_command
from storage.rewards import DEFAULT_AWARD_POINTS

LI = "<@U0003|li>"


def test_award_with_quoted_title_reason_and_points():
    cmd = parse_reward_command(
        f'{LI} "Sales Champion" for closing 3 enterprise deals in November [points:50]'
    )
    assert cmd.verb == "award"
    assert (cmd.user_id, cmd.title, cmd.reason, cmd.points) == (
        "U0003",
        "Sales Champion",
        "closing 3 enterprise deals in November",
        50,
    )


def test_award_points_default_and_custom_title_and_built_in_without_quotes():
    cmd = parse_reward_command(f"{LI} “Deal Whisperer” for the Acme renewal")
    assert (cmd.title, cmd.reason, cmd.points) == ("Deal Whisperer", "the Acme renewal", DEFAULT_AWARD_POINTS)
    cmd = parse_reward_command(f"{LI} team player for onboarding Sam points:0")
    assert (cmd.title, cmd.reason, cmd.points) == ("Team Player", "onboarding Sam", 0)
    cmd = parse_reward_command(f'{LI} "R&amp;D hero"')  # Slack escapes a typed &
    assert (cmd.title, cmd.reason) == ("R&D hero", "")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('"Sales Champion" for the quarter', "rewards.error.no_user"),
        (f"{LI} <@U0004|sam> " + '"Team Player"', "rewards.error.one_person"),
        (f"{LI} for the quarter", "rewards.error.no_title"),
        (f'{LI} ""', "rewards.error.no_title"),
        (f'{LI} "{"x" * 121}"', "rewards.error.title_too_long"),
        (f'{LI} "Team Player" [points:10001]', "rewards.error.bad_points"),
        (f'{LI} "Team Player" [points:-5]', "rewards.error.bad_points"),
        (f'{LI} "Team Player" [points:lots]', "rewards.error.bad_points"),
        ("points <@U0003|li> <@U0004|sam>", "rewards.error.one_person"),
        ("points please", "rewards.error.points_usage"),
        ("catalogue add", "rewards.error.catalogue_usage"),
        ('catalogue add "Lunch with the VP"', "rewards.error.bad_cost"),
        ('catalogue add "Lunch with the VP" 0', "rewards.error.bad_cost"),
        ('catalogue add "Lunch with the VP" two', "rewards.error.bad_cost"),
        ('catalogue add "Lunch" 200 [stock:-1]', "rewards.error.bad_stock"),
        ('catalogue add "" 200', "rewards.error.no_item_name"),
        ("catalogue remove", "rewards.error.catalogue_usage"),
        ("catalogue burn", "rewards.error.catalogue_usage"),
        ("redeem", "rewards.error.redeem_what"),
    ],
)
def test_refusals(text, key):
    with pytest.raises(RewardSyntaxError) as info:
        parse_reward_command(text)
    assert info.value.key == key
    assert key in CATALOGUE["en"] and key in CATALOGUE["zh"]


def test_catalogue_verbs():
    assert parse_reward_command("catalogue").verb == "catalogue"
    assert parse_reward_command("catalog list").verb == "catalogue"
    cmd = parse_reward_command('catalogue add "Lunch with the VP" 200 [stock:3]')
    assert (cmd.verb, cmd.name, cmd.cost, cmd.stock) == ("catalogue-add", "Lunch with the VP", 200, 3)
    cmd = parse_reward_command("catalogue add Negotiation course seat 1,500")
    assert (cmd.name, cmd.cost, cmd.stock) == ("Negotiation course seat", 1500, None)
    cmd = parse_reward_command('catalogue remove "Lunch with the VP"')
    assert (cmd.verb, cmd.name) == ("catalogue-remove", "Lunch with the VP")
    assert parse_reward_command("catalogue remove 7").name == "7"


def test_points_and_redeem_and_help():
    assert parse_reward_command("").verb == "help"
    assert parse_reward_command("help").verb == "help"
    assert parse_reward_command("points").user_id is None
    assert parse_reward_command(f"points {LI}").user_id == "U0003"
    assert parse_reward_command('redeem "Lunch with the VP"').name == "Lunch with the VP"
    assert parse_reward_command("redeem 3").name == "3"


@given(st.text(max_size=300))
def test_any_text_parses_or_is_refused_with_a_known_message(text):
    try:
        cmd = parse_reward_command(text)
    except RewardSyntaxError as error:
        assert error.key in CATALOGUE["en"]
    else:
        assert cmd.verb in {
            "help",
            "points",
            "award",
            "catalogue",
            "catalogue-add",
            "catalogue-remove",
            "redeem",
        }
        if cmd.verb == "award":
            assert cmd.user_id and 0 < len(cmd.title) <= 120 and 0 <= cmd.points <= 10_000
        if cmd.verb == "catalogue-add":
            assert cmd.name and 1 <= cmd.cost <= 1_000_000


@given(
    st.text(
        alphabet=st.characters(blacklist_characters='"“”„«»「」<>&', blacklist_categories=("Cs",)),
        min_size=1,
        max_size=60,
    ),
    st.integers(min_value=0, max_value=10_000),
)
def test_any_quoted_title_round_trips(title, points):
    if not title.strip():
        return
    cmd = parse_reward_command(f'{LI} "{title}" for the work [points:{points}]')
    assert cmd.title == " ".join(title.split())
    assert cmd.points == points
