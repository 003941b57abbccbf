"""The `/team` parser and role rules, without Slack."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.team.syntax import TeamSyntaxError, parse_team_command, unquote
from storage.team import MAX_DUTIES, is_valid_role

LI = "<@U0002|li>"


@pytest.mark.parametrize(
    ("text", "verb"),
    [("", "roster"), ("list", "roster"), ("POST", "post"), ("help", "help"), ("load", "load")],
)
def test_read_verbs(text, verb):
    assert parse_team_command(text).verb == verb


def test_card():
    cmd = parse_team_command(f"  {LI} ")
    assert (cmd.verb, cmd.user_id) == ("card", "U0002")


@pytest.mark.parametrize(
    ("text", "role"),
    [
        (f"role {LI} account-manager", "account-manager"),
        (f"role {LI} Manager", "manager"),
        (f"role after-sales {LI}", "after-sales"),
        (f"role {LI} closer", "closer"),
        (f"role {LI} 售前", "售前"),
        (f"role {LI} " + "a" * 32, "a" * 32),
    ],
)
def test_roles(text, role):
    cmd = parse_team_command(text)
    assert (cmd.verb, cmd.user_id, cmd.value) == ("role", "U0002", role)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("role account-manager", "team.error.no_member"),
        (f"role {LI}", "team.error.no_role"),
        (f"role {LI} <@U0003|sam> rep", "team.error.one_member"),
        (f"role {LI} account manager", "team.error.bad_role"),
        (f"role {LI} sales_rep", "team.error.bad_role"),
        (f"role {LI} -rep", "team.error.bad_role"),
        (f"role {LI} " + "a" * 33, "team.error.bad_role"),
        (f"role {LI} <!here>", "team.error.bad_role"),
        (f"duties {LI}", "team.error.no_duties"),
        (f'duties {LI} ""', "team.error.no_duties"),
        ("duties Owns APAC", "team.error.no_member"),
        (f"duties {LI} " + "x" * (MAX_DUTIES + 1), "team.error.duties_too_long"),
        (f"title {LI} " + "x" * 121, "team.error.title_too_long"),
        (f"{LI} manager", "team.error.card_extra"),
        ("promote everyone", "team.error.unknown_verb"),
    ],
)
def test_refusals(text, key):
    with pytest.raises(TeamSyntaxError) as info:
        parse_team_command(text)
    assert info.value.key == key


@pytest.mark.parametrize(
    ("text", "duties"),
    [
        (f'duties {LI} "Owns enterprise renewals in APAC"', "Owns enterprise renewals in APAC"),
        (f"duties {LI} Owns enterprise renewals in APAC", "Owns enterprise renewals in APAC"),
        (f"duties {LI} “Owns APAC”", "Owns APAC"),
        (f"duties {LI} Backs up <@U0003|sam> on APAC", "Backs up <@U0003|sam> on APAC"),
        (f"duties {LI} -", ""),
        (f"duties {LI} clear", ""),
        (f"duties {LI} " + "x" * MAX_DUTIES, "x" * MAX_DUTIES),
    ],
)
def test_duties(text, duties):
    cmd = parse_team_command(text)
    assert (cmd.verb, cmd.user_id, cmd.value) == ("duties", "U0002", duties)


def test_titles():
    assert parse_team_command(f'title {LI} "Sales Champion"').value == "Sales Champion"
    assert parse_team_command(f"title {LI} -").value is None


@given(st.text(max_size=200))
def test_any_text_parses_or_is_refused_with_a_catalogue_key(text):
    try:
        cmd = parse_team_command(text)
    except TeamSyntaxError as error:
        assert error.key.startswith("team.error.")
        return
    if cmd.verb == "role":
        assert is_valid_role(cmd.value)
    if cmd.verb == "duties":
        assert len(cmd.value) <= MAX_DUTIES


@given(
    st.text(min_size=1, max_size=MAX_DUTIES).filter(
        lambda s: s.strip() == s and s.lower() not in {"-", "clear", "none"}
    )
)
def test_quoted_duties_come_back_as_typed(duties):
    text = f'duties {LI} "{duties}"'
    try:
        cmd = parse_team_command(text)
    except TeamSyntaxError as error:
        assert error.key == "team.error.no_duties" and not unquote(f'"{duties}"')
        return
    assert cmd.value == unquote(f'"{duties}"')
    if not duties.startswith(('"', "“", "”", "'")) and not duties.endswith(('"', "”", "“")):
        assert cmd.value == duties.strip()


@given(st.text(max_size=40))
def test_valid_roles_are_one_lower_case_word(role):
    if is_valid_role(role):
        assert role == role.lower() and role.split() == [role] and "_" not in role and len(role) <= 32
