"""The `/deal` quick syntax parser (pure)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.deals.syntax import DealSyntaxError, parse_deal_command
from storage.models import Stage


def test_won_with_amount_customer_and_title():
    cmd = parse_deal_command('won 12.5k Acme Corp "Annual licence"', "USD")
    assert (cmd.verb, cmd.money.minor, cmd.money.currency) == ("won", 1_250_000, "USD")
    assert (cmd.customer, cmd.title, cmd.stage) == ("Acme Corp", "Annual licence", Stage.WON)


def test_new_with_options():
    cmd = parse_deal_command("new 40k Globex stage:proposal close:2026-12-20", "EUR")
    assert (cmd.customer, cmd.stage, cmd.close) == ("Globex", Stage.PROPOSAL, dt.date(2026, 12, 20))
    assert (cmd.money.minor, cmd.money.currency) == (4_000_000, "EUR")


def test_lost_with_quoted_reason_and_curly_quotes():
    cmd = parse_deal_command('lost Initech competitor:Globex reason:"too expensive"', "USD")
    assert (cmd.verb, cmd.customer, cmd.competitor, cmd.reason) == (
        "lost",
        "Initech",
        "Globex",
        "too expensive",
    )
    cmd = parse_deal_command("won 1k Acme “Big one”", "USD")
    assert cmd.title == "Big one"


@pytest.mark.parametrize(
    ("text", "verb"), [("", "modal"), ("   ", "modal"), ("list", "list"), ("LS", "list"), ("help", "help")]
)
def test_simple_verbs(text, verb):
    assert parse_deal_command(text, "USD").verb == verb


def test_won_without_amount_means_close_an_open_deal():
    cmd = parse_deal_command("won Acme Corp", "USD")
    assert cmd.money is None and cmd.customer == "Acme Corp"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("sell 1k Acme", "deal.error.unknown_verb"),
        ("new Acme", "deal.error.amount_missing"),
        ("won 12k", "deal.error.customer_missing"),
        ("won -5k Acme", "amount.error.not_positive"),
        ("won 0 Acme", "amount.error.not_positive"),
        ("new 1k Acme stage:won", "deal.error.bad_stage"),
        ("new 1k Acme stage:banana", "deal.error.bad_stage"),
        ("new 1k Acme close:next-week", "deal.error.bad_date"),
    ],
)
def test_refusals(text, key):
    with pytest.raises(DealSyntaxError) as info:
        parse_deal_command(text, "USD")
    assert info.value.key == key


@given(st.text(max_size=200))
def test_any_text_parses_or_is_refused_cleanly(text):
    try:
        cmd = parse_deal_command(text, "USD")
    except DealSyntaxError as error:
        assert error.key.split(".")[0] in {"deal", "amount"}
    else:
        assert cmd.verb in {"modal", "new", "won", "lost", "list", "help", "open", "undo", "approval"}
        if cmd.money is not None:
            assert 0 < cmd.money.minor <= 10**15


def test_a_number_opens_that_deal_and_the_lifecycle_verbs_parse():
    assert (parse_deal_command("42", "USD").verb, parse_deal_command("42", "USD").deal_id) == ("open", 42)
    assert parse_deal_command("#7", "USD").deal_id == 7
    assert parse_deal_command("99999999999999", "USD").deal_id == 0  # beyond any id: finds nothing
    assert parse_deal_command("undo", "USD").verb == "undo"
    approval = parse_deal_command("approval 50k", "USD")
    assert (approval.verb, approval.argument) == ("approval", "50k")
    # a number followed by more text is still an amount-less customer word, refused as a verb
    with pytest.raises(DealSyntaxError):
        parse_deal_command("42 Acme", "USD")
