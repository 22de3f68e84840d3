"""Reading a text file's records as it streams by: line endings made LF outside quotes,
rows, columns and cell lengths counted against the organization's limits as they pass."""

from __future__ import annotations

import re
from operator import methodcaller

from dashboard.ingest.limits import Limits
from dashboard.ingest.report import refuse

LINE_END = re.compile(r"\r\r\n|\r\n?")  # CR CR LF first: Qualtrics has written it as one ending


NOT_QUOTES = bytes(byte for byte in range(256) if byte not in b'"\n')  # bytes to drop


UNCLOSED = "Look for a quote that is never closed. "  # the usual reason a cell runs on


class Records:
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
