import time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage import money as money_module
from storage.money import (
    MAX_MINOR,
    AmountContext,
    AmountError,
    Money,
    amount_context,
    currency_precision,
    format_money,
    format_money_short,
    is_currency_code,
    looks_like_amount,
    parse_amount,
    take_amount,
)


@pytest.mark.parametrize(
    ("text", "default", "minor", "currency"),
    [
        # plain and grouped numbers
        ("12500", "USD", 1250000, "USD"),
        ("12,500", "USD", 1250000, "USD"),
        ("12,500.50", "USD", 1250050, "USD"),
        ("1,250,000", "USD", 125000000, "USD"),
        ("12500.5", "USD", 1250050, "USD"),
        ("  12500  ", "USD", 1250000, "USD"),
        (".5", "USD", 50, "USD"),
        ("12.", "USD", 1200, "USD"),
        ("+5", "USD", 500, "USD"),
        ("0.01", "USD", 1, "USD"),
        ("007", "USD", 700, "USD"),
        # suffixes, any case
        ("12.5k", "USD", 1250000, "USD"),
        ("12.5K", "USD", 1250000, "USD"),
        ("12.345k", "USD", 1234500, "USD"),
        ("1.2m", "USD", 120000000, "USD"),
        ("1.2M", "USD", 120000000, "USD"),
        ("3bn", "USD", 300000000000, "USD"),
        ("3BN", "USD", 300000000000, "USD"),
        ("3b", "USD", 300000000000, "USD"),
        ("12 k", "USD", 1200000, "USD"),
        ("1,000.5k", "USD", 100050000, "USD"),
        # Chinese units
        ("¥12万", "USD", 12000000, "CNY"),
        ("12万元", "USD", 12000000, "CNY"),
        ("1.5亿", "USD", 15000000000, "USD"),
        ("3千", "CNY", 300000, "CNY"),
        ("1.5亿", "JPY", 150000000, "JPY"),
        # currency symbols, prefix or suffix
        ("$12,500", "EUR", 1250000, "USD"),
        ("€99.99", "USD", 9999, "EUR"),
        ("99.99€", "USD", 9999, "EUR"),
        ("£10", "USD", 1000, "GBP"),
        ("₹1,500", "USD", 150000, "INR"),
        ("₩50000", "USD", 50000, "KRW"),
        ("¥100", "USD", 10000, "CNY"),
        ("￥100", "EUR", 10000, "CNY"),
        ("100元", "USD", 10000, "CNY"),
        ("¥100", "JPY", 100, "JPY"),
        ("￥100", "JPY", 100, "JPY"),
        ("100元", "JPY", 10000, "CNY"),  # 元 is always the yuan; the yen is 円
        ("100円", "USD", 100, "JPY"),
        ("US$5", "EUR", 500, "USD"),
        ("HK$100", "USD", 10000, "HKD"),
        ("hk$100", "USD", 10000, "HKD"),
        ("A$100", "USD", 10000, "AUD"),
        ("C$100", "USD", 10000, "CAD"),
        ("S$100", "USD", 10000, "SGD"),
        ("R$100", "USD", 10000, "BRL"),
        ("$ 12.5k", "EUR", 1250000, "USD"),
        # ISO codes, prefix or suffix, with or without a space, any case
        ("USD 4000", "EUR", 400000, "USD"),
        ("USD4000", "EUR", 400000, "USD"),
        ("usd 4000", "EUR", 400000, "USD"),
        ("4000 eur", "USD", 400000, "EUR"),
        ("4000EUR", "USD", 400000, "EUR"),
        ("cny 12万", "USD", 12000000, "CNY"),
        ("12.5k usd", "EUR", 1250000, "USD"),
        ("12kusd", "EUR", 1200000, "USD"),
        ("5 mxn", "USD", 500, "MXN"),  # "m" + "xn" is not a code, so the whole word is
        ("5m mxn", "USD", 500000000, "MXN"),
        ("1.234 KWD", "USD", 1234, "KWD"),
        ("rmb 100", "USD", 10000, "CNY"),  # common alias for CNY
        ("JPY 120000", "USD", 120000, "JPY"),
        # an explicit code overrides a generic symbol ($, ¥, ￥, 元); a matching one is fine
        ("¥100 JPY", "USD", 100, "JPY"),
        ("$100 CAD", "USD", 10000, "CAD"),
        ("$100 USD", "EUR", 10000, "USD"),
        ("€100 EUR", "USD", 10000, "EUR"),
        # default currency, any case
        ("5", "usd", 500, "USD"),
        ("120000", "JPY", 120000, "JPY"),
        # the limit itself is fine
        ("10,000,000,000,000", "USD", MAX_MINOR, "USD"),
        ("1,000,000,000,000,000", "JPY", MAX_MINOR, "JPY"),
    ],
)
def test_parse_amount_accepts(text, default, minor, currency):
    assert parse_amount(text, default) == Money(minor, currency)


@pytest.mark.parametrize(
    ("text", "default", "reason"),
    [
        ("", "USD", "empty"),
        ("   ", "USD", "empty"),
        ("\t\n", "USD", "empty"),
        ("abc", "USD", "not_a_number"),
        ("Acme", "USD", "not_a_number"),
        ("12..5", "USD", "not_a_number"),
        ("1,2,3,4", "USD", "not_a_number"),
        ("12,50", "USD", "decimal_comma"),  # European decimal comma is not guessed at, but named
        ("1,0000", "USD", "not_a_number"),
        ("k", "USD", "not_a_number"),
        ("$", "USD", "not_a_number"),
        ("USD", "USD", "not_a_number"),
        ("1e999", "USD", "not_a_number"),
        ("1E5", "USD", "not_a_number"),
        ("12kk", "USD", "not_a_number"),
        ("--5", "USD", "not_a_number"),
        ("-$-5", "USD", "not_a_number"),
        ("$5€", "USD", "not_a_number"),
        ("USD 100 EUR", "USD", "not_a_number"),
        ("€100 USD", "USD", "currency_conflict"),  # contradictory specific symbol
        ("$100 EUR", "USD", "currency_conflict"),  # $ is a dollar (or peso), never the euro
        ("12,5k", "USD", "decimal_comma"),
        ("1 000", "USD", "not_a_number"),
        ("１２", "USD", "not_a_number"),  # full-width digits
        ("٣", "USD", "not_a_number"),  # non-ASCII digit
        ("uſd 5", "USD", "not_a_number"),  # long s must not case-fold into "USD"
        ("0", "USD", "not_positive"),
        ("0.00", "USD", "not_positive"),
        ("+0", "USD", "not_positive"),
        ("-0", "USD", "not_positive"),
        ("-5", "USD", "not_positive"),
        ("-5k", "USD", "not_positive"),
        ("-$5", "USD", "not_positive"),
        ("$-5", "USD", "not_positive"),
        ("USD -5", "USD", "not_positive"),
        ("10,000,000,000,000.01", "USD", "too_large"),
        ("10000000000001", "USD", "too_large"),
        ("1000000000000001", "JPY", "too_large"),
        ("10001bn", "USD", "too_large"),
        ("XYZ 100", "USD", "unknown_currency"),
        ("100 xyz", "USD", "unknown_currency"),
        ("5", "XYZ", "unknown_currency"),  # a bad default only matters when it is used
        ("12.345", "USD", "too_precise"),
        ("1.5", "JPY", "too_precise"),
        ("¥1.5", "JPY", "too_precise"),
        ("1.2345 KWD", "USD", "too_precise"),
        ("0.001", "USD", "too_precise"),
        ("12.345678k", "USD", "too_precise"),
    ],
)
def test_parse_amount_refuses(text, default, reason):
    with pytest.raises(AmountError) as excinfo:
        parse_amount(text, default)
    assert excinfo.value.reason == reason


def test_bad_default_is_ignored_when_the_text_names_a_currency():
    assert parse_amount("5 USD", "XYZ") == Money(500, "USD")


@pytest.mark.parametrize("text", ["9" * 10_000, "1" + "0" * 64, "1," * 5_000 + "000", "$" * 10_000])
def test_huge_inputs_are_refused_quickly(text):
    start = time.perf_counter()
    with pytest.raises(AmountError) as excinfo:
        parse_amount(text, "USD")
    assert excinfo.value.reason in {"not_a_number", "too_large"}
    assert time.perf_counter() - start < 0.05


def test_amount_error_is_a_value_error_with_reason():
    with pytest.raises(ValueError, match="not_positive"):
        parse_amount("-5", "USD")


def test_money_major_is_exact_decimal():
    assert Money(1250000, "USD").major() == Decimal("12500.00")
    assert str(Money(1250000, "USD").major()) == "12500.00"
    assert str(Money(120000, "JPY").major()) == "120000"
    assert str(Money(1234, "KWD").major()) == "1.234"
    assert str(Money(10**30 + 1, "USD").major()) == "1" + "0" * 27 + "0.01"


@pytest.mark.parametrize(
    ("minor", "currency", "error"),
    [
        (1.5, "USD", TypeError),
        (True, "USD", TypeError),
        (Decimal(5), "USD", TypeError),
        (5, "usd", ValueError),
    ],
)
def test_money_rejects_non_int_minor_and_lower_case_code(minor, currency, error):
    with pytest.raises(error):
        Money(minor, currency)


@pytest.mark.parametrize(
    ("code", "precision"), [("USD", 2), ("JPY", 0), ("jpy", 0), ("CNY", 2), ("KWD", 3), ("KRW", 0)]
)
def test_currency_precision(code, precision):
    assert currency_precision(code) == precision


@pytest.mark.parametrize(
    ("code", "known"),
    [("USD", True), ("usd", True), ("Eur", True), ("CNY", True), ("XYZ", False), ("RMB", False), ("", False)],
)
def test_is_currency_code(code, known):
    assert is_currency_code(code) is known


@pytest.mark.parametrize(
    "token",
    [
        *["12.5k", "0", "-5k", "+5", "-", ".5", "12万元"],
        *["$5", "€5", "£5", "¥12万", "￥5", "₹5", "₩5", "US$5", "HK$5"],
        *["USD4000", "usd4000", "RMB100"],
    ],
)
def test_looks_like_amount_true(token):
    assert looks_like_amount(token) is True


@pytest.mark.parametrize(
    "token", ["Acme", "Initech", "USD", "usd", "", "  ", ".x", "XYZ100", "k", "元气森林", "EUR-Asia", "万"]
)
def test_looks_like_amount_false(token):
    assert looks_like_amount(token) is False


@pytest.mark.parametrize(
    ("tokens", "default", "expected"),
    [
        (["12.5k", "Acme", "Corp"], "USD", (Money(1250000, "USD"), 1)),
        (["USD", "4000", "Acme"], "EUR", (Money(400000, "USD"), 2)),
        (["4000", "usd", "Acme"], "EUR", (Money(400000, "USD"), 2)),
        (["4000", "EUR"], "USD", (Money(400000, "EUR"), 2)),
        (["¥12万", "Acme"], "JPY", (Money(120000, "JPY"), 1)),
        (["12.5k"], "USD", (Money(1250000, "USD"), 1)),
        (["4000", "XYZ", "Corp"], "USD", (Money(400000, "USD"), 1)),  # unknown code: part of the name
        (["4000", "top", "accounts"], "USD", (Money(400000, "USD"), 1)),  # word-like code in lower case
        (["4000", "TOP"], "USD", (Money(400000, "TOP"), 2)),  # ... but upper case is a code
        (["all", "4000"], "USD", (None, 0)),
        (["Acme"], "USD", (None, 0)),
        (["USD", "Acme"], "USD", (None, 0)),
        (["USD"], "USD", (None, 0)),
        (["元气森林", "5k"], "CNY", (None, 0)),
        ([], "USD", (None, 0)),
    ],
)
def test_take_amount(tokens, default, expected):
    assert take_amount(tokens, default) == expected


@pytest.mark.parametrize(
    ("tokens", "reason"),
    [
        (["-5k", "Acme"], "not_positive"),
        (["0", "Acme"], "not_positive"),
        (["USD", "-5k", "Acme"], "not_positive"),
        (["12..5", "Acme"], "not_a_number"),
        (["$", "Acme"], "not_a_number"),
        (["4000.001", "usd"], "too_precise"),
        (["12.5kk"], "not_a_number"),
        (["€100", "USD"], "currency_conflict"),
    ],
)
def test_take_amount_raises_for_bad_amount_like_token(tokens, reason):
    with pytest.raises(AmountError) as excinfo:
        take_amount(tokens, "USD")
    assert excinfo.value.reason == reason


def test_format_money():
    assert format_money(Money(1250000, "USD")) == "$12,500.00"
    assert format_money(Money(1200000, "CNY"), locale="zh_Hans_CN") == "¥12,000.00"
    assert format_money(Money(120000, "JPY")) == "¥120,000"
    assert format_money(Money(1234, "KWD")) == "KWD1.234"


def test_format_money_short():
    assert format_money_short(Money(1250000, "USD")) == "$12.5K"
    assert format_money_short(Money(150000000, "USD")) == "$1.5M"
    assert format_money_short(Money(12000000, "CNY"), locale="zh_Hans_CN") == "¥12万"


def test_format_money_short_falls_back_to_full_form(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("no compact pattern")

    monkeypatch.setattr(money_module, "format_compact_currency", broken)
    assert format_money_short(Money(1250000, "USD")) == "$12,500.00"


CURRENCIES = st.sampled_from(["USD", "EUR", "JPY", "CNY", "KWD"])


@given(minor=st.integers(1, MAX_MINOR), currency=CURRENCIES)
def test_formatted_major_parses_back(minor, currency):
    money = Money(minor, currency)
    plain = f"{money.major():f}"
    grouped = f"{money.major():,f}"
    assert parse_amount(plain, currency) == money
    assert parse_amount(grouped, currency) == money
    assert parse_amount(f"{grouped} {currency.lower()}", "GBP") == money
    assert parse_amount(f"{currency}{plain}", "GBP") == money


@given(text=st.text())
def test_parse_amount_never_raises_anything_but_amount_error(text):
    _check_total(text)


@given(text=st.text(alphabet="0123456789,.+-kmbKMB千万亿$¥￥€元 usdjpyUSDXYZ", max_size=24))
def test_parse_amount_on_amount_like_garbage(text):
    _check_total(text)


def _check_total(text):
    try:
        result = parse_amount(text, "USD")
    except AmountError as exc:
        assert exc.reason in {
            "empty",
            "not_a_number",
            "not_positive",
            "too_large",
            "unknown_currency",
            "too_precise",
            "decimal_comma",
        }
    else:
        assert type(result.minor) is int
        assert 0 < result.minor <= MAX_MINOR
        assert is_currency_code(result.currency)


@given(n=st.integers(1, 10**14))
def test_k_suffix_multiplies_integers_by_a_thousand(n):
    expected = n * 1000 * 100
    if expected <= MAX_MINOR:
        assert parse_amount(f"{n}k", "USD") == Money(expected, "USD")
        assert parse_amount(f"{n:,}K", "USD") == Money(expected, "USD")
    else:
        with pytest.raises(AmountError) as excinfo:
            parse_amount(f"{n}k", "USD")
        assert excinfo.value.reason == "too_large"


@given(thousandths=st.integers(1, 10**12))
def test_k_suffix_on_decimals_with_up_to_three_places(thousandths):
    text = f"{Decimal(thousandths).scaleb(-3):f}k"  # e.g. 12.345k
    assert parse_amount(text, "USD") == Money(thousandths * 100, "USD")


# --- the currency rule (issue 16, item 2) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "chosen", "written"),
    [
        ("$25k", "EUR", "$ (USD)"),
        ("€3k", "JPY", "€ (EUR)"),
        ("USD 25k", "EUR", "USD"),
        ("¥5000", "JPY", "¥ (CNY)"),  # for a Chinese-speaking member ¥ is the yuan
    ],
)
def test_a_symbol_or_code_disagreeing_with_the_chosen_currency_is_an_error_naming_both(text, chosen, written):
    with pytest.raises(AmountError) as excinfo:
        parse_amount(text, AmountContext(chosen, "zh-CN", chosen=True))
    assert excinfo.value.reason == "currency_conflict"
    assert excinfo.value.params == {"written": written, "chosen": chosen}


@pytest.mark.parametrize(
    ("text", "chosen", "expected"),
    [
        ("$25k", "USD", Money(2_500_000, "USD")),
        ("$25k", "AUD", Money(2_500_000, "AUD")),  # a plain $ is the chosen dollar
        ("25k", "EUR", Money(2_500_000, "EUR")),
        ("JP¥5000", "JPY", Money(5000, "JPY")),
        ("¥5000", "CNY", Money(500_000, "CNY")),
    ],
)
def test_agreeing_or_no_symbol_takes_the_chosen_currency(text, chosen, expected):
    assert parse_amount(text, AmountContext(chosen, "zh-CN", chosen=True)) == expected


def test_yen_sign_in_chinese_is_cny_and_jpy_is_jp_yen_or_code():
    zh = amount_context("JPY", None, "zh-CN")
    assert parse_amount("¥100", zh) == Money(10000, "CNY")
    assert parse_amount("JP¥100", zh) == Money(100, "JPY")
    assert parse_amount("100 JPY", zh) == Money(100, "JPY")
    assert parse_amount("¥100", amount_context("JPY", None, "en-US")) == Money(100, "JPY")


def test_wan_from_a_chinese_member_is_cny_unless_they_set_their_own_currency():
    assert parse_amount("30万", amount_context("USD", None, "zh-CN")) == Money(30_000_000, "CNY")
    assert parse_amount("30万", amount_context("USD", None, "en-US")) == Money(30_000_000, "USD")
    assert parse_amount("30万", amount_context("USD", "USD", "zh-CN")) == Money(30_000_000, "USD")
    assert parse_amount("30k", amount_context("USD", None, "zh-CN")) == Money(3_000_000, "USD")


def test_a_member_currency_comes_before_the_workspace_currency():
    assert parse_amount("25k", amount_context("USD", "EUR")) == Money(2_500_000, "EUR")
    assert parse_amount("25k", amount_context("USD", None)) == Money(2_500_000, "USD")


def test_decimal_comma_suggests_the_point():
    with pytest.raises(AmountError) as excinfo:
        parse_amount("12,5k", "USD")
    assert excinfo.value.params == {"suggestion": "12.5k"}
