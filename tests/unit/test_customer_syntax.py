"""The `/customer` and `/log` parsers (pure)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.customers.syntax import (
    CustomerSyntaxError,
    LogTarget,
    parse_customer_command,
    parse_log_command,
    unescape,
)
from storage.customers import MAX_NAME
from storage.models import ACTIVITY_KINDS, SEGMENTS


def refusal(parse, text: str) -> str:
    with pytest.raises(CustomerSyntaxError) as caught:
        parse(text)
    return caught.value.key


# --- /customer -----------------------------------------------------------------------------------


def test_add_with_quoted_name_segment_and_owner():
    cmd = parse_customer_command('add "Acme Corp" segment:Potential owner:<@U0003|li>')
    assert (cmd.verb, cmd.name, cmd.segment, cmd.owner) == ("add", "Acme Corp", "potential", "U0003")


def test_add_bare_words_curly_quotes_and_a_bare_mention_as_owner():
    assert parse_customer_command("add  Acme   Corp ").name == "Acme Corp"
    assert parse_customer_command("add “Initech: EMEA” <@U0004|sam>").name == "Initech: EMEA"
    assert parse_customer_command("add Initech <@U0004|sam>").owner == "U0004"
    assert parse_customer_command("add Initech").segment is None


def test_slack_escaping_is_undone_in_names():
    assert parse_customer_command("add AT&amp;T").name == "AT&T"
    assert parse_customer_command("AT&amp;T &lt;EU&gt;").name == "AT&T <EU>"


@pytest.mark.parametrize(
    ("text", "verb", "name"),
    [("", "help", ""), ("help", "help", ""), ("HELP", "help", ""), ('"help"', "show", "help"),
     ("Acme", "show", "Acme"), ('"add"', "show", "add"), ("help desk inc", "show", "help desk inc")],
)  # fmt: skip
def test_verbs(text, verb, name):
    cmd = parse_customer_command(text)
    assert (cmd.verb, cmd.name) == (verb, name)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("add", "customers.error.name_missing"),
        ('add ""', "customers.error.name_missing"),
        ("add Acme segment:gold", "customers.error.bad_segment"),
        ("add Acme owner:li", "customers.error.bad_owner"),
        ("add Acme <@U1|a> owner:<@U2|b>", "customers.error.one_owner"),
        ("add Acme segmnet:vip", "customers.error.unknown_option"),
        ('add "Acme', "customers.error.unclosed_quote"),
        ("Acme segment:vip", "customers.error.options_need_add"),
        ("Acme <@U1|a>", "customers.error.options_need_add"),
        ("add " + "x" * (MAX_NAME + 1), "customers.error.name_too_long"),
    ],
)
def test_customer_refusals(text, key):
    assert refusal(parse_customer_command, text) == key


def test_every_segment_is_accepted():
    for segment in SEGMENTS:
        assert parse_customer_command(f"add Acme segment:{segment.upper()}").segment == segment


# --- /log ----------------------------------------------------------------------------------------


def test_log_with_note_next_and_csat():
    cmd = parse_log_command('call Acme "discussed renewal" next:2026-12-01 csat:4')
    assert (cmd.verb, cmd.kind, cmd.next_follow_up, cmd.csat) == ("log", "call", dt.date(2026, 12, 1), 4)
    assert cmd.targets == (LogTarget("Acme", "discussed renewal"),)


def test_quoted_customer_and_quoted_note_name_the_customer_exactly():
    assert parse_log_command('meeting "New Co" went well').targets == (LogTarget("New Co", "went well"),)
    assert parse_log_command('demo Acme Corp "went well" again').targets == (
        LogTarget("Acme Corp", "went well again"),
    )


def test_unquoted_words_offer_every_reading_longest_customer_first():
    assert parse_log_command("visit Acme Corp met Jo").targets == (
        LogTarget("Acme Corp met Jo", ""),
        LogTarget("Acme Corp met", "Jo"),
        LogTarget("Acme Corp", "met Jo"),
        LogTarget("Acme", "Corp met Jo"),
    )


def test_kinds_and_the_feedback_alias():
    for kind in ACTIVITY_KINDS:
        assert parse_log_command(f"{kind.upper()} Acme").kind == kind
    assert parse_log_command("feedback Acme").kind == "customer-feedback"


def test_mentions_links_and_escapes_in_notes_read_as_typed():
    note = parse_log_command('call Acme "with <@U0003|li>, see <https://x.io|x.io> &amp; <#C1|deals>"')
    assert note.targets[0].note == "with @li, see https://x.io & #deals"


@pytest.mark.parametrize("text", ["", "help", "Help"])
def test_log_help(text):
    assert parse_log_command(text).verb == "help"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("dance Acme", "customers.error.bad_kind"),
        ('"Acme" call', "customers.error.kind_missing"),
        ("call", "customers.error.customer_missing"),
        ('call "" hello', "customers.error.customer_missing"),
        ("call next:2026-12-01", "customers.error.customer_missing"),
        ("call Acme next:2026-02-30", "customers.error.bad_date"),
        ("call Acme next:01/12/2026", "customers.error.bad_date"),
        ("call Acme next:２０２６-１２-０１", "customers.error.bad_date"),
        ("call Acme csat:0", "customers.error.bad_csat"),
        ("call Acme csat:6", "customers.error.bad_csat"),
        ("call Acme csat:four", "customers.error.bad_csat"),
        ('call Acme "' + "y" * 1001 + '"', "customers.error.note_too_long"),
        ('call "Acme', "customers.error.unclosed_quote"),
        ('call "' + "x" * (MAX_NAME + 1) + '"', "customers.error.name_too_long"),
    ],
)
def test_log_refusals(text, key):
    assert refusal(parse_log_command, text) == key


# --- open input ----------------------------------------------------------------------------------

words = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


@given(words)
def test_customer_parser_only_ever_refuses_with_a_user_error(text):
    try:
        cmd = parse_customer_command(text)
    except CustomerSyntaxError:
        return
    assert cmd.verb in ("help", "add", "show")
    if cmd.verb != "help":
        assert 0 < len(cmd.name) <= MAX_NAME and cmd.name == " ".join(cmd.name.split())
        assert cmd.segment in (None, *SEGMENTS)


@given(words)
def test_log_parser_only_ever_refuses_with_a_user_error(text):
    try:
        cmd = parse_log_command(text)
    except CustomerSyntaxError:
        return
    if cmd.verb == "log":
        assert cmd.kind in ACTIVITY_KINDS and cmd.targets
        assert all(0 < len(t.customer) <= MAX_NAME for t in cmd.targets)
        assert cmd.csat in (None, 1, 2, 3, 4, 5)


@given(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters='"“”'), min_size=1, max_size=80)
)
def test_a_quoted_name_comes_back_as_typed(name):
    cleaned = " ".join(name.split())
    try:
        cmd = parse_customer_command(f'add "{name}" segment:vip')
    except CustomerSyntaxError as error:
        assert not cleaned and error.key == "customers.error.name_missing"
        return
    assert cmd.name == " ".join(unescape(name).split()) and cmd.segment == "vip"
