"""The CSV file format dealbell writes and reads; no queries, no Slack.

Files are UTF-8 with a byte-order mark, so Excel shows Chinese names correctly; imports accept
files with or without it. Times are ISO 8601 in UTC (``2026-05-04T09:30:00Z``), dates ISO
(``2026-05-31``). A text cell that a spreadsheet would run as a formula (it starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading ``'``; imports drop that
``'`` again. Header names are read case-insensitively, spaces counting as underscores.

The columns of each export are in storage/exports.py, those an import reads in storage/imports.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from storage.errors import UserError
from storage.money import Money

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- cells ---------------------------------------------------------------------------------------


def _looks_escaped(value: str) -> bool:
    """A formula start behind any number of `'`: such text gets one more `'` when written."""
    return value.lstrip("'").startswith(_FORMULA_START)


def text_cell(value: str | None) -> str:
    """Text as written to a cell: a leading `'` keeps spreadsheets from running it as a formula.

    Text that already starts with `'` before a formula start gets one too, so that reading the
    cell back (which drops one) gives the text as it was.
    """
    if not value:
        return ""
    return "'" + value if _looks_escaped(value) else value


def read_text_cell(value: str) -> str:
    """The reverse of `text_cell`."""
    if value.startswith("'") and _looks_escaped(value):
        return value[1:]
    return value


def time_cell(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def date_cell(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else ""


def amount_cell(minor: int, currency: str) -> str:
    """Major units as a plain decimal: 1250000 USD → "12500.00", 120000 JPY → "120000"."""
    return format(Money(minor, currency).major(), "f")


# --- writing -------------------------------------------------------------------------------------


class CsvFile:
    """A CSV being written row by row: UTF-8 with a BOM and CRLF line ends, as spreadsheets expect."""

    def __init__(self, header: Sequence[str]) -> None:
        self._out = io.StringIO()
        self._out.write(BOM)
        self._writer = csv.writer(self._out, lineterminator="\r\n")
        self._writer.writerow(header)
        self.rows = 0  # data rows written so far

    def write(self, row: Iterable[str]) -> None:
        self._writer.writerow(row)
        self.rows += 1

    def encoded(self) -> bytes:
        return self._out.getvalue().encode("utf-8")


# --- reading -------------------------------------------------------------------------------------


class FileError(ValueError):
    """The file as a whole is unusable (not UTF-8, no header, a required column missing)."""


class RowError(ValueError):
    """One row is unusable; the message says why, or `refusal` does: the domain's own, for the caller to word."""

    def __init__(self, reason: str, refusal: UserError | None = None) -> None:
        super().__init__(reason)
        self.refusal = refusal


@dataclass(frozen=True)
class BadRow:
    line: int  # the CSV line the row starts on; the header is line 1
    reason: str
    refusal: UserError | None = (
        None  # a deal or customer the domain refuses (its limits), worded by the caller
    )


def header_name(cell: str) -> str:
    return "_".join(cell.strip().lower().split())


def read_csv(data: bytes, required: Sequence[str]) -> tuple[list[tuple[int, dict[str, str]]], list[BadRow]]:
    """Rows as (line, {column: cell}) and the rows with the wrong number of cells.

    Raises FileError for a file that is not UTF-8, has no header, repeats a column or lacks one
    `required` names. A leading BOM is skipped; blank lines are ignored.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileError(f"not UTF-8 (byte {error.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [header_name(c) for c in next(reader)]
    except StopIteration:
        raise FileError("the file is empty") from None
    except csv.Error as error:
        raise FileError(f"unreadable header: {error}") from None
    repeated = sorted({c for c in header if c and header.count(c) > 1})
    if repeated:
        raise FileError(f"column {repeated[0]!r} appears twice")
    missing = [c for c in required if c not in header]
    if missing:
        raise FileError(f"missing column {missing[0]!r} (the header is line 1)")
    rows: list[tuple[int, dict[str, str]]] = []
    bad: list[BadRow] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            bad.append(BadRow(line, f"unreadable: {error}"))
            break  # the reader cannot resynchronise after a broken quote
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            bad.append(BadRow(line, f"{len(cells)} cells but the header has {len(header)} columns"))
            continue
        cells += [""] * (len(header) - len(cells))
        rows.append((line, {h: c for h, c in zip(header, cells, strict=True) if h}))
    return rows, bad


def parse_date(text: str, column: str = "date") -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RowError(f"{column} {text!r} is not an ISO date (2026-05-31)") from None


def parse_time(text: str, column: str = "time") -> dt.datetime | None:
    """ISO 8601; a time without a zone (or a bare date) is taken as UTC."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise RowError(f"{column} {text!r} is not an ISO 8601 time (2026-05-04T09:30:00Z)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
