"""Every Chinese (and English) catalogue string, filled with sample arguments, keeps Slack's bold rule.

The checker below is written from Slack's rule, independently of bot/kit/emphasis.py: a `*` opens bold
only after the start, whitespace or ASCII punctuation and before a non-space; the closing `*` follows a
non-space and comes before the end, whitespace or ASCII punctuation. A `*` inside `code` is text.
"""

from __future__ import annotations

import string

import pytest

from bot.kit.blocks import mrkdwn
from bot.kit.emphasis import ZERO_WIDTH_SPACE, slack_emphasis
from bot.kit.i18n import CATALOGUE, LANGUAGES, t

BOUNDARY = set(string.whitespace + string.punctuation + ZERO_WIDTH_SPACE)
# Sample arguments as people write them: Chinese names and full-width punctuation at both ends.
SAMPLES = ("Globex", "北京科技", "「二期」", "3")


def bold_marks(line: str, mark: str = "*") -> list[int]:
    """Positions of the `mark` (`*` bold, `~` strike-through) outside code spans."""
    marks, in_code = [], False
    for index, char in enumerate(line):
        if char == "`":
            in_code = not in_code
        elif char == mark and not in_code:
            marks.append(index)
    return marks


def literal_asterisks(text: str) -> list[str]:
    """The bold pairs Slack would leave as literal asterisks, with what surrounds them."""
    faults = []
    for line, mark in ((line, mark) for line in text.split("\n") for mark in "*~"):
        marks = bold_marks(line, mark)
        for opening, closing in zip(marks[::2], marks[1::2], strict=False):
            inside = line[opening + 1 : closing]
            if not inside or inside[0].isspace() or inside[-1].isspace():
                continue  # not a bold pair for Slack at all (`* ` is a list bullet or a multiplication)
            before = line[opening - 1] if opening else ""
            after = line[closing + 1] if closing + 1 < len(line) else ""
            if (before and before not in BOUNDARY) or (after and after not in BOUNDARY):
                faults.append(line[max(0, opening - 2) : closing + 3])
    return faults


def placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_string_renders_bold_that_slack_shows_as_bold(language):
    faults = {}
    for key, template in CATALOGUE[language].items():
        for sample in SAMPLES:
            text = t(language, key, **{name: sample for name in placeholders(template)})
            if found := literal_asterisks(text):
                faults[f"{key} ({sample})"] = found
    assert faults == {}


def test_the_checker_sees_what_slack_would_show_literally():
    assert literal_asterisks("已记录商机：*Globex*，二期") == ["机：*Globex*，二"]
    assert literal_asterisks("收到：*3* · 送出：*2*") == ["到：*3* ·", "出：*2*"]
    assert literal_asterisks("Logged *Acme* (12k).") == []
    assert literal_asterisks("`a*b*c` and 2 * 3 * 4") == []
    assert literal_asterisks("与 Acme 的 ~Big~：已记录") == ["的 ~Big~：已"]


def test_the_boundary_is_invisible_and_only_where_needed():
    assert slack_emphasis("收到：*3*。") == f"收到：{ZERO_WIDTH_SPACE}*3*{ZERO_WIDTH_SPACE}。"
    assert slack_emphasis(slack_emphasis("收到：*3*。")) == slack_emphasis("收到：*3*。")  # once
    assert slack_emphasis("Won *Acme*'s deal: *$5k*!") == "Won *Acme*'s deal: *$5k*!"
    assert slack_emphasis("`minute=*/5` *x*") == "`minute=*/5` *x*"
    assert slack_emphasis("的 ~Big~：") == f"的 ~Big~{ZERO_WIDTH_SPACE}："
    assert slack_emphasis(":white_check_mark: ~Acme~ done") == ":white_check_mark: ~Acme~ done"
    assert mrkdwn("*昨天的计划？*\n答：好")["text"] == "*昨天的计划？*\n答：好"
    assert literal_asterisks(mrkdwn("负责人：*李*（经理）")["text"]) == []
