"""Files people download: CSV and XLSX that a spreadsheet cannot be tricked by.

A text cell starting with = + - @, a tab or a carriage return would be run as a
formula by Excel or Sheets; such cells are prefixed with ' (DESIGN §4).
"""

from __future__ import annotations

from io import BytesIO

import pandas as pd
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(safe_text)
    safe.columns = [safe_text(str(c)) for c in safe.columns]
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte order mark, so Excel opens accents correctly."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "Sheet1") -> bytes:
    book = Workbook()
    page = book.active
    page.title = sheet
    safe = safe_frame(frame)
    page.append(list(safe.columns))
    for row in safe.itertuples(index=False):
        page.append([None if pd.isna(v) else v for v in row])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
