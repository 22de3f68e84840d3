"""From the bytes people upload to a clean UTF-8 file DuckDB can read.

One streaming pass (DESIGN §4): decode (UTF-8 with or without BOM, UTF-16
with BOM, else Windows-1252, decoded exactly: cp1252 is not latin-1), drop
the file's header block, write a header of safe column names (c0, c1, ...)
and the data as UTF-8. DuckDB then reads the data rows only, as text. The
header block is parsed here, quote-aware, because header cells can hold
line breaks and DuckDB's ``skip`` counts physical lines.

The same pass makes every line ending outside quotes LF (exports end lines
with LF, CR LF, CR CR LF or a lone CR, and DuckDB reads one kind per file)
and counts what the file really holds — rows, columns in each row, characters
in each cell — refusing it as soon as one passes the organization's limits,
before DuckDB reads anything (a row of a million columns costs DuckDB minutes).
Any error a parser raises on the way becomes a refusal in our words.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from operator import methodcaller
from pathlib import Path

import duckdb

from dashboard.ingest import layouts, workbook
from dashboard.ingest.layouts import Layout
from dashboard.ingest.limits import DEFAULTS, Limits
from dashboard.ingest.report import ImportRefused, Problem

CHUNK = 1 << 20
HEAD = 1 << 20  # bytes read up front to find the encoding, delimiter and header block
DELIMITERS = (",", ";", "\t")
SIGNATURES = {
    b"PK\x03\x04": "a zip file (not an Excel workbook)",
    b"\xd0\xcf\x11\xe0": (
        "an old Excel workbook (.xls) or a password-protected one: open it in Excel, remove "
        "any password and save it as CSV"
    ),
    b"%PDF": "a PDF document",
}
LINE_END = re.compile(r"\r\r\n|\r\n?")  # CR CR LF first: Qualtrics has written it as one ending
NOT_QUOTES = bytes(byte for byte in range(256) if byte not in b'"\n')  # bytes to drop
UNCLOSED = "Look for a quote that is never closed. "  # the usual reason a cell runs on
UNREADABLE = (
    "The file cannot be read as text: save it again from the program that made it, as "
    "CSV UTF-8, and upload that."
)


@dataclass(frozen=True)
class Source:
    """An uploaded file: a path on disk, or bytes held in memory (the Upload page)."""

    name: str
    path: Path | None = None
    data: bytes | None = None

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else self.path.stat().st_size

    def chunks(self) -> Iterator[bytes]:
        if self.data is not None:
            for start in range(0, len(self.data), CHUNK):
                yield self.data[start : start + CHUNK]
            return
        with self.path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    def head(self) -> bytes:
        if self.data is not None:
            return self.data[:HEAD]
        with self.path.open("rb") as handle:
            return handle.read(HEAD)


@dataclass(frozen=True)
class TextFile:
    path: Path  # UTF-8, header "c0,c1,...", then the data rows
    encoding: str
    delimiter: str
    layout: Layout  # the tool that made it, its header rows and column names
    content_hash: str
    notes: tuple[str, ...] = ()
    longest: int = 0  # characters in the longest row, quotes and all

    @property
    def header(self) -> list[str]:
        return self.layout.headers

    @property
    def header_rows(self) -> int:
        return self.layout.header_rows


def refuse(message: str) -> ImportRefused:
    return ImportRefused([Problem(message)])


def prepare(
    source: Source,
    *,
    workdir: Path,
    limit_bytes: int,
    sheet: str | None = None,
    limits: Limits = DEFAULTS,
) -> TextFile:
    """Check, decode and rewrite the file; ImportRefused says why it cannot be read."""
    if source.size > limit_bytes:
        raise refuse(
            f"The file is {source.size / 1e6:,.1f} MB; the limit is {limit_bytes / 1e6:,.0f} MB "
            "(the max_upload_mb setting). Split the export, or ask an admin to raise the limit."
        )
    try:
        return _prepare(source, workdir, sheet, limits)
    except ImportRefused:
        raise
    except Exception as problem:  # a parser's own error, whatever the file held: say it our way
        raise refuse(UNREADABLE) from problem


def _prepare(source: Source, workdir: Path, sheet: str | None, limits: Limits) -> TextFile:
    head = source.head()
    if not head.strip():
        raise refuse("The file is empty.")
    if workbook.is_workbook(head, source):
        return _from_workbook(source, workdir, sheet, limits)
    encoding = _encoding(head)
    try:
        return _rewrite(source, head, encoding, workdir, limits)
    except UnicodeDecodeError:
        if encoding != "utf-8":
            raise refuse(
                f"The file is not readable text in {_ENCODING_NAMES[encoding]}: save it again "
                "as CSV UTF-8."
            ) from None
    try:
        return _rewrite(source, head, "cp1252", workdir, limits)
    except UnicodeDecodeError:
        raise refuse(
            "The file has bytes that are neither UTF-8 nor Windows-1252 text: save it again "
            "as CSV UTF-8."
        ) from None


def _from_workbook(source: Source, workdir: Path, sheet: str | None, limits: Limits) -> TextFile:
    sheet_csv = workdir / "sheet.csv"
    note = workbook.to_csv(source, sheet_csv, sheet, limits)  # within max_unpacked_mb
    text = _prepare(Source(source.name, path=sheet_csv), workdir, None, limits)
    digest = hashlib.sha256()
    for chunk in source.chunks():  # the workbook's own bytes identify it
        digest.update(chunk)
    return replace(
        text, encoding="an Excel workbook", content_hash=digest.hexdigest(), notes=(note,)
    )


_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with byte order mark)",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
}


def _encoding(head: bytes) -> str:
    for signature, what in SIGNATURES.items():
        if head.startswith(signature):
            raise refuse(f"This is {what}, not a text export: save it as CSV and upload that.")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head[:8192]:
        raise refuse("This is not a text file: save the export as CSV (or TSV) and upload that.")
    return "utf-8"


def _decoded(source: Source, encoding: str, digest) -> Iterator[tuple[str, bool]]:
    """The text, chunk by chunk, and whether it is the last; the raw bytes are hashed on
    the way (the file's identity)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    for chunk in source.chunks():
        digest.update(chunk)
        yield decoder.decode(chunk), False
    yield decoder.decode(b"", final=True), True


def _rewrite(source: Source, head: bytes, encoding: str, workdir: Path, limits: Limits) -> TextFile:
    whole = source.size <= len(head)
    head_text = codecs.getincrementaldecoder(encoding)(errors="strict").decode(head, final=whole)
    delimiter = _delimiter(head_text)
    # The head is checked before anything parses it: a header row of a million columns
    # or a cell of megabytes is refused here, in words, with its row.
    head_text = _Records(delimiter, limits).feed(head_text, final=whole)
    records, offsets = _first_records(head_text, delimiter, limit=8)
    if not offsets and not whole:
        raise refuse(
            f"The first row of the file does not end within its first {HEAD // (1 << 20)} MB: "
            "column names are never that long. Look for a quote that is never closed, or check "
            "that this is a survey export."
        )
    if not records or not any(cell.strip() for cell in records[0]):
        raise refuse("The file is empty, or its first row names no columns.")
    layout = layouts.detect(records)
    skip = offsets[layout.header_rows - 1] if layout.header_rows <= len(offsets) else len(head_text)
    scan = _Records(delimiter, limits, header_rows=layout.header_rows)
    path = workdir / "data.csv"
    digest = hashlib.sha256()
    has_data = False
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(f"c{i}" for i in range(len(layout.columns))) + "\n")
        for raw, final in _decoded(source, encoding, digest):
            text = scan.feed(raw, final=final)
            if skip:
                cut = min(skip, len(text))
                text, skip = text[cut:], skip - cut
            if text:
                has_data = has_data or bool(text.strip())
                out.write(text)
    if not has_data:
        raise refuse("The file has a header but no responses.")
    encoding_name = _ENCODING_NAMES[encoding]
    return TextFile(
        path, encoding_name, delimiter, layout, digest.hexdigest(), longest=scan.longest
    )


class _Records:
    """Reads the text as it streams by, chunk after chunk, quote-aware and at C speed
    (str.split, str.count, str.find; no loop per character or per cell in Python).

    It makes every line ending outside quotes LF — inside quotes a line break belongs
    to its cell and stays as it is — and counts rows, columns in each row and
    characters in each cell, refusing the file as soon as one passes the limits.
    Rows are counted when ``header_rows`` is given (the head alone is not the file).

    Most chunks are plain: no line break inside quotes, no lone CR, no line long
    enough to hold a cell or a row over the limits. Those are only skimmed; the rest
    are read exactly, quotes and all.
    """

    def __init__(self, delimiter: str, limits: Limits, header_rows: int | None = None) -> None:
        self.delimiter, self.limits, self.header_rows = delimiter, limits, header_rows
        self.count_separators = methodcaller("count", delimiter)
        # A line no longer than this holds neither a cell nor a row over the limits.
        self.short = min(limits.cell_chars, limits.max_columns - 1)
        self.quoted = False  # inside quotes where the text read so far ends
        self.held = ""  # the open line, or CRs that LF may follow: read with the next chunk
        self.rows = 0  # rows ended so far
        self.separators = 0  # in the row being read, so far
        self.length = 0  # characters of the row being read, so far
        self.cell = 0  # characters of the cell being read, so far
        self.longest = 0  # characters in the longest row (never fewer)

    def feed(self, text: str, *, final: bool = False) -> str:
        """The text with its line endings made LF (``final``: nothing follows it)."""
        text = self.held + text
        text, self.held = self._hold(text) if not final else (text, "")
        plain = self._plain(text)
        if plain is None:
            return self._exact(text)
        self._skim(plain)
        return plain

    def _hold(self, text: str) -> tuple[str, str]:
        """The text to read now, and what waits for the next chunk: a short open line
        (so that chunks end where lines do), else only its CRs (LF may follow them)."""
        cut = text.rfind("\n") + 1
        if len(text) - cut > self.short + 2:
            cut = len(text) - min(2, len(text) - len(text.rstrip("\r")))
        return text[:cut], text[cut:]

    def _plain(self, text: str) -> str | None:
        """The text with LF endings when it is plain, else None."""
        if self.quoted or self.length:
            return None  # an open row or quoted cell goes on: read it exactly
        plain = text.replace("\r\n", "\n") if "\r" in text else text
        if '"' not in text:
            if "\r" in plain:  # a lone CR, or CR CR LF: every one ends a line here
                plain = LINE_END.sub("\n", text)
            return plain if self._short_lines(plain) else None
        if "\r" in plain or not self._short_lines(plain):
            return None  # a lone CR may lie inside quotes: read exactly
        # Each line's quotes, and nothing else: a pair of them opens and closes a quote.
        quotes = plain.encode("utf-8", "surrogatepass").translate(None, NOT_QUOTES)
        if b'"' in quotes.replace(b'""', b""):
            return None  # a line with an odd number of quotes: a line break inside quotes
        return plain

    def _short_lines(self, text: str) -> bool:
        """Whether no line is longer than ``self.short``, searched block by block for a
        line break: a longer line spans a whole block, a line under half as long never
        does (one in between is read exactly)."""
        first, last = text.find("\n"), text.rfind("\n")
        if first < 0:
            return len(text) <= self.short
        if first > self.short or len(text) - last - 1 > self.short:
            return False
        block = max(1, (self.short + 1) // 2)
        return all(
            text.find("\n", start, start + block) >= 0
            for start in range(first + 1, last - block + 1, block)
        )

    def _skim(self, text: str) -> None:
        """Counts for a plain text, which begins a row: its rows, and where the open row
        stands (only the file's last chunk leaves one open)."""
        end = text.rfind("\n")
        self.rows += text.count("\n")
        self.length = len(text) - end - 1
        self.separators = text.count(self.delimiter, end + 1)
        self.cell = len(text) - max(text.rfind(self.delimiter) + 1, end + 1)
        self.longest = max(self.longest, self.short)
        self._check_rows()

    def _exact(self, text: str) -> str:
        """Read the text exactly, split at quotes: the pieces alternate outside and inside
        quotes ("" inside a quoted cell is an empty piece outside, right for endings)."""
        pieces = text.split('"')
        outside = slice(1 if self.quoted else 0, None, 2)
        inside = slice(0 if self.quoted else 1, None, 2)
        if "\r" in text:
            endings = '"'.join(pieces[outside])
            if "\r" in endings:
                pieces[outside] = LINE_END.sub("\n", endings).split('"')
                text = '"'.join(pieces)
        self.quoted ^= len(pieces) % 2 == 0
        self._count(self._shape(pieces, inside, text))
        return text

    def _shape(self, pieces: list[str], inside: slice, text: str) -> str:
        """The text with separators and line breaks inside quotes blanked out, so that
        lines are rows and runs between separators are cells (lengths unchanged)."""
        quoted = '"'.join(pieces[inside])
        if not quoted:
            return text
        blanked = quoted.replace(self.delimiter, " ").replace("\n", " ").replace("\r", " ")
        pieces[inside] = blanked.split('"')
        return '"'.join(pieces)

    def _count(self, shape: str) -> None:
        lines = shape.split("\n")  # the first continues the row being read, the last is open
        separators = list(map(self.count_separators, lines))
        lengths = list(map(len, lines))
        separators[0] += self.separators
        lengths[0] += self.length
        widest = max(separators)
        if widest >= self.limits.max_columns:
            row = self.rows + separators.index(widest) + 1
            raise refuse(self.limits.too_many_columns(f"Row {row}"))
        longest = max(lengths)
        if longest > self.limits.cell_chars:  # only a long row can hold a long cell
            self._check_cells(lines, lengths)
        self.longest = max(self.longest, longest)
        last = lines[-1]
        start = last.rfind(self.delimiter) + 1  # where the open cell begins
        self.cell = self.cell + len(last) if len(lines) == 1 and not start else len(last) - start
        self.rows += len(lines) - 1
        self.separators, self.length = separators[-1], lengths[-1]
        self._check_rows()

    def _check_rows(self) -> None:
        if self.header_rows is not None and self.rows - self.header_rows > self.limits.max_rows:
            raise refuse(self.limits.too_many_rows())

    def _check_cells(self, lines: list[str], lengths: list[int]) -> None:
        for index, line in enumerate(lines):
            if lengths[index] <= self.limits.cell_chars:
                continue
            cells = list(map(len, line.split(self.delimiter)))
            if index == 0:
                cells[0] += self.cell
            longest = max(cells)
            if longest > self.limits.cell_chars:
                column = cells.index(longest) + 1 + (self.separators if index == 0 else 0)
                where = f"Row {self.rows + index + 1}, column {column},"
                raise refuse(self.limits.cell_too_long(where, UNCLOSED))


def read_file(cursor: duckdb.DuckDBPyConnection, table: str, text: TextFile) -> None:
    """Load the rewritten file into temporary table ``table`` as text columns c0, c1, ...

    Rows DuckDB cannot split into the header's number of fields land in
    ``<table>_rejects`` (line 1 is the header, as in a spreadsheet).
    """
    if not re.fullmatch(r"[a-z_]+", table):
        raise ValueError("table must be a plain name")
    types = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(text.header)))
    try:
        cursor.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM read_csv(?, header = true, "  # noqa: S608
            f"delim = ?, quote = '\"', escape = '\"', auto_detect = false, "
            f"columns = {{{types}}}, store_rejects = true, rejects_table = '{table}_rejects', "
            f"rejects_scan = '{table}_scan', max_line_size = {_line_size(text)})",
            [str(text.path), text.delimiter],
        )
    except duckdb.Error as problem:
        line = re.search(r"Line: (\d+)", str(problem))
        where = f" near row {int(line.group(1)) - 1 + text.header_rows}" if line else ""
        raise refuse(
            f"The file cannot be read as CSV{where}: look for an unclosed quote or stray "
            "control characters, or save it again from the spreadsheet program."
        ) from None


def _line_size(text: TextFile) -> int:
    """Bytes DuckDB must allow in one row: every row the limits let through (UTF-8 takes
    at most 4 bytes a character), never less than the 10 MB it always had."""
    return max(10_000_000, 4 * text.longest + 1024)


def _delimiter(text: str) -> str:
    """The separator that splits the header line most (outside quotes); comma on a tie."""
    first_line, in_quotes = [], False
    for char in text:
        if char == '"':
            in_quotes = not in_quotes
        elif char in "\r\n" and not in_quotes:
            break
        if not in_quotes:
            first_line.append(char)
    line = "".join(first_line)
    counts = {d: line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _first_records(text: str, delimiter: str, limit: int) -> tuple[list[list[str]], list[int]]:
    """Up to ``limit`` records from the start of the text (its line endings made LF), and
    where each one ends (the offset just after its LF); no offsets when no record ends in
    the text. Quotes may hold line breaks."""
    offsets, quotes, start = [], 0, 0
    while len(offsets) < limit and (end := text.find("\n", start)) >= 0:
        quotes += text.count('"', start, end)
        start = end + 1
        if quotes % 2 == 0:
            offsets.append(start)
    # The head is 1 MB at most and its cells are within the limits already: let the csv
    # module read any cell of it (its own limit is 128 KB).
    csv.field_size_limit(max(csv.field_size_limit(), HEAD))
    end = offsets[-1] if offsets else len(text)
    try:
        records = list(csv.reader(io.StringIO(text[:end], newline=""), delimiter=delimiter))
    except csv.Error:
        raise refuse(
            "The first rows cannot be read as CSV: look for an unclosed quote or stray control "
            "characters, or save the file again from the spreadsheet program."
        ) from None
    return records, offsets
