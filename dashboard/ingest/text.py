"""From the bytes people upload to a clean UTF-8 file DuckDB can read.

One streaming pass (DESIGN §4): decode (UTF-8 with or without BOM, UTF-16
with BOM, else Windows-1252, decoded exactly: cp1252 is not latin-1), drop
the file's header block, write a header of safe column names (c0, c1, ...)
and the data as UTF-8. DuckDB then reads the data rows only, as text. The
header block is parsed here, quote-aware, because header cells can hold
line breaks and DuckDB's ``skip`` counts physical lines.
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
from dashboard.ingest.report import ImportRefused, Problem

CHUNK = 1 << 20
HEAD = 1 << 20  # bytes read up front to find the encoding, delimiter and header block
DELIMITERS = (",", ";", "\t")
SIGNATURES = {
    b"PK\x03\x04": "a zip file (not an Excel workbook)",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls): open it in Excel and save it as CSV",
    b"%PDF": "a PDF document",
}


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

    @property
    def header(self) -> list[str]:
        return self.layout.headers

    @property
    def header_rows(self) -> int:
        return self.layout.header_rows


def refuse(message: str) -> ImportRefused:
    return ImportRefused([Problem(message)])


def prepare(
    source: Source, *, workdir: Path, limit_bytes: int, sheet: str | None = None
) -> TextFile:
    """Check, decode and rewrite the file; ImportRefused says why it cannot be read."""
    if source.size > limit_bytes:
        raise refuse(
            f"The file is {source.size / 1e6:,.1f} MB; the limit is {limit_bytes / 1e6:,.0f} MB "
            "(the max_upload_mb setting). Split the export, or ask an admin to raise the limit."
        )
    head = source.head()
    if not head.strip():
        raise refuse("The file is empty.")
    if workbook.is_workbook(head, source):
        sheet_csv = workdir / "sheet.csv"
        note = workbook.to_csv(source, sheet_csv, sheet)
        text = prepare(Source(source.name, path=sheet_csv), workdir=workdir,
                       limit_bytes=limit_bytes)  # fmt: skip
        digest = hashlib.sha256()
        for chunk in source.chunks():  # the workbook's own bytes identify it
            digest.update(chunk)
        return replace(text, encoding="an Excel workbook", content_hash=digest.hexdigest(),
                       notes=(note,))  # fmt: skip
    encoding = _encoding(head)
    try:
        return _rewrite(source, head, encoding, workdir)
    except UnicodeDecodeError:
        if encoding != "utf-8":
            raise refuse(
                f"The file is not readable text in {_ENCODING_NAMES[encoding]}: save it again "
                "as CSV UTF-8."
            ) from None
    try:
        return _rewrite(source, head, "cp1252", workdir)
    except UnicodeDecodeError:
        raise refuse(
            "The file has bytes that are neither UTF-8 nor Windows-1252 text: save it again "
            "as CSV UTF-8."
        ) from None


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


def _decoded(source: Source, encoding: str, digest) -> Iterator[str]:
    """The text, chunk by chunk; the raw bytes are hashed on the way (the file's identity)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    for chunk in source.chunks():
        digest.update(chunk)
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


def _rewrite(source: Source, head: bytes, encoding: str, workdir: Path) -> TextFile:
    whole = source.size <= len(head)
    head_text = codecs.getincrementaldecoder(encoding)(errors="strict").decode(head, final=whole)
    delimiter = _delimiter(head_text)
    records, offsets = _first_records(head_text, delimiter, limit=8)
    if not records or not any(cell.strip() for cell in records[0]):
        raise refuse("The file is empty, or its first row names no columns.")
    layout = layouts.detect(records)
    skip = offsets[layout.header_rows - 1] if layout.header_rows <= len(offsets) else len(head_text)
    path = workdir / "data.csv"
    digest = hashlib.sha256()
    has_data = False
    # The header line ends like the file's lines: DuckDB takes the line ending
    # from the first line and stumbles on a mix.
    ending = "\r\n" if head_text[: offsets[0] if offsets else None].endswith("\r\n") else "\n"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(f"c{i}" for i in range(len(layout.columns))) + ending)
        for text in _decoded(source, encoding, digest):
            if skip:
                cut = min(skip, len(text))
                text, skip = text[cut:], skip - cut
            if text:
                has_data = has_data or bool(text.strip())
                out.write(text)
    if not has_data:
        raise refuse("The file has a header but no responses.")
    return TextFile(path, _ENCODING_NAMES[encoding], delimiter, layout, digest.hexdigest())


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
            f"rejects_scan = '{table}_scan', max_line_size = 10000000)",
            [str(text.path), text.delimiter],
        )
    except duckdb.Error as problem:
        line = re.search(r"Line: (\d+)", str(problem))
        where = f" near row {int(line.group(1)) - 1 + text.header_rows}" if line else ""
        raise refuse(
            f"The file cannot be read as CSV{where}: look for an unclosed quote or stray "
            "control characters, or save it again from the spreadsheet program."
        ) from None


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
    """Up to ``limit`` records from the start of the text, and where each one ends
    (the offset just after its line break). Quotes may hold line breaks."""
    offsets, in_quotes, position = [], False, 0
    while position < len(text) and len(offsets) < limit:
        char = text[position]
        if char == '"':
            in_quotes = not in_quotes
        elif char == "\n" and not in_quotes:
            offsets.append(position + 1)
        elif char == "\r" and not in_quotes:
            following = position + 2 if text[position + 1 : position + 2] == "\n" else position + 1
            offsets.append(following)
            position = following - 1
        position += 1
    end = offsets[-1] if offsets else len(text)
    try:
        records = list(csv.reader(io.StringIO(text[:end], newline=""), delimiter=delimiter))
    except csv.Error as problem:
        raise refuse(f"The first rows cannot be read as CSV ({problem}).") from None
    if not offsets:  # a single record without a line break at the end
        offsets = [len(text)]
    return records, offsets
