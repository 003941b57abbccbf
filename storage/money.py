"""Money amounts: parsing what people type, and formatting for display.

Amounts are kept as integer minor units plus an ISO 4217 code (``Money(1250000, "USD")`` is
USD 12,500.00). Binary floats cannot represent most decimal fractions exactly, so arithmetic here
uses :class:`decimal.Decimal` and stored values are always ints. Currency data (precision, the list
of known codes, display formats) comes from Babel. This module is Slack-free and does no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, Inexact, localcontext
from functools import cache

from babel.numbers import (
    format_compact_currency,
    format_currency,
    get_currency_name,
    get_currency_precision,
    list_currencies,
)

MAX_MINOR: int = 10**15  # amounts over this many minor units are refused
MAX_INPUT_CHARS = 64  # longer input is refused before any regex or Decimal work

_YEN = "yen"  # ¥ and ￥: CNY for a Chinese-speaking member, else see _yen_currency
_DOLLAR = "dollar"  # $: USD, or the dollar (or peso) currency chosen for the amount
_SYMBOLS = {
    "US$": "USD",
    "HK$": "HKD",
    "A$": "AUD",
    "C$": "CAD",
    "S$": "SGD",
    "R$": "BRL",
    "JP¥": "JPY",
    "CN¥": "CNY",
    "$": _DOLLAR,
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "₩": "KRW",
    "¥": _YEN,
    "￥": _YEN,
    "元": "CNY",
    "円": "JPY",
}
_PREFIX_SYMBOLS = tuple(s for s in _SYMBOLS if s not in ("元", "円"))  # 元/円 also start names
_ALIASES = {"RMB": "CNY"}
_CHINESE_MULTIPLIERS = frozenset({"千", "万", "亿"})
_MULTIPLIERS = {
    "k": Decimal(10**3),
    "m": Decimal(10**6),
    "b": Decimal(10**9),
    "bn": Decimal(10**9),
    "千": Decimal(10**3),
    "万": Decimal(10**4),
    "亿": Decimal(10**8),
}
# Codes that are also everyday words: as a separate lower/mixed-case token in a command
# ("/deal 4000 top accounts") they are read as words, not currencies. Upper case still counts.
_WORDLIKE_CODES = frozenset(
    {"ALL", "BAD", "BAN", "BOB", "CAD", "CUP", "ESP", "GEL", "MAD", "MOP", "NIC", "PEN", "RUB", "SIT"}
    | {"SOS", "SUR", "TOP", "TRY"}
)

_SYM = "|".join(re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True))
_AMOUNT_RE = re.compile(
    rf"""
    (?P<sign>[+-])? \s*
    (?P<code1>[a-z]{{3}})? \s*                        # ISO code before: USD 4000, usd4000
    (?P<sym1>{_SYM})? \s*                             # symbol before: $12.5k, ¥12万, HK$100
    (?P<sign2>[+-])?                                  # sign after a prefix: $-5
    (?P<number>
        [0-9]{{1,3}} (?:,[0-9]{{3}})+ (?:\.[0-9]*)?   # grouped by thousands: 12,500  1,250,000.50
      | [0-9]+ (?:\.[0-9]*)?                          # plain: 12500  12500.5  12.
      | \.[0-9]+                                      # bare fraction: .5
    ) \s*
    (?P<mult>k|m|bn|b|千|万|亿)? \s*                  # multiplier: 12.5k  3bn  12万  1.5亿
    (?P<sym2>{_SYM})? \s*                             # symbol after: 100€  12万元
    (?P<code2>[a-z]{{3}})?                            # ISO code after: 4000 eur, 12kusd
    """,
    re.VERBOSE | re.IGNORECASE | re.ASCII,  # ASCII: [a-z] must not match "ſ" or the Kelvin sign
)


class AmountError(ValueError):
    """An unusable amount. ``reason`` is one of: "empty", "not_a_number", "decimal_comma",
    "not_positive", "too_large", "unknown_currency", "too_precise", "currency_conflict".

    ``params`` fill the message: "currency_conflict" names ``written`` (the currency the text
    says) and ``chosen``; "decimal_comma" gives the ``suggestion`` ("12.5k" for "12,5k")."""

    def __init__(self, reason: str, text: str = "", **params: str) -> None:
        super().__init__(f"{reason}: {text!r}" if text else reason)
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class AmountContext:
    """What an amount is read against: the currency of an amount that names none, and whose it is.

    ``chosen``: the currency was picked for this very amount (the deal form's currency menu), so a
    symbol or code naming another is an error rather than an override. ``personal``: it is the
    member's own default (`/dealbell currency`), not the workspace's. ``locale``: the member's;
    for a Chinese-speaking member ¥ is CNY, and 万/亿/千 without a currency are CNY unless the
    member chose their own default.
    """

    default: str
    locale: str | None = None
    chosen: bool = False
    personal: bool = False

    @property
    def chinese(self) -> bool:
        return bool(self.locale) and self.locale.replace("_", "-").lower().startswith("zh")


def amount_context(
    workspace_currency: str, member_currency: str | None = None, locale: str | None = None
) -> AmountContext:
    """The context of a member's typed amount: their own currency first, then the workspace's."""
    if member_currency:
        return AmountContext(member_currency, locale, personal=True)
    return AmountContext(workspace_currency, locale)


def default_currency(workspace_currency: str, member_currency: str | None) -> str:
    """The currency a member's amounts are in unless they say otherwise (the form's initial choice)."""
    return member_currency or workspace_currency


@dataclass(frozen=True)
class Money:
    minor: int  # integer minor units: 1250000 for USD 12,500.00; 120000 for JPY 120000
    currency: str  # ISO 4217 code, upper case

    def __post_init__(self) -> None:
        if type(self.minor) is not int:
            raise TypeError(f"Money.minor must be an int, got {type(self.minor).__name__}")
        if not (len(self.currency) == 3 and self.currency.isascii() and self.currency.isupper()):
            raise ValueError(f"Money.currency must be an upper-case ISO code, got {self.currency!r}")

    def major(self) -> Decimal:
        """The amount in major units, exact: Money(1250000, "USD").major() == Decimal("12500.00")."""
        return Decimal(f"{self.minor}e-{currency_precision(self.currency)}")


@cache
def _known_codes() -> frozenset[str]:
    return frozenset(list_currencies())


def currency_precision(code: str) -> int:
    """Decimal places of the currency's minor unit (USD 2, JPY 0, KWD 3); Babel's default 2 if unknown."""
    return get_currency_precision(code.upper())


def is_currency_code(code: str) -> bool:
    """True for an ISO 4217 code Babel knows, in any case ("usd", "EUR")."""
    return code.upper() in _known_codes()


def _resolve_code(word: str) -> str | None:
    code = word.upper()
    code = _ALIASES.get(code, code)
    return code if code in _known_codes() else None


_DECIMAL_COMMA = re.compile(r"(?P<int>[0-9]+),(?P<frac>[0-9]{1,2})(?![0-9])")


def _refuse_unreadable(text: str) -> AmountError:
    """not_a_number, or decimal_comma with the amount rewritten when only a decimal comma is wrong."""
    rewritten = _DECIMAL_COMMA.sub(r"\g<int>.\g<frac>", text, count=1)
    if rewritten != text and _AMOUNT_RE.fullmatch(rewritten):
        return AmountError("decimal_comma", text, suggestion=rewritten)
    return AmountError("not_a_number", text)


def _is_dollar(code: str) -> bool:
    """Currencies written with a plain $: the dollars and the pesos (Babel's English names)."""
    name = get_currency_name(code, locale="en").lower()
    return "dollar" in name or "peso" in name


def _symbol_currency(symbol: str, against: str | None, context: AmountContext) -> str:
    """The currency a symbol names, read against the currency it is written with (if any)."""
    meant = _SYMBOLS[symbol.upper()]
    usual = against or _resolve_code(context.default)  # what the member counts in
    if meant == _DOLLAR:
        return usual if usual and _is_dollar(usual) else "USD"
    if meant == _YEN:
        if context.chinese:
            return "CNY"  # in Chinese ¥ is the yuan; the yen is JP¥ or JPY
        return "JPY" if usual == "JPY" else "CNY"
    return meant


def _currency_of(m: re.Match[str], context: AmountContext) -> str:
    """The amount's currency: its code, else its symbol, else the context's; conflicts refused."""
    text = m.group(0)
    code = None
    if code_word := m["code1"] or m["code2"]:
        code = _resolve_code(code_word)
        if code is None:
            raise AmountError("unknown_currency", text)
    chosen = _resolve_code(context.default) if context.chosen else None
    if code and chosen and code != chosen:
        raise AmountError("currency_conflict", text, written=code, chosen=chosen)
    if symbol := m["sym1"] or m["sym2"]:
        against = code or chosen
        from_symbol = _symbol_currency(symbol, against, context)
        if against and from_symbol != against:
            raise AmountError("currency_conflict", text, written=f"{symbol} ({from_symbol})", chosen=against)
        return from_symbol
    if code:
        return code
    if context.chinese and not context.personal and not context.chosen and m["mult"] in _CHINESE_MULTIPLIERS:
        return "CNY"  # 30万 from a Chinese-speaking member is yuan, whatever the workspace counts in
    currency = _resolve_code(context.default)
    if currency is None:
        raise AmountError("unknown_currency", context.default)
    return currency


def parse_amount(text: str, context: AmountContext | str) -> Money:
    """Parse "12.5k", "$12,500", "USD 4000", "4000 eur", "¥12万", "1.5亿"... into Money.

    `context` is an AmountContext, or just the default currency's code. Raises AmountError for
    anything unusable; see the module tests for the accepted forms.
    """
    if isinstance(context, str):
        context = AmountContext(context)
    text = text.strip()
    if not text:
        raise AmountError("empty")
    if len(text) > MAX_INPUT_CHARS:
        raise AmountError("not_a_number", text[:20] + "…")
    m = _AMOUNT_RE.fullmatch(text)
    if m is None or (m["code1"] and m["code2"]) or (m["sym1"] and m["sym2"]) or (m["sign"] and m["sign2"]):
        raise _refuse_unreadable(text)
    currency = _currency_of(m, context)

    if "-" in (m["sign"], m["sign2"]):
        raise AmountError("not_positive", text)
    with localcontext() as ctx:
        ctx.prec = 100  # enough for 64 input digits * 10**8 * 10**precision, so nothing rounds
        ctx.traps[Inexact] = True
        number = Decimal(m["number"].replace(",", ""))
        minor = number * _MULTIPLIERS.get((m["mult"] or "").lower(), 1) * 10 ** currency_precision(currency)
    if minor <= 0:
        raise AmountError("not_positive", text)
    if minor > MAX_MINOR:
        raise AmountError("too_large", text)
    if minor != minor.to_integral_value():
        raise AmountError("too_precise", text)
    return Money(int(minor), currency)


def looks_like_amount(token: str) -> bool:
    """Cheap guess whether a command word is meant as an amount (so a bad one gets a clear error
    instead of becoming a customer name): "12.5k", "-5k", "0", ".5", "$5", "€5", "USD4000" are;
    "Acme", "USD", "元气森林" are not."""
    t = token.strip()
    if not t:
        return False
    if t[0] in "0123456789+-" or (t[0] == "." and t[1:2].isdigit() and t[1:2].isascii()):
        return True
    if t.upper().startswith(_PREFIX_SYMBOLS):
        return True
    return len(t) > 3 and _resolve_code(t[:3]) is not None and t[3] in "0123456789."


def _token_code(token: str) -> str | None:
    """A separate command token used as a currency code ("USD", "usd"), or None."""
    code = _resolve_code(token)
    if code in _WORDLIKE_CODES and not token.isupper():
        return None
    return code


def take_amount(tokens: list[str], context: AmountContext | str) -> tuple[Money | None, int]:
    """Parse an amount at the front of a command's words; returns (money, tokens consumed).

    ["12.5k", "Acme"] -> (USD 12,500.00, 1); ["USD", "4000", "Acme"] and ["4000", "usd", "Acme"]
    -> (USD 4,000.00, 2); ["Acme"] and ["USD", "Acme"] -> (None, 0). An amount-like but
    unusable first word ("-5k", "12..5") raises AmountError.
    """
    if not tokens:
        return None, 0
    first, second = tokens[0], (tokens[1] if len(tokens) > 1 else "")
    if _token_code(first) and looks_like_amount(second):
        return parse_amount(f"{first} {second}", context), 2
    if not looks_like_amount(first):
        return None, 0
    if second and _token_code(second):
        return parse_amount(f"{first} {second}", context), 2
    return parse_amount(first, context), 1


def format_money(money: Money, locale: str = "en_US") -> str:
    """Full display form: "$12,500.00" (en_US), "¥12,000.00" (zh_Hans_CN)."""
    return format_currency(money.major(), money.currency, locale=locale)


def format_money_short(money: Money, locale: str = "en_US") -> str:
    """Compact display form for tight places: "$12.5K", "¥1.2万"."""
    try:
        return format_compact_currency(money.major(), money.currency, locale=locale, fraction_digits=1)
    except Exception:  # compact patterns are missing for some locale/currency pairs
        return format_money(money, locale)
