"""storage.customers' matching of typed names, without a database (rows built in memory)."""

import pytest

from storage.customers import _closest, match_key
from storage.models import Customer

NAMES = ("Acme Corp", "Initech", "Globex", "Globe Telecom", "Umbrella Ltd", "阿里巴巴", "Store 12")


def customers() -> list[Customer]:
    return [Customer(id=i, name=name) for i, name in enumerate(NAMES, start=1)]


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("  ACME   Corp. ", "acme corp"),
        ("Acme-Corp", "acme corp"),
        ("ＡＣＭＥ", "acme"),
        ("O'Brien & Co", "o brien co"),
    ],
)
def test_match_key_ignores_case_spacing_punctuation_and_width(typed, key):
    assert match_key(typed) == key


@pytest.mark.parametrize(
    ("typed", "same", "suggested"),
    [
        ("acme corp.", "Acme Corp", None),
        ("Acme Crop", None, "Acme Corp"),
        ("Intech", None, "Initech"),
        ("Umbrella Inc", None, "Umbrella Ltd"),  # only the legal suffix differs
        ("Globx", None, "Globex"),
        ("Glob", None, "Globex"),  # the start of two names: the closer one
        ("Globe T", None, "Globe Telecom"),
        ("阿里巴", None, "阿里巴巴"),
        ("Hooli", None, None),
        ("Acme", None, "Acme Corp"),  # the only name starting so
        ("Store 13", None, None),  # numbers name things: not a typo
        ("Stor 12", None, "Store 12"),
        ("Customer1", None, None),
    ],
)
def test_closest(typed, same, suggested):
    found = _closest(typed, customers())
    assert (found.customer and found.customer.name, found.suggestion and found.suggestion.name) == (
        same,
        suggested,
    )
