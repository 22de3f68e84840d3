"""Excel workbooks (.xlsx) in: one sheet written out as CSV for the text pipeline.

openpyxl reads the sheet row by row (read-only mode), so memory stays flat;
dates become ISO text and whole numbers lose Excel's ".0".

A workbook is a zip of XML parts, and what it says about itself can be wrong or
hostile: the zip's sizes, a sheet's declared dimension (Microsoft Forms and
Qualtrics write A1 for a whole sheet), a DTD whose entities expand a thousandfold.
So before openpyxl opens it every part is unpacked once, as a stream, and what it
really holds is counted against the organization's limits: bytes, rows, the longest
tag, the characters of every cell and every shared text, the XML elements openpyxl
would keep in memory, the real width of each sheet. openpyxl then reads the sheet
for its real size, never for the size it declares. A refusal, or any error a parser
raises, ends as a message in our words.
"""

from __future__ import annotations

import csv
import io
import struct
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from pyexpat import ExpatError, ParserCreate
from typing import BinaryIO

from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string

from dashboard.ingest.limits import DEFAULTS, Limits
from dashboard.ingest.report import ImportRefused, refuse

CHUNK = 1 << 20
DIRECTORY_LIMIT = 1 << 20  # bytes listing the zip's parts: a workbook's take a few KB
WHOLE_PART_LIMIT = 64_000_000  # a part openpyxl reads into memory at once, as a tree
# Parts openpyxl reads whole when it opens a workbook read-only, by their root element:
# the list of parts, relationships, the workbook, styles, theme, properties, links, charts.
READ_WHOLE = frozenset(
    "Types Relationships workbook styleSheet theme coreProperties Properties externalLink "
    "chartsheet wsDr chartSpace".split()
)
STREAMED = frozenset({"worksheet", "sst"})  # a sheet, the shared texts: read element by element
# How a row begins, with or without a namespace prefix; counted, not parsed (the parse
# that follows counts exactly).
ROW_STARTS = (b"<row ", b"<row>", b":row ", b":row>")
OUTSIDE_ELEMENTS = 1_000_000  # a part's elements outside rows and texts (merged cells ...)
ELEMENTS_PER_CELL = 16  # a cell, its value, formula and a few formatted runs
SHARED_TEXT_BYTES = 128  # what openpyxl holds for one shared text besides its characters


def is_workbook(head: bytes, source) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    with _opened(source) as handle:
        # zipfile makes an object per listed part before anything can be checked: a
        # list of millions of empty parts would cost gigabytes.
        if _directory_size(handle) > DIRECTORY_LIMIT:
            raise refuse(
                "The zip file lists far more parts than a workbook has: it is not a workbook "
                "Catalyst can read. Save the sheet as CSV and upload that."
            )
        try:
            with zipfile.ZipFile(handle) as archive:
                return "xl/workbook.xml" in archive.namelist()
        except zipfile.BadZipFile:
            return False


@contextmanager
def _opened(source) -> Iterator[BinaryIO]:
    if source.data is not None:
        yield io.BytesIO(source.data)
        return
    with source.path.open("rb") as handle:
        yield handle


def _directory_size(handle: BinaryIO) -> int:
    """The size of the zip's directory as its end record says — the zip64 record's when
    there is one, as zipfile reads it. 0 when there is no end record (zipfile says so)."""
    size = handle.seek(0, io.SEEK_END)
    start = max(0, size - (1 << 16) - 22 - 20 - 56)  # a comment, the record, zip64 ones
    handle.seek(start)
    tail = handle.read()
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        return 0
    (directory,) = struct.unpack_from("<L", tail, end + 12)
    if end >= 76 and tail[end - 20 : end - 16] == b"PK\x06\x07":
        if tail[end - 76 : end - 72] == b"PK\x06\x06":
            (directory,) = struct.unpack_from("<Q", tail, end - 76 + 40)
    return directory


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_csv(source, dest: Path, sheet: str | None, limits: Limits = DEFAULTS) -> str:
    """Write ``sheet`` (default: the first) as UTF-8 CSV; returns a note on what was read."""
    _quiet_openpyxl()
    with _opened(source) as handle:
        try:
            shapes = _check(handle, limits)
            book = load_workbook(handle, read_only=True, data_only=True)
        except ImportRefused:
            raise
        except Exception as problem:  # whatever a parser raised, in our words
            raise _unreadable() from problem
        try:
            names = book.sheetnames
            if sheet is not None and sheet not in names:
                raise refuse(
                    f'The workbook has no sheet "{sheet}"; its sheets are: {", ".join(names)}.'
                )
            chosen = sheet or names[0]
            worksheet = book[chosen]
            # openpyxl keeps the sheet's part name; the check measured every part by name.
            shape = shapes.get(worksheet._worksheet_path, _Shape())
            if shape.columns > limits.max_columns:
                raise refuse(limits.too_many_columns(f'Sheet "{chosen}"'))
            _write(worksheet, dest, shape.columns, limits)
        except ImportRefused:
            raise
        except Exception as problem:
            raise _unreadable() from problem
        finally:
            book.close()
    others = ""
    if len(names) > 1:
        others = f" (of {len(names)} sheets; choose another with " + "{option:sheet})"
    return f'Read sheet "{chosen}" of the workbook{others}.'


def _quiet_openpyxl() -> None:
    """openpyxl warns about what it does not read (data validation, a missing default
    style ...): nothing that concerns an import, and messages to people are ours. The
    filter goes first whenever a workbook is read, ahead of any "always" or "error" set
    since. Not warnings.catch_warnings around the read: that swaps process-wide state
    and restores it wrongly when sessions' threads read workbooks at the same time."""
    warnings.filterwarnings("ignore", module="openpyxl")  # moved to the front, never doubled


def _unreadable() -> ImportRefused:
    return refuse(
        "The workbook cannot be read: it is damaged, or not an Excel workbook inside. Save it "
        "again from Excel, or as CSV, and upload that."
    )


def _write(worksheet, dest: Path, width: int, limits: Limits) -> None:
    """The sheet's rows as CSV, each as wide as the sheet really is."""
    worksheet.reset_dimensions()  # read every row, whatever the sheet declares
    with dest.open("w", encoding="utf-8", newline="") as out:
        if not width:
            return  # no cell at all: the text pipeline says the file is empty
        writer = csv.writer(out, lineterminator="\n")
        line = io.StringIO()
        csv.writer(line, lineterminator="\n").writerow([""] * width)
        empty = line.getvalue()
        written = 0
        for number, row in enumerate(worksheet.iter_rows(max_col=width, values_only=True), 1):
            if number > limits.max_rows:
                raise refuse(limits.too_many_rows("The sheet"))
            if row.count(None) == width:  # rows a sheet skips come back empty: write them fast
                out.write(empty)
                written += len(empty)
            else:
                values = [_text(value) for value in row]
                writer.writerow(values)
                written += sum(map(len, values)) + width
            # A shared text is stored once and may fill any number of cells.
            if written > limits.unpacked_bytes:
                raise refuse(limits.too_large_unpacked("The sheet, written out as text,"))


@dataclass
class _Shape:
    """How much of a sheet there really is."""

    rows: int = 0
    columns: int = 0


def _check(handle: BinaryIO, limits: Limits) -> dict[str, _Shape]:
    """Unpack every part as a stream and refuse the workbook when one holds more than the
    limits, or more than openpyxl can read safely; every sheet's shape by part name."""
    shapes: dict[str, _Shape] = {}
    unpacked = 0
    with zipfile.ZipFile(handle) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if info.file_size > limits.unpacked_bytes - unpacked:  # as the zip declares it
                raise refuse(limits.too_large_unpacked("The workbook"))
            part = _Part(info.filename, limits)
            with archive.open(info) as stream:
                part.begin(stream)
            with archive.open(info) as stream:
                size = _unpack(stream, part, unpacked)
            unpacked += size
            if part.root in STREAMED:
                with archive.open(info) as stream:
                    part.finish(stream)
                if part.root == "sst":
                    part.check_shared_texts(size)
                else:
                    shapes[info.filename] = _Shape(part.rows, part.columns)
    return shapes


def _unpack(stream: BinaryIO, part: _Part, before: int) -> int:
    """Unpack one part, counting what it really holds (its declared size can lie): its
    bytes; for a part openpyxl reads whole, whether it stays small; for a sheet its rows
    (a byte search, long before a parser gets there) and its longest run of bytes without
    a '>' (a tag, which a parser holds whole). Returns the bytes."""
    limits = part.limits
    size = rows = run = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if before + size > limits.unpacked_bytes:
            raise refuse(limits.too_large_unpacked("The workbook"))
        if part.root in READ_WHOLE and size > WHOLE_PART_LIMIT:
            raise refuse(
                f"A part of the workbook ({part.name}) unpacks to more than "
                f"{WHOLE_PART_LIMIT // 1_000_000} MB; Excel's own are far smaller. Save the "
                "sheet again from Excel, or as CSV, and upload that."
            )
        if part.root in STREAMED:
            rows += sum(map(chunk.count, ROW_STARTS))
            if rows > limits.max_rows:
                raise refuse(limits.too_many_rows("A sheet of the workbook"))
            run = _open_run(chunk, run, 4 * limits.cell_chars + 65_536)  # a cell's text, and more
            if run < 0:
                raise refuse(
                    f"A part of the workbook ({part.name}) holds a tag or a text far longer "
                    f"than a cell may be (the max_cell_kb setting, {limits.max_cell_kb:,} KB). "
                    "Save the sheet again from Excel, or as CSV, and upload that."
                )
    return size


def _open_run(chunk: bytes, run: int, limit: int) -> int:
    """Bytes after the last '>' once ``chunk`` is read, ``run`` of them before it; -1 when
    a run without '>' may be ``limit`` bytes or more. Runs shorter than ``limit`` always
    pass, runs twice as long never do: blocks of ``limit`` bytes are searched for a '>'
    (at C speed, where splitting at every tag would cost seconds a gigabyte)."""
    first, last = chunk.find(b">"), chunk.rfind(b">")
    if first < 0:
        run += len(chunk)
        return run if run < limit else -1
    if run + first >= limit:
        return -1
    for start in range(first + 1, last - limit + 1, limit):
        if chunk.find(b">", start, start + limit) < 0:
            return -1
    run = len(chunk) - last - 1
    return run if run < limit else -1


class _Root(Exception):
    """The part's root element is known, and nothing more of it needs reading."""


class _Part:
    """The expat handlers for one part: they count, as the XML streams by, what openpyxl
    would build from it, and refuse as soon as that passes the limits."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name, self.limits = name, limits
        self.root: str | None = None
        self.depth = 0
        self.unit = 0  # depth of the row or shared text being read (0: none)
        self.unit_elements = 0  # openpyxl holds a row or a text whole until it ends
        self.outside = 0  # elements outside rows and texts, which openpyxl keeps
        self.text = 0  # characters of the cell, shared text or other element being read
        self.cell = ""  # the cell being read, as Excel names it
        self.row = self.column = 0  # where openpyxl puts the cell being read
        self.rows = self.columns = 0  # the sheet's real size
        self.shared_texts = 0
        parser = ParserCreate()
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self.doctype
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        self.parser = parser
        self.fed = 0  # bytes of the part given to expat

    def begin(self, stream: BinaryIO) -> None:
        """Read the part's first megabyte: its DTD, if it has one, and its root element,
        which says what openpyxl does with the part."""
        chunk = stream.read(CHUNK)
        self.fed = len(chunk)
        try:
            self.parser.Parse(chunk, False)
        except _Root:
            return
        except ExpatError:
            if self.root is None:  # not XML (an image, a printer's settings): openpyxl skips it
                return
            raise
        if self.root is None and len(chunk) == CHUNK:
            # No element in the first megabyte: not what Excel writes, and every DTD must
            # be seen before its root.
            raise refuse(
                f"A part of the workbook ({self.name}) is not laid out as Excel writes it. "
                "Save the sheet again from Excel, or as CSV, and upload that."
            )

    def finish(self, stream: BinaryIO) -> None:
        """Read the rest of a sheet or of the shared texts."""
        stream.read(self.fed)
        while chunk := stream.read(CHUNK):
            self.parser.Parse(chunk, False)
        self.parser.Parse(b"", True)

    def doctype(self, *_: object) -> None:
        # Excel never writes a DTD, and only a DTD can declare entities that expand
        # (the "billion laughs"): refuse it before any parser expands anything.
        raise refuse(
            f"A part of the workbook ({self.name}) declares its own entities, which Excel "
            "never writes: such a file can be built to exhaust the server. Save the sheet "
            "again from Excel, or as CSV, and upload that."
        )

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        self.depth += 1
        if self.root is None:
            self.root = local
            if local not in STREAMED:
                raise _Root
        if self.unit:
            self.unit_elements += 1
            if self.unit_elements > ELEMENTS_PER_CELL * self.limits.max_columns:
                raise refuse(self._too_many_elements("A row or a text"))
            if local == "c":
                self._cell(attributes)
        elif local in ("row", "si"):
            self.unit, self.unit_elements, self.text = self.depth, 0, 0
            if local == "row":
                self._row(attributes)
            else:
                self.shared_texts += 1
        else:
            self.outside += 1
            self.text = 0
            if self.outside > OUTSIDE_ELEMENTS:
                raise refuse(self._too_many_elements(f"A part ({self.name})"))

    def end(self, name: str) -> None:
        if self.depth == self.unit:
            self.unit = 0
        self.depth -= 1

    def characters(self, data: str) -> None:
        self.text += len(data)
        if self.text > self.limits.cell_chars:
            raise refuse(self.limits.cell_too_long(self._where()))

    def _row(self, attributes: dict[str, str]) -> None:
        number = attributes.get("r")
        self.row = int(float(number)) if number else self.row + 1  # openpyxl takes "7.0"
        self.rows = max(self.rows, self.row)
        if self.rows > self.limits.max_rows:
            raise refuse(self.limits.too_many_rows("A sheet of the workbook"))
        self.column = 0

    def _cell(self, attributes: dict[str, str]) -> None:
        # Numbered as openpyxl numbers them: by the cell's own reference, else next.
        self.cell = attributes.get("r", "")
        letters = self.cell.rstrip("0123456789")
        self.column = column_index_from_string(letters) if letters else self.column + 1
        self.columns = max(self.columns, self.column)
        self.text = 0

    def _where(self) -> str:
        if self.root == "sst":
            return f"Text {self.shared_texts:,} of the workbook's shared texts"
        if self.unit and self.cell:
            return f"Cell {self.cell} in a sheet of the workbook"
        return f"A part of the workbook ({self.name})"

    def _too_many_elements(self, what: str) -> str:
        return (
            f"{what} of the workbook holds more XML elements than any spreadsheet writes: "
            "it can only be built to exhaust the server. Save the sheet again from Excel, or "
            "as CSV, and upload that."
        )

    def check_shared_texts(self, size: int) -> None:
        """openpyxl holds every shared text in memory while it reads a sheet."""
        held = size + SHARED_TEXT_BYTES * self.shared_texts
        if held > self.limits.unpacked_bytes // 2:
            raise refuse(
                f"The workbook's shared texts would take {held / 1e6:,.1f} MB of memory to "
                f"read, more than half the max_unpacked_mb setting ({self.limits.max_unpacked_mb:,}"
                " MB). Save the sheet as CSV and upload that, or ask an admin to raise the "
                "limit."
            )
