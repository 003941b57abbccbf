"""The `/feedback` syntax (pure), and the keyed secrets behind anonymous feedback (no database)."""

from __future__ import annotations

import pytest

from handlers.feedback import render
from handlers.feedback.syntax import (
    MAX_TEXT,
    FeedbackSyntaxError,
    check_text,
    parse_feedback_command,
    plain_text,
    verb_of,
)
from storage import feedback as fb

LI = "<@U0002|li>"


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP", " help "])
def test_help(text):
    assert parse_feedback_command(text).verb == "help"


@pytest.mark.parametrize(
    ("text", "verb"),
    [("", "help"), ("help", "help"), ("help me", "give"), ("Request x", "request"), (f"{LI} hi", "give")],
)
def test_verb_from_the_first_word(text, verb):
    assert verb_of(text) == verb


def test_named_feedback_drops_the_leading_mention():
    cmd = parse_feedback_command(f"{LI}  Great demo, keep it up ")
    assert (cmd.verb, cmd.recipient, cmd.text, cmd.anonymous) == (
        "give",
        "U0002",
        "Great demo, keep it up",
        False,
    )


def test_mention_elsewhere_stays_readable_and_the_same_person_twice_is_one_recipient():
    cmd = parse_feedback_command(f"Thanks for the handover, {LI}! {LI} rocks <@U0002>")
    assert cmd.recipient == "U0002"
    assert cmd.text == "Thanks for the handover, @li! @li rocks @U0002"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{LI} Slow down --anon on demos", "Slow down on demos"),
        (f"--anon {LI} Slow down", "Slow down"),
        (f"{LI} Slow down —anon", "Slow down"),
        (f"{LI} Slow down –ANONYMOUS", "Slow down"),
    ],
)
def test_anon_anywhere_is_stripped(text, expected):
    cmd = parse_feedback_command(text)
    assert (cmd.anonymous, cmd.text) == (True, expected)


def test_anon_inside_a_word_is_text():
    cmd = parse_feedback_command(f"{LI} see x--anon and --anonymously")
    assert (cmd.anonymous, cmd.text) == (False, "see x--anon and --anonymously")


def test_slack_entities_and_references_become_plain_text():
    assert plain_text("a &amp;lt; b &lt;b&gt; <#C1|wins> <https://x.io|x> <!here>") == (
        "a &lt; b <b> #wins https://x.io <!here>"
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("great job", "feedback.error.no_recipient"),
        (f"{LI} <@U0003|sam> great", "feedback.error.one_recipient"),
        (f"{LI} great, and <@U0003> too", "feedback.error.one_recipient"),
        (LI, "feedback.error.empty"),
        (f"{LI} --anon", "feedback.error.empty"),
        (f"{LI} " + "x" * (MAX_TEXT + 1), "feedback.error.too_long"),
        ("<!subteam^S123|@sales> great quarter", "feedback.error.group"),
        (f"{LI} well done <!subteam^S123>", "feedback.error.group"),
    ],
)
def test_bad_feedback(text, key):
    with pytest.raises(FeedbackSyntaxError) as caught:
        parse_feedback_command(text)
    assert caught.value.key == key


def test_group_error_names_the_group():
    with pytest.raises(FeedbackSyntaxError) as caught:
        parse_feedback_command("<!subteam^S123|@sales> hi")
    assert caught.value.params == {"group": "@sales"}


def test_text_limit_is_inclusive():
    assert len(parse_feedback_command(f"{LI} " + "x" * MAX_TEXT).text) == MAX_TEXT
    assert check_text("  ok \n") == "ok"
    with pytest.raises(FeedbackSyntaxError):
        check_text(None)


def test_request():
    cmd = parse_feedback_command("request <@U0002|rep> FROM <@U0003|a> <@U0004|b> <@U0003|a>")
    assert (cmd.verb, cmd.subject, cmd.askees) == ("request", "U0002", ("U0003", "U0004"))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("request", "feedback.error.request_subject"),
        ("request from <@U0003>", "feedback.error.request_subject"),
        ("request <@U0002> <@U0005> from <@U0003>", "feedback.error.request_subject"),
        ("request <@U0002>", "feedback.error.request_askees"),
        ("request <@U0002> from", "feedback.error.request_askees"),
        ("request <@U0002> from <@U0002>", "feedback.error.askee_is_subject"),
        ("request <@U0002> from <@U0003> please", "feedback.error.request_word"),
        ("request <@U0002> from <@U0003> from <@U0004>", "feedback.error.request_word"),
        ("request <@U0002> from <@U0003> --anon", "feedback.error.request_word"),
        ("request <@U0002> from <!subteam^S1|@sales>", "feedback.error.group"),
        (
            "request <@U0002> from " + " ".join(f"<@U1{i:03d}>" for i in range(21)),
            "feedback.error.too_many_askees",
        ),
    ],
)
def test_bad_request(text, key):
    with pytest.raises(FeedbackSyntaxError) as caught:
        parse_feedback_command(text)
    assert caught.value.key == key


# --- rendering -----------------------------------------------------------------------------------


def test_quote_escapes_every_line():
    assert render.quote("a <!channel>\nb & <@U1>") == "> a &lt;!channel&gt;\n> b &amp; &lt;@U1&gt;"


def test_anonymous_dm_names_no_one_and_checkbox_is_read():
    text, card = render.feedback_dm("en", "hi", sender=None, about=None, reply_token="tok")
    assert "<@" not in text and "<@" not in str(card)
    state = {
        "values": {
            "anonymous": {"value": {"type": "checkboxes", "selected_options": [{"value": "anonymous"}]}}
        }
    }
    assert render.chose_anonymous(state) and not render.chose_anonymous({"values": {}})


# --- keyed secrets -------------------------------------------------------------------------------

SECRET = b"test secret"


def test_sender_hash_is_salted_keyed_and_checkable():
    first, second = (fb.sender_hash(SECRET, 1, "U0007") for _ in range(2))
    assert first != second and "U0007" not in first
    assert len(first) <= 128 and first.count("$") == 1
    assert fb.is_sender(SECRET, first, 1, "U0007") and fb.is_sender(SECRET, second, 1, "U0007")
    assert not fb.is_sender(SECRET, first, 2, "U0007")
    assert not fb.is_sender(SECRET, first, 1, "U0008")
    assert not fb.is_sender(b"other", first, 1, "U0007")
    assert not fb.is_sender(SECRET, "zz$00", 1, "U0007")


def test_reply_token_round_trips_and_refuses_tampering_or_another_key():
    ticket = fb.ReplyTicket(workspace_id=3, feedback_id=42, sender="U0007")
    token = fb.seal_reply(SECRET, ticket)
    assert "U0007" not in token and fb.open_reply(SECRET, token) == ticket
    for bad in (token[:-2], token[:30] + ("A" if token[30] != "A" else "B") + token[31:], "", "42", "!!"):
        with pytest.raises(fb.FeedbackError):
            fb.open_reply(SECRET, bad)
    with pytest.raises(fb.FeedbackError):
        fb.open_reply(b"other", token)


def test_request_ticket_is_bound_to_workspace_request_and_person():
    ticket = fb.request_ticket(SECRET, 1, 9, "U0003")
    assert fb.request_id_of(SECRET, 1, ticket, "U0003") == 9
    forged = "8" + ticket[1:]
    for secret, workspace, value, person in [
        (SECRET, 1, ticket, "U0004"),
        (SECRET, 2, ticket, "U0003"),
        (SECRET, 1, forged, "U0003"),
        (b"other", 1, ticket, "U0003"),
        (SECRET, 1, "9", "U0003"),
        (SECRET, 1, "", "U0003"),
    ]:
        with pytest.raises(fb.FeedbackError):
            fb.request_id_of(secret, workspace, value, person)
