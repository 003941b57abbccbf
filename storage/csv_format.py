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
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from storage.errors import UserError
from storage.money import Money

BOM = "\ufeff"
MEGABYTE = 1024 * 1024
DEFAULT_MAX_IMPORT_MB = 50
_CHUNK = MEGABYTE
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
    # The rest of the file could not be read (an unclosed quote): --skip-bad cannot skip it.
    cuts_the_file: bool = False


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def read_file(path: Path, max_mb: int = DEFAULT_MAX_IMPORT_MB) -> bytes:
    """A regular file's bytes, read in chunks and refused beyond `max_mb` megabytes.

    A FIFO or a device (/dev/zero) could hang or never end: FileError before reading a byte.
    Opened non-blocking so that opening a FIFO cannot wait for a writer; the type is checked on
    the open file, so nothing can swap the path between the check and the read.
    """
    limit = max_mb * MEGABYTE
    too_big = FileError(f"larger than {max_mb} MB (pass --max-size-mb to allow more)")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise FileError(f"cannot read it: {error.strerror}") from None
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise FileError(f"not a regular file ({_kind_of(info.st_mode)})")
        if info.st_size > limit:
            raise too_big
        os.set_blocking(descriptor, True)
        chunks, size = [], 0
        while chunk := file.read(_CHUNK):
            size += len(chunk)
            if size > limit:  # it grew while we read
                raise too_big
            chunks.append(chunk)
    return b"".join(chunks)


def _unclosed_quote(lines: Sequence[str], first: int) -> bool:
    """Whether the row starting at line `first` (1-based) opens a quote that never closes.

    The lenient reader ends such a row quietly at the end of the file (or fails on its field size
    limit), so the quotes are followed here as it reads them: a quote opens only at a field's start,
    `""` inside is one quote, and after the closing quote the field runs on unquoted.
    """
    quoted, field_start = False, True
    text = "".join(lines[first - 1 :])
    at = 0
    while at < len(text):
        char = text[at]
        if quoted:
            at = text.find('"', at)
            if at < 0:
                return True
            if text.startswith('""', at):
                at += 1  # an escaped quote
            else:
                quoted = False
        elif char == '"' and field_start:
            quoted, field_start = True, False
        elif char in "\r\n":
            return False  # the row ended with its quotes closed
        else:
            field_start = char == ","
        at += 1
    return quoted


def _swallowed(first: int, last: int) -> str:
    return f"an unclosed quote runs to the end of the file (lines {first}–{last})"


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
    lines = list(io.StringIO(text, newline=""))  # the reader's lines, to find where a quote opened
    reader = csv.reader(lines)
    try:
        header = [header_name(c) for c in next(reader)]
    except StopIteration:
        raise FileError("the file is empty") from None
    except csv.Error as error:
        if _unclosed_quote(lines, 1):
            raise FileError(f"line 1: {_swallowed(1, len(lines))}") from None
        raise FileError(f"unreadable header: {error}") from None
    if reader.line_num == len(lines) and _unclosed_quote(lines, 1):
        raise FileError(f"line 1: {_swallowed(1, len(lines))}")
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
        except csv.Error as error:  # e.g. its field size limit, on the rest of the file in one cell
            reason = _swallowed(line, len(lines)) if _unclosed_quote(lines, line) else f"unreadable: {error}"
            bad.append(BadRow(line, reason, cuts_the_file=True))
            break  # the reader cannot resynchronise after a broken quote
        if reader.line_num == len(lines) and _unclosed_quote(lines, line):
            bad.append(BadRow(line, _swallowed(line, len(lines)), cuts_the_file=True))
            break
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
