"""Pure parts of leads: the /lead parser, the modal's field readers and the button values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.leads.render import target_of
from handlers.leads.syntax import LeadSyntaxError, parse_lead_command, source_of
from storage.leads import LOAD_WEIGHT_MINOR, RepLoad, normalise_source
from storage.models import Member
from storage.money import Money


def test_quoted_company_and_source():
    cmd = parse_lead_command('new "Globex" source:web', "USD")
    assert cmd.verb == "new"
    assert cmd.lead is not None
    assert (cmd.lead.company, cmd.lead.source, cmd.lead.money, cmd.lead.notes) == ("Globex", "web", None, "")


def test_bare_company_amount_and_notes():
    cmd = parse_lead_command('add Globex  Inc source:Referral amount:20k notes:"met at the fair"', "EUR")
    assert cmd.lead is not None
    assert cmd.lead.company == "Globex Inc"
    assert cmd.lead.source == "referral"
    assert cmd.lead.money == Money(2_000_000, "EUR")
    assert cmd.lead.notes == "met at the fair"


def test_options_anywhere_and_unknown_keys_stay_in_the_name():
    cmd = parse_lead_command("new source:event Acme:Labs “Europe” amount:“USD 4000”", "EUR")
    assert cmd.lead is not None
    assert cmd.lead.company == "Acme:Labs Europe"
    assert cmd.lead.money == Money(400_000, "USD")


def test_empty_verbs():
    assert parse_lead_command("", "USD").verb == "modal"
    assert parse_lead_command("   ", "USD").verb == "modal"
    assert parse_lead_command("HELP", "USD").verb == "help"


def test_assign():
    cmd = parse_lead_command("assign #42 <@U0003|li>", "USD")
    assert (cmd.verb, cmd.deal_id, cmd.user_id) == ("assign", 42, "U0003")
    assert parse_lead_command("assign <@U0003> 7", "USD").deal_id == 7


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Globex source:web", "lead.error.unknown_verb"),
        ("new", "lead.error.company_missing"),
        ('new "  " source:web', "lead.error.company_missing"),
        ("new source:web", "lead.error.company_missing"),
        ("new Globex source:", "lead.error.bad_source"),
        ("new Globex source:web!", "lead.error.bad_source"),
        ('new Globex source:"two words"', "lead.error.bad_source"),
        ("new Globex source:<@U0002>", "lead.error.bad_source"),
        ("new Globex amount:", "lead.error.amount.empty"),
        ("new Globex amount:lots", "lead.error.amount.not_a_number"),
        ("new Globex amount:0", "lead.error.amount.not_positive"),
        ("new Globex amount:-5k", "lead.error.amount.not_positive"),
        ("new Globex amount:12xyz", "lead.error.amount.unknown_currency"),
        ('new Globex notes:"' + "n" * 3001 + '"', "lead.error.notes_too_long"),
        ("assign 42", "lead.error.assign_usage"),
        ("assign <@U0003>", "lead.error.assign_usage"),
        ("assign 42 <@U0003> <@U0004>", "lead.error.assign_usage"),
        ("assign forty-two <@U0003>", "lead.error.assign_usage"),
    ],
)
def test_refusals(text, key):
    with pytest.raises(LeadSyntaxError) as info:
        parse_lead_command(text, "USD")
    assert info.value.key == key


def test_a_name_of_exactly_200_characters_is_accepted():
    cmd = parse_lead_command("new " + "x" * 200, "USD")
    assert cmd.lead is not None and len(cmd.lead.company) == 200


def test_sources_in_any_script_are_one_lower_case_word():
    assert source_of("Trade-Show") == "trade-show"
    assert source_of("展会") == "展会"
    assert source_of(None) is None
    assert normalise_source("-web") is None


def test_button_values():
    assert target_of("42:7") == (42, 7)
    for forged in ("", "42", "42:", ":7", "x:7", "42:seven", "-1:2"):
        assert target_of(forged) == (0, 0)


def test_load_weighs_open_value_against_open_deals():
    member = Member(id=1)
    one_big = RepLoad(member, 1, 12_000_000)  # one 120k deal: 1 + 2.4
    three_small = RepLoad(member, 3, 1_500_000)  # three 5k deals: 3 + 0.3
    assert three_small.weighted < one_big.weighted
    assert RepLoad(member, 2, LOAD_WEIGHT_MINOR).load == 3


@given(st.text(max_size=300))
def test_the_parser_only_ever_refuses_with_a_user_error(text):
    try:
        cmd = parse_lead_command(text, "USD")
    except LeadSyntaxError:
        return
    assert cmd.verb in ("modal", "new", "assign", "help")
    if cmd.verb == "new":
        assert cmd.lead is not None
        assert 0 < len(cmd.lead.company) <= 200 and cmd.lead.company == cmd.lead.company.strip()
        assert cmd.lead.source is None or cmd.lead.source == normalise_source(cmd.lead.source)


@given(
    st.lists(
        st.text(alphabet=st.characters(categories=("L", "N")), min_size=1, max_size=12),
        min_size=1,
        max_size=5,
    )
)
def test_plain_words_become_the_company(words):
    cmd = parse_lead_command("new " + " ".join(words), "USD")
    assert cmd.lead is not None and cmd.lead.company == " ".join(words)
