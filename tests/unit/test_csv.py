"""The pure half of CSV export and import: cells, reading, row parsing, export arguments."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from handlers.admin.export import ExportError, parse_export_args
from storage.csv_format import (
    BadRow,
    FileError,
    RowError,
    amount_cell,
    parse_date,
    parse_time,
    read_csv,
    read_text_cell,
    text_cell,
    time_cell,
)
from storage.imports import REQUIRED_COLUMNS, parse_customer_row, parse_deal_row, parse_money, parse_rows
from storage.models import Stage
from storage.money import MAX_MINOR, Money


@given(st.text())
@example("'=1+1")  # text that starts with the escape itself must come back as it was
@example("''@x")
def test_text_cells_round_trip_and_never_start_a_formula(value):
    cell = text_cell(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert read_text_cell(cell) == value


@given(
    st.datetimes(
        min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=st.timezones()
    )
)
def test_times_round_trip_through_iso_utc(moment):
    cell = time_cell(moment)
    assert cell.endswith("Z")
    assert parse_time(cell) == moment.astimezone(dt.UTC).replace(microsecond=0)


@given(st.dates())
def test_dates_round_trip(day):
    assert parse_date(day.isoformat()) == day


@given(st.integers(min_value=1, max_value=MAX_MINOR), st.sampled_from(["USD", "CNY", "JPY", "KWD", "EUR"]))
def test_amounts_round_trip_through_plain_decimals(minor, currency):
    cell = amount_cell(minor, currency)
    assert "e" not in cell.lower() and "," not in cell
    assert parse_money(cell, currency, "USD") == Money(minor, currency)


def test_amount_cells_are_plain_major_units():
    assert amount_cell(1250000, "USD") == "12500.00"
    assert amount_cell(120000, "JPY") == "120000"


@pytest.mark.parametrize(
    ("amount", "currency", "default", "expected"),
    [
        ("12.5k", "", "USD", Money(1250000, "USD")),
        ("¥12万", "", "USD", Money(12000000, "CNY")),
        ("¥12万", "CNY", "USD", Money(12000000, "CNY")),
        ("4000", "eur", "USD", Money(400000, "EUR")),
        ("1,250.50", "", "CNY", Money(125050, "CNY")),
    ],
)
def test_amounts_take_what_deal_takes(amount, currency, default, expected):
    assert parse_money(amount, currency, default) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "reason"),
    [
        ("twelve", "", "bad amount 'twelve' (not a number)"),
        ("-5", "", "bad amount '-5' (not positive)"),
        ("", "", "bad amount '' (empty)"),
        ("12.345", "USD", "bad amount '12.345' (too precise)"),
        ("€5", "USD", "amount '€5' is in EUR, the currency column says USD"),
        ("5", "XYZ", "unknown currency 'XYZ'"),
    ],
)
def test_bad_amounts_say_why(amount, currency, reason):
    with pytest.raises(RowError) as error:
        parse_money(amount, currency, "USD")
    assert str(error.value) == reason


def test_a_minimal_deal_row():
    row = parse_deal_row(2, {"customer": "  北京  星辰 ", "amount": "12.5k"}, "USD")
    assert (row.customer, row.money, row.stage, row.owner, row.title) == (
        "北京 星辰", Money(1250000, "USD"), Stage.LEAD, None, "",
    )  # fmt: skip
    assert row.source_key.startswith("import:row:")
    again = parse_deal_row(9, {"customer": "北京 星辰", "amount": "12500", "stage": ""}, "USD")
    assert again.source_key == row.source_key  # the same deal, however it is written
    other = parse_deal_row(3, {"customer": "北京 星辰", "amount": "12501"}, "USD")
    assert other.source_key != row.source_key


def test_an_exported_deal_row():
    cells = {
        "id": "42", "customer": "Acme", "title": "'=SUM(A1)", "owner": "U0002", "owner_name": "Ana",
        "amount": "999.50", "currency": "USD", "stage": "Lost", "expected_close": "2031-01-31",
        "created_at": "2030-12-01T08:00:00Z", "closed_at": "2031-01-02T10:30:00+08:00",
        "competitor": "Initech", "lost_reason": "price", "customer_segment": "VIP",
    }  # fmt: skip
    row = parse_deal_row(2, cells, "CNY")
    assert row.source_key == "import:id:42"
    assert (row.title, row.stage, row.money, row.segment) == (
        "=SUM(A1)",
        Stage.LOST,
        Money(99950, "USD"),
        "vip",
    )
    assert row.expected_close == dt.date(2031, 1, 31)
    assert row.created_at == dt.datetime(2030, 12, 1, 8, tzinfo=dt.UTC)
    assert row.closed_at == dt.datetime(2031, 1, 2, 2, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"customer": " ", "amount": "5"}, "customer is empty"),
        ({"customer": "A", "amount": "5", "stage": "closing"}, "unknown stage 'closing'"),
        ({"customer": "A", "amount": "5", "owner": "ana"}, "owner 'ana' is not a Slack user id"),
        (
            {"customer": "A", "amount": "5", "expected_close": "31/01/2031"},
            "expected_close '31/01/2031' is not",
        ),
        ({"customer": "A", "amount": "5", "created_at": "yesterday"}, "created_at 'yesterday' is not"),
        ({"customer": "A", "amount": "5", "closed_at": "2031-01-01"}, "closed_at is set but the stage lead"),
        ({"customer": "A", "amount": "5", "customer_segment": "gold"}, "unknown customer_segment 'gold'"),
        ({"customer": "A" * 201, "amount": "5"}, "customers.error.name_too_long"),  # the domain's refusal
        ({"customer": "A", "amount": "5", "title": "T" * 301}, "deal.error.title_too_long"),
        ({"customer": "A", "amount": "5", "competitor": "C" * 201}, "deal.error.competitor_too_long"),
        ({"customer": "A", "amount": "5", "id": "9" * 101}, "id is longer than 100"),
    ],
)
def test_bad_deal_rows_say_why(cells, reason):
    with pytest.raises(RowError, match=reason):
        parse_deal_row(2, cells, "USD")


def test_customer_rows():
    row = parse_customer_row(2, {"name": " Acme ", "segment": "VIP", "owner": "U0002", "source": "web"})
    assert (row.name, row.segment, row.owner, row.source) == ("Acme", "vip", "U0002", "web")
    assert parse_customer_row(3, {"name": "Acme"}).segment is None
    with pytest.raises(RowError, match="unknown segment 'gold'"):
        parse_customer_row(2, {"name": "Acme", "segment": "gold"})


def test_reading_counts_lines_like_a_text_editor():
    data = (
        '\ufeffCustomer, Amount ,Owner Name\nAcme,5,x\n\n"Multi\nline",6,y\nGlobex,7,z,extra\nShort,8\n'
    ).encode()
    rows, bad = read_csv(data, REQUIRED_COLUMNS["deals"])
    assert rows == [
        (2, {"customer": "Acme", "amount": "5", "owner_name": "x"}),
        (4, {"customer": "Multi\nline", "amount": "6", "owner_name": "y"}),
        (7, {"customer": "Short", "amount": "8", "owner_name": ""}),
    ]
    assert bad == [BadRow(6, "4 cells but the header has 3 columns")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"customer\nAcme\n", "missing column 'amount'"),
        (b"customer,amount,Amount\n", "column 'amount' appears twice"),
        ("customer,amount\nAcmé,5\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_unusable_files(data, message):
    with pytest.raises(FileError, match=message):
        read_csv(data, REQUIRED_COLUMNS["deals"])


def test_parse_rows_reports_bad_rows_in_line_order_and_repeated_deals():
    data = b"id,customer,amount\n1,Acme,5\n2,Globex,x\n1,Acme,5\n,Initech,1\n,initech,1.00\n"
    rows, bad = parse_rows("deals", data, "USD")
    assert [r.line for r in rows] == [2, 5]
    assert [(b.line, b.reason) for b in bad] == [
        (3, "bad amount 'x' (not a number)"),
        (4, "the same deal as line 2"),
        (6, "the same deal as line 5"),
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], None),
        (["help"], None),
        (["deals"], ("deals", "month")),
        (["kudos", "quarter"], ("kudos", "quarter")),
        (["activities", "ALL"], ("activities", "all")),
    ],
)
def test_export_arguments(args, expected):
    assert parse_export_args(args) == expected


@pytest.mark.parametrize(
    ("args", "key", "word"),
    [
        (["ideas"], "exports.error.bad_kind", "ideas"),
        (["deals", "week"], "exports.error.bad_period", "week"),
        (["deals", "month", "extra"], "exports.error.bad_period", "extra"),
    ],
)
def test_bad_export_arguments(args, key, word):
    with pytest.raises(ExportError) as error:
        parse_export_args(args)
    assert error.value.key == key and error.value.params["word"] == word


# --- an unclosed quote swallows the rest of the file: say which lines (issue 17, item 19) --------


@pytest.mark.parametrize(
    "text, line, last",
    [
        ('customer,amount\nAcme,1\n"Globex,2\nInitech,3\n', 3, 4),  # at a row's start
        ('customer,amount\nAcme,"1\n', 2, 2),  # on the last line only
        ('customer,amount\nAcme,"1 ""big"" one\nB,2\nC,3', 2, 4),  # escaped quotes do not close it
        ("customer,amount\nAcme,1\n" + 'B,"' + "x" * 200_000 + "\nC,3\n", 3, 4),  # past the field limit
    ],
)
def test_an_unclosed_quote_reports_the_lines_it_swallowed(text, line, last):
    rows, bad = read_csv(text.encode(), ["customer", "amount"])
    assert [(b.line, b.reason, b.cuts_the_file) for b in bad] == [
        (line, f"an unclosed quote runs to the end of the file (lines {line}–{last})", True)
    ]
    assert all(row_line < line for row_line, _ in rows)


def test_closed_quotes_and_a_stray_quote_inside_a_field_are_not_reported():
    text = 'customer,amount\n"Acme\nEast",1\nO"Brien,2\n"Hooli ""x""",3\n'
    rows, bad = read_csv(text.encode(), ["customer", "amount"])
    assert bad == [] and [r[1]["customer"] for r in rows] == ["Acme\nEast", 'O"Brien', 'Hooli "x"']


def test_an_unclosed_quote_in_the_header_refuses_the_file():
    with pytest.raises(
        FileError, match="line 1: an unclosed quote runs to the end of the file \\(lines 1–3\\)"
    ):
        read_csv(b'customer,"amount\nAcme,1\nB,2\n', ["customer", "amount"])
