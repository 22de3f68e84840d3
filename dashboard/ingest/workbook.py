"""Excel workbooks (.xlsx) in: one sheet written out as CSV for the text pipeline.

openpyxl reads the sheet row by row (read-only mode), so memory stays flat;
dates become ISO text and whole numbers lose Excel's ".0".
"""

from __future__ import annotations

import csv
import zipfile
from datetime import date, datetime, time
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from dashboard.ingest.report import ImportRefused, Problem


def is_workbook(head: bytes, source) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(_handle(source)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _handle(source):
    return BytesIO(source.data) if source.data is not None else source.path


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


def to_csv(source, dest: Path, sheet: str | None) -> str:
    """Write ``sheet`` (default: the first) as UTF-8 CSV; returns a note on what was read."""
    try:
        book = load_workbook(_handle(source), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as problem:
        raise ImportRefused([Problem(
            f"The workbook cannot be opened ({problem}). Save it again from Excel, or as CSV."
        )]) from None  # fmt: skip
    try:
        names = book.sheetnames
        if sheet is not None and sheet not in names:
            raise ImportRefused([Problem(
                f'The workbook has no sheet "{sheet}"; its sheets are: {", ".join(names)}.'
            )])  # fmt: skip
        chosen = sheet or names[0]
        with dest.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            for row in book[chosen].iter_rows(values_only=True):
                writer.writerow([_text(value) for value in row])
    finally:
        book.close()
    others = f" (of {len(names)} sheets; choose another with --sheet)" if len(names) > 1 else ""
    return f'Read sheet "{chosen}" of the workbook{others}.'
