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
from pathlib import Path

import duckdb

from dashboard.ingest import layouts, workbook
from dashboard.ingest.layouts import Layout
from dashboard.ingest.limits import DEFAULTS, Limits
from dashboard.ingest.records import Records
from dashboard.ingest.report import ImportRefused, refuse

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
    head_text = Records(delimiter, limits).feed(head_text, final=whole)
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
    scan = Records(delimiter, limits, header_rows=layout.header_rows)
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
