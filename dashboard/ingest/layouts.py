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

import json
import re
from dataclasses import dataclass, field, replace

from dashboard.ingest.columns import normalize

TOOL_NAMES = {
    "template": "Catalyst template", "google_forms": "Google Forms",
    "microsoft_forms": "Microsoft Forms", "surveymonkey": "SurveyMonkey",
    "qualtrics": "Qualtrics", "qualtrics_legacy": "Qualtrics (older export)",
    "limesurvey": "LimeSurvey", "generic": "generic table", "typeform": "Typeform",
    "kobotoolbox": "KoboToolbox", "sosci": "SoSci Survey", "surveyxact": "SurveyXact",
}  # fmt: skip
# Tools known by their own columns (header without spaces or punctuation, lower case):
# the columns that identify them, and what their own columns are. "status" marks
# previews or tests, "finished" unfinished responses, "response_id" the response
# (kept only as a salted hash); every other listed column is the tool's own and unused.
TOOLS = {
    "typeform": ({"submitdateutc", "networkid"}, {
        "#": "response_id", "responsetype": "finished", "startdateutc": "tool",
        "stagedateutc": "tool", "tags": "tool", "networkid": "personal",
    }),
    "kobotoolbox": ({"submissiontime", "uuid"}, {
        "uuid": "response_id", "id": "tool", "start": "tool", "end": "tool",
        "validationstatus": "tool", "notes": "tool", "status": "tool", "submittedby": "personal",
        "version": "tool", "tags": "tool", "index": "tool",
    }),
    "sosci": ({"questnnr", "started", "case"}, {
        "case": "response_id", "finished": "finished", "qviewer": "status", "serial": "personal",
        "ref": "personal", "questnnr": "tool", "mode": "tool", "timesum": "tool",
        "mailsent": "tool", "lastdata": "tool", "status": "tool", "lastpage": "tool",
        "maxpage": "tool", "missing": "tool", "missrel": "tool", "timersi": "tool",
        "degtime": "tool",
    }),
    "surveyxact": ({"respondentid", "closetime", "statoverall1"}, {
        "respondentid": "response_id", "created": "tool", "modified": "tool",
        "starttime": "tool", "difftime": "tool", "responsecollectsessions": "tool",
        "numberofreturnedmail": "tool", "importgroup": "tool", "distributionschedule": "tool",
        "digitaldistributionstatus": "tool", "digitaldistributionerrormessage": "tool",
    }),
}  # fmt: skip
# Numbered columns of a tool that are all its own (SoSci's TIME001, SurveyXact's stat…).
TOOL_PREFIXES = {"sosci": ("time",), "surveyxact": ("stat",)}
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
    tool_columns: frozenset[int] = frozenset()  # the tool's own columns, never used
    personal: frozenset[int] = frozenset()  # the tool's columns about the person
    time_zones: dict[int, str] = field(default_factory=dict)  # column -> zone the file states

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
        layout = _qualtrics("qualtrics", 3, rows[0], rows[1])
        return replace(layout, time_zones=_zones(rows[2]))
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
    tool = _known_tool(plain)
    if tool:
        return _tool_layout(tool, rows)
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


def _squeezed(cell: str) -> str:
    return re.sub(r"[^a-z0-9#]", "", cell.lower())


def _known_tool(plain: list[str]) -> str | None:
    names = {_squeezed(cell) for cell in plain}
    return next((tool for tool, (marks, _) in TOOLS.items() if marks <= names), None)


def _tool_layout(tool: str, rows: list[list[str]]) -> Layout:
    """A tool known by its columns. SoSci's Excel-style export has a second header row of
    variable labels (where the case number would stand, text)."""
    first, own = rows[0], TOOLS[tool][1]
    second = rows[1] if len(rows) >= 2 else []
    labels = second if tool == "sosci" and second and not second[0].isdigit() else None
    columns, metadata, tool_columns, personal = [], {}, set(), set()
    for index, header in enumerate(first):
        key = _squeezed(header)
        role = own.get(key) or (
            "tool" if key.startswith(TOOL_PREFIXES.get(tool, ("\0",))) else None
        )
        label = labels[index] if labels else ""
        if role in ("status", "finished", "response_id"):
            metadata[role] = index
        elif role == "tool":
            tool_columns.add(index)
        elif role == "personal":
            personal.add(index)
        names = tuple(n for n in (label, *_one_row_names(header)) if n)
        columns.append(Column(index, header, names))
    return Layout(
        tool,
        2 if labels else 1,
        tuple(columns),
        metadata,
        tool_columns=frozenset(tool_columns),
        personal=frozenset(personal),
    )


def _all_items(plain: list[str]) -> bool:
    from dashboard.catalysts import ITEM_KEYS

    return {normalize(key) for key in ITEM_KEYS} <= set(plain)


def _qualtrics_texts(plain: list[str], second: list[str]) -> bool:
    """Qualtrics' short names in the first row, question text (not answers) under them."""
    own = [i for i, cell in enumerate(plain) if cell.replace(" ", "") in QUALTRICS_NAMES]
    if len(own) < 3:
        return False
    texts = [second[i] for i in own if second[i]]
    return bool(texts) and not any(
        re.fullmatch(r"[0-9.: /-]+|true|false", t.lower()) for t in texts
    )


def _import_ids(row: list[str]) -> bool:
    filled = [cell for cell in row if cell]
    return bool(filled) and sum("importid" in cell.lower() for cell in filled) >= len(filled) / 2


def _one_row_names(header: str) -> tuple[str, ...]:
    """LimeSurvey writes 'code. question text [statement]': recognise the text and the code."""
    coded = re.match(r"^([A-Za-z0-9_\[\]]+)\.\s+(.+)$", header, re.DOTALL)
    return (header, coded.group(2), coded.group(1)) if coded else (header,)


def _zones(row: list[str]) -> dict[int, str]:
    """The time zone Qualtrics names for its date columns in the ImportId row."""
    zones = {}
    for index, cell in enumerate(row):
        try:
            value = json.loads(cell)
        except ValueError:
            continue
        if isinstance(value, dict) and isinstance(value.get("timeZone"), str):
            zones[index] = value["timeZone"]
    return zones


def _qualtrics(tool: str, header_rows: int, codes: list[str], texts: list[str]) -> Layout:
    columns, metadata = [], {}
    for index, (code, text) in enumerate(zip(codes, texts, strict=True)):
        key = normalize(code)
        if key in ("status", "finished", "progress") or normalize(text) in (
            "status",
            "finished",
            "progress",
            "response type",
        ):
            # Qualtrics' Progress is the share of the survey done, never our progress item.
            metadata.setdefault(
                key if key in ("status", "finished", "progress") else normalize(text), index
            )
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
