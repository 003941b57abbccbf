"""The shared command-text pieces: words, quoted strings, key:value options, mentions, channels,
dates and times, read the same way for every command."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.kit.command_text import (
    CHANNEL_MENTION,
    OPTION,
    QUOTED,
    USER_MENTION,
    WORD,
    Token,
    date_of,
    time_of,
    tokens,
)


def kinds_and_texts(text: str, options=()) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokens(text, options)]


def test_words_quoted_strings_and_options_in_the_order_typed():
    assert kinds_and_texts('won 12k Acme "Annual licence" close:2026-12-20', {"close"}) == [
        (WORD, "won"), (WORD, "12k"), (WORD, "Acme"), (QUOTED, "Annual licence"), (OPTION, "2026-12-20"),
    ]  # fmt: skip


def test_curly_quotes_are_quotes_too_in_strings_and_option_values():
    assert kinds_and_texts("“New Co” notes:“call back”", {"notes"}) == [
        (QUOTED, "New Co"),
        (OPTION, "call back"),
    ]


def test_only_known_keys_are_options_matched_in_any_case_and_their_values_stripped():
    found = tokens('Acme:Labs NOTES:" met at the fair " stage:', {"notes", "stage"})
    assert found == [
        Token(WORD, "Acme:Labs"),  # an unknown key stays a word, as typed
        Token(OPTION, "met at the fair", key="notes"),
        Token(OPTION, "", key="stage"),  # a key with nothing after it: an option with no value
    ]


def test_mentions_and_channels_come_whole_with_their_ids():
    found = tokens("<@U0002|ana> <#C0WINS|wins> <@W0003|Li Wei> <#C0NEW>")
    assert [(t.kind, t.ref) for t in found] == [
        (USER_MENTION, "U0002"), (CHANNEL_MENTION, "C0WINS"), (USER_MENTION, "W0003"), (CHANNEL_MENTION, "C0NEW"),
    ]  # fmt: skip
    assert found[2].text == "<@W0003|Li Wei>"  # a label with a space is still one mention


def test_an_option_whose_value_is_a_mention_carries_its_id():
    (owner,) = tokens("owner:<@U0002|ana>", {"owner"})
    assert (owner.kind, owner.key, owner.text, owner.ref) == (OPTION, "owner", "<@U0002|ana>", "U0002")


def test_a_quote_left_open_is_a_word_that_says_so():
    found = tokens('call Acme "discussed renewal', ())
    assert [t.text for t in found] == ["call", "Acme", '"discussed', "renewal"]
    assert [t.stray_quote for t in found] == [False, False, True, False]
    assert not tokens('"closed"')[0].stray_quote


def test_empty_text_has_no_tokens():
    assert tokens("") == [] and tokens("   ") == []


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-12-01", dt.date(2026, 12, 1)),
        (" 2026-12-1 ", dt.date(2026, 12, 1)),
        ("2028-02-29", dt.date(2028, 2, 29)),
        ("2026-02-29", None),  # no such day
        ("2026-13-01", None),
        ("20261201", None),  # the compact ISO forms fromisoformat would take are not dates here
        ("2026-W49-2", None),
        ("01/12/2026", None),
        ("２０２６-１２-０１", None),  # full-width digits are not numbers (nor are other scripts')
        ("", None),
    ],
)
def test_dates(text, day):
    assert date_of(text) == day


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("9:30", dt.time(9, 30)),
        ("09:30", dt.time(9, 30)),
        ("09：30", dt.time(9, 30)),  # a full-width colon, as Chinese keyboards type it
        ("23:59", dt.time(23, 59)),
        ("24:00", None),
        ("12:60", None),
        ("930", None),
        ("9.30", None),
        ("０９:３０", None),
        ("", None),
    ],
)
def test_times(text, at):
    assert time_of(text) == at


@given(st.text(max_size=80))
def test_any_text_splits_into_its_non_space_pieces(text):
    """Nothing typed is lost or invented: every piece is a run of the text, in order, whatever it holds."""
    found = tokens(text, {"notes", "owner"})
    position = 0
    for token in found:
        assert token.text.strip() == token.text or token.kind == QUOTED
        index = text.find(token.text, position)
        assert index >= 0
        position = index
