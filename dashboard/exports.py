"""Files people download: CSV and XLSX that a spreadsheet cannot be tricked by,
built on click and written to the audit log.

A text cell starting with = + - @, a tab or a carriage return would be run as a
formula by Excel or Sheets; such cells are prefixed with ' (DESIGN §4). The
tables come from the same functions as the screen, so what a page does not
show is not in its files either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from io import BytesIO

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dashboard import store
from dashboard.clock import utc_now
from dashboard.store import Store

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WIDTH_SAMPLE = 500  # rows looked at to size a column (a large file stays quick to build)


def slug(name: str) -> str:
    """A name fit for a file name: letters, digits and dashes ("people-finance")."""
    return re.sub(r"[^\w]+", "-", name.lower()).strip("-")[:60] or "catalyst"


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
    return workbook_bytes({sheet: frame})


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One worksheet per table, in order; empty values stay empty cells. The header row
    is bold and stays in view while scrolling; columns are as wide as what they hold."""
    book = Workbook()
    book.remove(book.active)
    for title, frame in sheets.items():
        page = book.create_sheet(title)
        safe = safe_frame(frame)
        page.append(list(safe.columns))
        for row in safe.itertuples(index=False):
            page.append([None if pd.isna(v) else v for v in row])
        for cell in page[1]:
            cell.font = Font(bold=True)
        page.freeze_panes = "A2"
        for index, column in enumerate(safe.columns, start=1):
            page.column_dimensions[get_column_letter(index)].width = column_width(safe[column])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def column_width(values: pd.Series) -> float:
    """Characters of the widest of the header and the first rows, within 8 and 60."""
    sample = values.head(WIDTH_SAMPLE).dropna()
    longest = max([len(str(values.name)), *(len(str(v)) for v in sample)])
    return float(min(max(longest + 2, 8), 60))


def recorded(
    db: Store,
    user_id: int | None,
    file_name: str,
    filters: dict,
    build: Callable[[], bytes],
    *,
    actor: str | None = None,
) -> Callable[[], bytes]:
    """``build`` for a download button, writing who took which file with which filters
    to the audit log each time the file is made (on click). The command line has no
    user: it names itself as ``actor`` ("catalyst export")."""

    def make() -> bytes:
        data = build()
        detail = json.dumps({"file": file_name, **filters}, default=str, sort_keys=True)
        with db.transaction() as cursor:
            store.record_audit(cursor, "export", detail, at=utc_now(), user_id=user_id, actor=actor)
        return data

    return make
