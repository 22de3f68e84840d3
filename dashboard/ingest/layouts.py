"""Which survey tool made an export, read from its first rows: how many header rows
it has and what each column is called.

* Qualtrics: three header rows (short names, question text, ImportId JSON, also
  with single quotes), two (short names over question text: its Excel export),
  or the older two (V1, V2 … over the question text).
* SurveyMonkey: two header rows; a matrix question's text stands once above its
  statements, which fill the second row.
* One header row: Google Forms (Timestamp first, grids as "Question
  [statement]"), Microsoft Forms (ID, Start time, Completion time …), LimeSurvey
  (codes like Q[SQ], or "code. question text [statement]"), our template, and
  any other table ("generic": the note never claims a tool it cannot see).

Each column keeps the header as the file shows it (for messages and --map)
and the names to recognise it by (code, question text, statement).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dashboard.ingest.columns import normalize

TOOL_NAMES = {
    "template": "Catalyst template", "google_forms": "Google Forms",
    "microsoft_forms": "Microsoft Forms", "surveymonkey": "SurveyMonkey",
    "qualtrics": "Qualtrics", "qualtrics_legacy": "Qualtrics (older export)",
    "limesurvey": "LimeSurvey", "generic": "generic table",
}  # fmt: skip
# Qualtrics' own columns, by their short names: three of them make a Qualtrics export.
QUALTRICS_NAMES = {
    "startdate", "enddate", "status", "ipaddress", "progress", "durationinseconds",
    "finished", "recordeddate", "responseid", "distributionchannel", "userlanguage",
}  # fmt: skip
TEMPLATE_NAMES = {"team", "submitted at"}


@dataclass(frozen=True)
class Column:
    index: int
    header: str  # as the file shows it
    names: tuple[str, ...]  # what to recognise it by, most specific first


@dataclass(frozen=True)
class Layout:
    tool: str
    header_rows: int
    columns: tuple[Column, ...]
    metadata: dict[str, int] = field(default_factory=dict)  # tool columns: status, finished
    no_date: str | None = None  # a date the tool writes when there is none

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    @property
    def tool_name(self) -> str:
        return TOOL_NAMES[self.tool]


def _cells(record: list[str], width: int) -> list[str]:
    return [(record[i] if i < len(record) else "").strip() for i in range(width)]


def detect(records: list[list[str]]) -> Layout:
    """The layout of an export from its first records (header rows and a data row or two)."""
    width = max(len(r) for r in records)
    rows = [_cells(r, width) for r in records]
    first = rows[0]
    plain = [normalize(cell) for cell in first]
    if len(rows) >= 3 and _import_ids(rows[2]):
        return _qualtrics("qualtrics", 3, rows[0], rows[1])
    if len(rows) >= 2 and _qualtrics_texts(plain, rows[1]):
        # Its Excel export: short names over question text, no ImportId row.
        return _qualtrics("qualtrics", 2, rows[0], rows[1])
    if (
        len(rows) >= 2
        and plain[:2] == ["v1", "v2"]
        and {"responseid", "response id"} & {normalize(cell) for cell in rows[1]}
    ):
        return _qualtrics("qualtrics_legacy", 2, rows[0], rows[1])
    if len(rows) >= 2 and {"respondent id", "respondentid"} & set(plain) and not rows[1][0]:
        return _surveymonkey(rows[0], rows[1])
    columns = tuple(Column(i, header, _one_row_names(header)) for i, header in enumerate(first))
    if plain and plain[0] == "timestamp":
        tool = "google_forms"
    elif "completion time" in plain and "start time" in plain:
        tool = "microsoft_forms"
    elif "submitdate" in plain or "submitdate date submitted" in plain:
        # LimeSurvey writes 1980-01-01 for "not date-stamped".
        return Layout("limesurvey", 1, columns, no_date="1980-01-01")
    elif TEMPLATE_NAMES <= set(plain) and _all_items(plain):
        tool = "template"
    else:
        tool = "generic"
    return Layout(tool, 1, columns)


def _all_items(plain: list[str]) -> bool:
    from dashboard.catalysts import ITEM_KEYS

    return {normalize(key) for key in ITEM_KEYS} <= set(plain)


def _qualtrics_texts(plain: list[str], second: list[str]) -> bool:
    """Qualtrics' short names in the first row, question text (not answers) under them."""
    own = [i for i, cell in enumerate(plain) if cell.replace(" ", "") in QUALTRICS_NAMES]
    if len(own) < 3:
        return False
    texts = [second[i] for i in own if second[i]]
    return bool(texts) and not any(re.fullmatch(r"[0-9.: /-]+|true|false", t.lower())
                                   for t in texts)  # fmt: skip


def _import_ids(row: list[str]) -> bool:
    filled = [cell for cell in row if cell]
    return bool(filled) and sum("importid" in cell.lower() for cell in filled) >= len(filled) / 2


def _one_row_names(header: str) -> tuple[str, ...]:
    """LimeSurvey writes 'code. question text [statement]': recognise the text and the code."""
    coded = re.match(r"^([A-Za-z0-9_\[\]]+)\.\s+(.+)$", header, re.DOTALL)
    return (header, coded.group(2), coded.group(1)) if coded else (header,)


def _qualtrics(tool: str, header_rows: int, codes: list[str], texts: list[str]) -> Layout:
    columns, metadata = [], {}
    for index, (code, text) in enumerate(zip(codes, texts, strict=True)):
        key = normalize(code)
        if key in ("status", "finished", "progress") or normalize(text) in (
            "status", "finished", "progress", "response type",
        ):  # fmt: skip
            # Qualtrics' Progress is the share of the survey done, never our progress item.
            metadata.setdefault(key if key in ("status", "finished", "progress")
                                else normalize(text), index)  # fmt: skip
            columns.append(Column(index, code or text, ()))
            continue
        columns.append(Column(index, text or code, tuple(n for n in (text, code) if n)))
    return Layout(tool, header_rows, tuple(columns), metadata)


def _surveymonkey(questions: list[str], statements: list[str]) -> Layout:
    columns, question = [], ""
    for index, (top, below) in enumerate(zip(questions, statements, strict=True)):
        question = top or question  # a matrix question stands once, above its first statement
        generic = normalize(below) in (
            "",
            "response",
            "open ended response",
            "other please specify",
        )
        if generic:
            columns.append(Column(index, top or question, (top or question,)))
        else:
            columns.append(
                Column(index, below, (below, f"{question} [{below}]") if question else (below,))
            )
    return Layout("surveymonkey", 2, tuple(columns))
