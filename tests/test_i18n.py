"""The catalogue is complete in both languages, and no handler or view sends English of its own."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from bot.kit.i18n import CATALOGUE, LANGUAGES

ROOT = Path(__file__).resolve().parent.parent


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_exists_in_both_languages_with_the_same_placeholders():
    english = CATALOGUE["en"]
    for language in LANGUAGES:
        assert CATALOGUE[language].keys() == english.keys(), language
    for key, template in english.items():
        assert placeholders(CATALOGUE["zh"][key]) == placeholders(template), key
        assert CATALOGUE["zh"][key].strip(), key


def test_every_template_formats():
    for language in LANGUAGES:
        for key, template in CATALOGUE[language].items():
            assert template.format(**{name: "x" for name in placeholders(template)}), key  # no stray braces


# --- no literal English in handlers and views ----------------------------------------------------

# Where user-visible text goes: keyword arguments, and the positional text arguments of bot.kit.blocks.
TEXT_KEYWORDS = {"text", "title", "submit", "close", "label", "placeholder", "alt_text", "initial_comment"}
# builder name → indices of its positional arguments that are shown to the user
BUILDERS = {
    "header": (0,),
    "section": (0,),
    "context": None,
    "fields": None,
    "plain": (0,),
    "mrkdwn": (0,),
    "button": (0,),
    "option": (0,),
    "text_input": (1,),
    "select_input": (1,),
    "date_input": (1,),
    "input_block": (1,),
    "modal": (1,),
}  # fmt: skip  (None: every positional argument)

EMOJI = re.compile(r":[a-z0-9_+'-]+(::[a-z0-9-]+)?:")
SLACK_SYNTAX = re.compile(r"<[@#!][^>]*>")
FIELD = re.compile(r"\{[^}]*\}")
# Technical strings a user may see and that are the same in every language, each with why.
ALLOWED = {
    "?",  # an unknown person in a redemption card
    " · ",  # a separator between items
}


def literal_parts(node: ast.expr) -> list[str]:
    """The literal text of a string constant or f-string (its formatted values left out)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return literal_parts(node.left) + literal_parts(node.right)
    return []


def is_english(text: str) -> bool:
    if text in ALLOWED or text in CATALOGUE["en"]:
        return False
    rest = FIELD.sub("", SLACK_SYNTAX.sub("", EMOJI.sub("", text)))
    return bool(re.search(r"[A-Za-z]", rest))


def callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def shown_arguments(call: ast.Call) -> list[ast.expr]:
    shown = [k.value for k in call.keywords if k.arg in TEXT_KEYWORDS]
    name = callee(call)
    if name in BUILDERS:
        indices = BUILDERS[name]
        shown += [a for i, a in enumerate(call.args) if indices is None or i in indices]
    return shown


def literal_english(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            for argument in shown_arguments(node):
                found += [(argument.lineno, part) for part in literal_parts(argument) if is_english(part)]
    return found


def scanned_files() -> list[Path]:
    return sorted([*ROOT.glob("handlers/**/*.py"), *ROOT.glob("bot/kit/views/*.py")])


@pytest.mark.parametrize("path", scanned_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_handlers_and_views_send_no_literal_english(path):
    found = literal_english(path.read_text())
    assert not found, f"{path.relative_to(ROOT)}: literal text; put it in bot/kit/messages: {found}"


@pytest.mark.parametrize(
    "source",
    [
        'await ack(text="Coming soon.")',
        'await respond(text=f"Saved {n} deals")',
        'bk.section("*Pipeline*")',
        'bk.button("Approve", "x_approve", "1")',
        'bk.modal("cb", "Settings", [], submit="Save", close=t(locale, "modal.close"))',
        'bk.text_input("name", "Name")',
    ],
)
def test_the_scan_catches_literal_english(source):
    assert literal_english(source)


@pytest.mark.parametrize(
    "source",
    [
        'await ack(text=":warning: " + t(locale, "x"))',
        'bk.section(f"<@{user}> {t(locale, key)}")',
        'bk.button(t(locale, "rewards.button.approve"), "rewards_redemption_approve", str(1))',
        'bk.context(" · ".join(parts))',
        'await ack(text=f"{refusal}\\n\\n{usage}")',
    ],
)
def test_the_scan_lets_technical_strings_through(source):
    assert not literal_english(source)
