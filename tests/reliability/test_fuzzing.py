"""Fuzzing with hypothesis, through the running app: every slash command in manifest.yml and a
representative set of buttons and menus, fed command text, amounts, dates, mentions and values made
of random unicode (control characters, right-to-left marks), 4,000-character strings and forged ids
(other workspaces' users, negative and huge numbers, malformed JSON and Fernet tokens).

Whatever comes in, the app
- never answers 500 (and never fails midway: no ERROR in the log),
- writes nothing when it refuses (decided from what it answered: a :warning: or :no_entry:),
- never sends Slack an unescaped <!channel>, <!here> or <!everyone>, whoever typed it.

One app and one database serve all examples of a test (each example compares its own before and
after), hence the suppressed function-scoped-fixture health check; `max_examples` keeps the file
within its time budget on both databases (DEALBELL_FUZZ_EXAMPLES raises it for a deeper run).
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability import world as w
from tests.reliability.effects import changed, row_counts, settled
from tests.reliability.world import ADMIN, REP

# DEALBELL_FUZZ_EXAMPLES=2000 DEALBELL_FUZZ_SEED=random digs deeper, by hand (minutes, not CI).
FUZZ = settings(
    max_examples=int(os.environ.get("DEALBELL_FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize=os.environ.get("DEALBELL_FUZZ_SEED") != "random",  # CI: the same examples every run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
REFUSED = (":warning:", ":no_entry:")
BROADCAST = re.compile(r"<!(channel|here|everyone)\b")

# --- strategies ----------------------------------------------------------------------------------

TRICKY = st.sampled_from(
    ["\u202e", "\u200f", "\u0000", "\u0007", "\x1b[31m", "\n", "\t", "\r\n", "\ufeff", "\u2028", "𝕬", "👍🏽",
     "²", "٣", "１２", "&amp;", "&lt;", "&gt;", "<", ">", "&", "*", "_", "~", "`", '"', "'", "“", "”", "\\", "%s", "{}", "{user}"]
)  # fmt: skip
UNICODE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 2, 3, 2**31 - 1, 2**31, 99999999999, 2**63 - 1, 2**63, 10**30]),
)
USER_IDS = st.one_of(
    st.sampled_from([ADMIN, REP, w.PEER, "UBOT", "U0001X", "W0BADB0Y", "U", "USLACKBOT"]),
    st.from_regex(r"[UWB][A-Z0-9]{1,12}", fullmatch=True),
)
MENTIONS = st.one_of(
    st.builds(lambda u, n: f"<@{u}|{n}>", USER_IDS, st.text(max_size=8)),
    st.builds(lambda u: f"<@{u}>", USER_IDS),
    st.sampled_from(["<!channel>", "<!here>", "<!everyone>", "<!here|here>", "<!channel|channel>", "@here",
                     "<!subteam^S0001|sales>"]),
    st.builds(lambda c, n: f"<#{c}|{n}>", st.from_regex(r"C[A-Z0-9]{1,10}", fullmatch=True), st.text(max_size=8)),
)  # fmt: skip
AMOUNTS = st.one_of(
    NUMBERS.map(str),
    st.sampled_from(["12.5k", "1.2m", "$12,500", "€900", "USD 4000", "4000 eur", "¥12万", "1.5亿", "1e309", "NaN",
                     "-5k", "0", "0.001", "99999999999999999999k", "1,2,3", "k", "XYZ 5"]),
)  # fmt: skip
DATES = st.one_of(
    st.dates().map(str),
    st.sampled_from(["2026-02-30", "0000-01-01", "9999-12-31", "2026-13-01", "2026-1-1", "tomorrow", "2026-12-01..2026-11-01"]),
    st.builds(lambda a, b: f"{a}..{b}", st.dates(), st.dates()),
)  # fmt: skip
WORDS = st.sampled_from(
    ["help", "won", "new", "lost", "list", "stats", "week", "all", "request", "from", "role", "duties", "title",
     "post", "load", "add", "call", "note", "assign", "top", "schedule", "event", "attendance", "setup", "now",
     "remove", "holidays", "ooo", "clear", "skip", "points", "catalogue", "redeem", "set", "team", "revenue",
     "deals", "month", "quarter", "year", "channels", "values", "kudos", "emoji", "allowance", "cadence",
     "settings", "export", "language", "zh-CN", "manager", "rep", "vip", "for", "--anon", "#teamwork"]
)  # fmt: skip
OPTIONS = st.builds(
    lambda k, v: f"{k}:{v}",
    st.sampled_from(["stage", "close", "competitor", "reason", "segment", "owner", "next", "csat", "source",
                     "amount", "metric", "from", "to", "prize", "team", "points", "stock"]),
    st.one_of(WORDS, AMOUNTS, DATES, MENTIONS, UNICODE),
)  # fmt: skip
TOKEN = st.one_of(
    WORDS, AMOUNTS, DATES, MENTIONS, OPTIONS, TRICKY, UNICODE, st.builds(lambda t: f'"{t}"', UNICODE)
)
TEXT = st.one_of(
    st.lists(TOKEN, max_size=8).map(" ".join),
    st.builds(
        lambda head, fill: f"{head} {fill * 4000}"[:4000],
        WORDS,
        st.sampled_from(["a", "é", "<!here>", "\u202e"]),
    ),
)
MANIFEST = yaml.safe_load((Path(__file__).parents[2] / "manifest.yml").read_text())
COMMANDS = [c["command"] for c in MANIFEST["features"]["slash_commands"]]
FERNET = st.one_of(
    st.from_regex(r"gAAAAA[A-Za-z0-9_\-]{0,120}={0,2}", fullmatch=True),
    st.sampled_from(["gAAAAA", "=", "", "not-a-token"]),
)
JSONISH = st.sampled_from(['{"deal": 1}', '{"deal": "x"}', "[1, 2]", "{", "null", '{"run": -1}', '"', "{}"])
VALUES = st.one_of(
    NUMBERS.map(str),
    st.builds(lambda a, b: f"{a}:{b}", NUMBERS, st.one_of(WORDS, NUMBERS.map(str), UNICODE)),
    st.builds(lambda k, n, d: f"{k}:{n}:{d}", st.sampled_from(["c", "d", "x"]), NUMBERS, DATES),
    FERNET,
    JSONISH,
    UNICODE,
    st.just("9" * 4000),
    st.sampled_from(["²", "1²", "٣", "１２", "2:²", "c:²:2026-01-01"]),  # digits int() takes, or refuses
)
BUTTONS = st.sampled_from(
    ["deal_advance", "deal_won", "deal_lost", "deal_congratulate", "kudos_metoo", "kudos_undo", "ideas_upvote",
     "training_going", "training_not_going", "training_attendance", "lead_accept", "lead_pass",
     "rewards_redemption_approve", "rewards_redemption_decline", "rewards_nomination_announce",
     "rewards_nomination_skip", "home_redeem", "followup_done", "followup_snooze", "followup_open",
     "feedback_reply", "feedback_give", "standup_answer"]
)  # fmt: skip

# --- checks --------------------------------------------------------------------------------------


async def seeded(app) -> None:
    """One small team with a row of each kind for forged ids to find, once per test (not per example)."""
    if getattr(app, "seeded", False):
        return
    await w.meet(app)
    await w.new_deal(app, "Fuzz Co")
    await w.won_deal(app, "Won Co")
    await w.new_idea(app, "fuzz")
    await w.new_give(app, "fuzz")
    await w.new_redemption(app, "fuzz")
    await w.new_nomination(app, "fuzz")
    await w.new_customer(app, "fuzz")
    app.seeded = True


def rendered(value: Any) -> list[str]:
    """The strings Slack would render as mrkdwn: everything but plain_text objects (shown literally)."""
    if isinstance(value, dict):
        if value.get("type") == "plain_text":
            return []
        return [text for item in value.values() for text in rendered(item)]
    if isinstance(value, list):
        return [text for item in value for text in rendered(item)]
    return [value] if isinstance(value, str) else []


def sent_since(app, start: int) -> str:
    return "\n".join(text for c in app.fake.calls[start:] for text in rendered(c.args))


def refused(texts: list[str]) -> bool:
    return any(t.lstrip().startswith(REFUSED) for t in texts)


async def check(app, caplog, request, label: str) -> None:
    """Send `request`; the answer, the rows and what went to Slack must keep the three promises."""
    await seeded(app)
    caplog.clear()
    rows, start = await row_counts(app.db), len(app.fake.calls)
    (reply,) = await settled(request)
    assert reply.status == 200, f"{label}: {reply.status} {reply.text[:200]}"
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, f"{label}: {errors}"
    out = "\n".join(rendered(_answer(reply.text))) + "\n" + sent_since(app, start)
    assert not BROADCAST.search(out), f"{label}: {BROADCAST.search(out)[0]!r} sent unescaped"
    notes = [reply.text and _text_of(reply.text)] + [
        c.args.get("text", "")
        for c in app.fake.calls[start:]
        if c.method in ("response_url", "chat.postEphemeral")
    ]
    if refused([n for n in notes if n]):
        assert changed(rows, await row_counts(app.db)) == {}, f"{label}: refused, yet rows changed"


def _answer(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body


def _text_of(body: str) -> str:
    answer = _answer(body)
    return answer.get("text", "") if isinstance(answer, dict) else str(answer)


# --- the fuzzers ---------------------------------------------------------------------------------


# Each command's verbs, so the fuzzer reaches past "unknown verb" into every subcommand's parser.
VERBS = {
    "/deal": ["won", "new", "lost", "list", "help"], "/kudos": ["stats", "help"], "/feedback": ["request", "help"],
    "/team": ["post", "load", "role", "duties", "title"], "/customer": ["add"], "/log": ["call", "note", "demo"],
    "/lead": ["new", "assign"], "/intel": [""], "/idea": ["top"], "/training": ["schedule", "event", "attendance"],
    "/standup": ["setup", "now", "remove", "holidays add", "holidays remove", "ooo", "skip", "list"],
    "/leaderboard": ["week", "month"], "/reward": ["points", "catalogue add", "catalogue remove", "redeem"],
    "/goal": ["set", "set team"], "/scorecard": ["team"], "/contest": ["new"],
    "/dealbell": ["channels wins", "values add", "kudos emoji", "kudos allowance", "cadence vip", "language",
                  "export deals", "settings"],
}  # fmt: skip


@st.composite
def command_lines(draw: st.DrawFn) -> tuple[str, str]:
    """(command, text): any command with any text, or one of its verbs followed by any tokens."""
    command = draw(st.sampled_from(COMMANDS))
    if draw(st.booleans()):
        return command, draw(TEXT)
    verb = draw(st.sampled_from(VERBS.get(command, [""])))
    return command, f"{verb} {draw(TEXT)}".strip()


@FUZZ
@given(line=command_lines(), user=st.sampled_from([ADMIN, REP]))
async def test_slash_commands_survive_any_text(app, caplog, line, user):
    command, text = line
    caplog.set_level(logging.ERROR)
    await check(app, caplog, app.send.command(command, text, user=user), f"{user} {command} {text[:300]!r}")


@FUZZ
@given(
    action=BUTTONS,
    value=VALUES,
    user=st.sampled_from([ADMIN, REP]),
    lines=st.lists(VALUES.map(lambda v: {"type": "section", "block_id": f"followup_item:{v}"}), max_size=3),
)
async def test_buttons_survive_any_value(app, caplog, action, value, user, lines):
    caplog.set_level(logging.ERROR)
    click: dict[str, Any] = app.send.action_payload(action, value, user=user)
    click["message"]["blocks"] = lines  # the message the button is on (follow-ups redraw its lines)
    await check(app, caplog, app.send.interactive(click), f"{user} {action} {value[:300]!r}")


@FUZZ
@given(
    menu=st.sampled_from(["ideas_status", "lead_reassign"]),
    value=VALUES,
    block=st.one_of(st.just("b"), VALUES.map(lambda v: f"lead_reassign:{v}")),
    chosen=USER_IDS,
)
async def test_menus_survive_any_choice(app, caplog, menu, value, block, chosen):
    caplog.set_level(logging.ERROR)
    picked = {"selected_option": {"value": value}} if menu == "ideas_status" else {"selected_user": chosen}
    click = w.select_payload(app, menu, user=ADMIN, block_id=block, **picked)
    await check(app, caplog, app.send.interactive(click), f"{menu} {value[:200]!r} {block[:100]!r} {chosen}")
