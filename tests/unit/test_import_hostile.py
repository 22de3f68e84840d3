"""Files as exporters really write them, and files built to hurt the server.

Every file is written here, in the test. Hostile ones are small but over a limit
lowered for the test where the real size would be slow to build; a few are
genuinely large (50,000 and a million columns, a 60 MB cell, a 20 MB shared
text). A refusal names the limit that stopped the file, and leaves the database
exactly as it was.
"""

from __future__ import annotations

import struct
import warnings
import zipfile
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb
import pytest
from fixtures import TEMPLATE_HEADER, budget, database_snapshot, write_file
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from dashboard import ingest, store
from dashboard.ingest import ImportRefused, Source, SurveyOptions, WinsOptions
from dashboard.ingest import text as text_module
from dashboard.ingest import workbook as workbook_module
from dashboard.ingest.limits import Limits
from dashboard.ingest.records import Records
from dashboard.settings import OrgSettings, SettingError, parse_setting

NOW = datetime(2026, 11, 24, 9)
TEAMS = ("Support", "Sales East", "Sales West")


def run(db, path: Path):
    return ingest.import_survey(db, Source(path.name, path), SurveyOptions(), now=NOW)


def run_progress(db, path: Path):
    """Progress imports follow the organization's limits (survey imports will once
    survey.py passes them to prepare), so lowered limits are tried on them."""
    return ingest.import_wins(db, Source(path.name, path), WinsOptions(), now=NOW)


def refused(db, path: Path, importer=run) -> str:
    """The one problem a refused import names; the database is unchanged."""
    before = database_snapshot(db)
    with pytest.raises(ImportRefused) as refusal:
        importer(db, path)
    assert database_snapshot(db) == before, "a refused import changed the database"
    (problem,) = refusal.value.problems
    return str(problem)


def set_limits(db, **values: int) -> None:
    with db.transaction() as cursor:
        store.save_settings(cursor, {k: str(v) for k, v in values.items()}, by=None, at=NOW)


def stored(db, sql: str):
    with db.reading() as cursor:
        return cursor.execute(sql).fetchall()


def responses(count: int) -> list[list]:
    """Template rows spread over the three teams of ``roster_store``."""
    return [
        [TEAMS[i % 3], "2026-11-10 09:00:00", 1 + i % 5, 4, 4, 4, 4, 4, 4, f"comment {i}"]
        for i in range(count)
    ]


# ---- workbooks as Excel writes them: parts written here, text in the shared texts ----------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_ML = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def sheet_data(rows: list[list]) -> tuple[str, list[str]]:
    """Rows as sheet XML: numbers in the cell, each text once in the shared texts."""
    shared: dict[str, int] = {}
    xml = []
    for number, row in enumerate(rows, 1):
        xml.append(f'<row r="{number}">')
        for column, value in enumerate(row, 1):
            where = f"{get_column_letter(column)}{number}"
            if isinstance(value, int | float):
                xml.append(f'<c r="{where}"><v>{value}</v></c>')
            else:
                index = shared.setdefault(value, len(shared))
                xml.append(f'<c r="{where}" t="s"><v>{index}</v></c>')
        xml.append("</row>")
    return "".join(xml), list(shared)


def write_workbook(
    path: Path,
    rows: list[list] = (),
    *,
    data: str | None = None,
    texts: str | None = None,
    dimension: str = "A1",
    styles: str | None = None,
    change: dict | None = None,
) -> Path:
    """A one-sheet workbook ("Responses") as Excel lays it out; ``data`` and ``texts``
    replace the sheet's rows and the shared texts, ``change`` rewrites parts by name."""
    cells, shared = sheet_data(list(rows))
    data = cells if data is None else data
    texts = "".join(f"<si><t>{escape(t)}</t></si>" for t in shared) if texts is None else texts
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{SHEET_ML}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_ML}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHEET_ML}.sharedStrings+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{SHEET_ML}.styles+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
            '<sheet name="Responses" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{DOC}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
            f"<sheetData>{data}</sheetData></worksheet>"
        ),
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">{texts}</sst>',
    }
    if styles is not None:
        parts["xl/styles.xml"] = styles
    for name, rewrite in (change or {}).items():
        parts[name] = rewrite(parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return path


def template_workbook(path: Path, rows: list[list]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(TEMPLATE_HEADER.split(","))
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def rewrite_part(path: Path, name: str, rewrite) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[name] = rewrite(parts[name].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)


# ---- workbooks from Microsoft Forms and Qualtrics -----------------------------------------


def test_a_workbook_that_declares_a_wrong_size_imports_every_row(roster_store, tmp_path):
    path = template_workbook(tmp_path / "forms.xlsx", responses(9))
    sheet = "xl/worksheets/sheet1.xml"
    rewrite_part(path, sheet, lambda xml: xml.replace('ref="A1:J10"', 'ref="A1"'))
    assert load_workbook(path, read_only=True).active.max_row == 1  # the lie openpyxl believes
    report = run(roster_store, path)
    assert (report.rows_in_file, report.imported) == (9, 9)
    assert stored(
        roster_store,
        "SELECT t.name, count(*), count(comment) FROM survey_responses "
        "JOIN teams t USING (team_id) GROUP BY 1 ORDER BY 1",
    ) == [("Sales East", 3, 3), ("Sales West", 3, 3), ("Support", 3, 3)]


def test_a_workbook_with_shared_texts_and_no_size_imports_every_row(roster_store, tmp_path):
    path = write_workbook(
        tmp_path / "qualtrics.xlsx", [TEMPLATE_HEADER.split(","), *responses(6)], dimension="A1"
    )
    report = run(roster_store, path)
    assert (report.rows_in_file, report.imported) == (6, 6)


def test_rows_a_sheet_skips_keep_the_numbers_the_spreadsheet_shows(roster_store, tmp_path):
    rows = [TEMPLATE_HEADER.split(","), *responses(2)]
    cells, _ = sheet_data(rows)
    gap = cells.replace('<row r="3">', '<row r="5">').replace('3"', '5"')  # rows 3, 4 missing
    path = write_workbook(tmp_path / "gaps.xlsx", rows, data=gap)
    before = database_snapshot(roster_store)
    with pytest.raises(ImportRefused) as refusal:
        run(roster_store, path)
    assert database_snapshot(roster_store) == before
    assert {problem.row for problem in refusal.value.problems} == {3, 4}  # row 5 is read


# ---- line endings -------------------------------------------------------------------------


ENDINGS = {"LF": "\n", "CRLF": "\r\n", "CR": "\r", "CRCRLF": "\r\r\n"}


@pytest.mark.parametrize("ending", ENDINGS.values(), ids=ENDINGS.keys())
@pytest.mark.parametrize("chunk", [1, 2, 3, 1 << 20])
def test_every_line_ending_and_line_breaks_inside_cells(roster_store, monkeypatch, ending, chunk):
    # Chunks of a few bytes put a chunk's end between every CR and what follows it.
    monkeypatch.setattr(text_module, "CHUNK", chunk)
    comment = f"first line{ending}second line"
    lines = [
        TEMPLATE_HEADER,
        f'Support,2026-11-10,4,4,4,4,4,4,4,"{comment}"',
        "Sales East,2026-11-10,5,5,5,5,5,5,5,",
        'Sales West,2026-11-10,3,3,3,3,3,3,3,"said ""hi"""',
    ]
    data = (ending.join(lines) + ending).encode()
    report = ingest.import_survey(
        roster_store, Source("endings.csv", data=data), SurveyOptions(), now=NOW
    )
    assert (report.rows_in_file, report.imported, report.rejected) == (3, 3, 0)
    assert stored(
        roster_store, "SELECT comment FROM survey_responses WHERE comment IS NOT NULL ORDER BY 1"
    ) == [(comment,), ('said "hi"',)]


def test_a_row_number_counts_rows_whatever_their_line_endings(roster_store, tmp_path):
    lines = [TEMPLATE_HEADER, "Support,2026-11-10,4,4,4,4,4,4,4,", "Nowhere,2026-11-10,4,4,4,4,4"]
    path = write_file(tmp_path, "cr.csv", "\r\r\n".join(lines) + "\r\r\n")
    before = database_snapshot(roster_store)
    with pytest.raises(ImportRefused) as refusal:
        run(roster_store, path)
    assert database_snapshot(roster_store) == before
    assert [p.row for p in refusal.value.problems] == [3]


def reference(text: str) -> tuple[str, int]:
    """Line endings made LF outside quotes, one character at a time; and the rows."""
    out, quoted, at, rows = [], False, 0, 0
    while at < len(text):
        if text[at] == '"':
            quoted = not quoted
        if not quoted and text[at] in "\r\n":
            ending = next(e for e in ("\r\r\n", "\r\n", "\r", "\n") if text.startswith(e, at))
            out.append("\n")
            at, rows = at + len(ending), rows + 1
            continue
        out.append(text[at])
        at += 1
    return "".join(out), rows


@settings(max_examples=budget(300), deadline=None)
@given(
    text=st.text(st.sampled_from(['"', "\r", "\n", ",", "a", "é"]), max_size=60),
    chunk=st.integers(1, 7),
    short=st.booleans(),
)
def test_the_streaming_pass_reads_as_one_character_at_a_time_would(text, chunk, short):
    # Short: lines over 2 characters count as long, so that most of the text is read
    # exactly, rows left open across chunks (separated by ";", never in the text).
    records = Records(";", Limits(max_columns=3)) if short else (Records(",", Limits()))
    chunks = [text[start : start + chunk] for start in range(0, len(text), chunk)]
    out = "".join(records.feed(piece) for piece in chunks) + records.feed("", final=True)
    assert (out, records.rows) == reference(text)


# ---- no library's words -------------------------------------------------------------------

STYLES_WITHOUT_DEFAULT = (
    f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/></font></fonts>'
    '<fills count="1"><fill><patternFill/></fill></fills><borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="1"><xf xfId="0"/></cellXfs>'
    "</styleSheet>"
)
VALIDATION_EXTENSION = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"><x14:dataValidations '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" count="0"/>'
    "</ext></extLst>"
)


def test_a_workbook_openpyxl_warns_about_imports_without_a_warning(roster_store, tmp_path):
    def validations(xml: str) -> str:
        return xml.replace("</worksheet>", VALIDATION_EXTENSION + "</worksheet>")

    path = write_workbook(
        tmp_path / "noisy.xlsx",
        [TEMPLATE_HEADER.split(","), *responses(3)],
        styles=STYLES_WITHOUT_DEFAULT,
        change={"xl/worksheets/sheet1.xml": validations},
    )
    with pytest.warns(UserWarning) as library:  # what openpyxl says about this workbook ...
        sheet = load_workbook(path, read_only=True).active
        sheet.reset_dimensions()
        list(sheet.values)
    assert {str(w.message) for w in library} >= {
        "Workbook contains no default style, apply openpyxl's default",
        "Data Validation extension is not supported and will be removed",
    }
    with warnings.catch_warnings(record=True) as caught:  # ... is not what an import says
        warnings.simplefilter("always")
        report = run(roster_store, path)
    assert report.imported == 3
    assert [str(w.message) for w in caught] == []


# ---- hostile workbooks --------------------------------------------------------------------


def test_a_shared_text_bomb_is_refused_before_openpyxl_reads_it(
    roster_store, tmp_path, monkeypatch
):
    opened = []
    monkeypatch.setattr(workbook_module, "load_workbook", lambda *args, **kw: opened.append(1))
    # 20 MB of text in one shared text, 20 KB zipped (the 800 MB one is measured by hand).
    bomb = "<si><t>team</t></si><si><t>" + "a" * 20_000_000 + "</t></si>"
    path = write_workbook(tmp_path / "bomb.xlsx", [["team"], ["x"]], texts=bomb)
    assert path.stat().st_size < 100_000
    assert refused(roster_store, path) == (
        "Text 2 of the workbook's shared texts holds more than 64 KB of text (the max_cell_kb "
        "setting): no survey answer is that long. Check that this is the survey export, or ask "
        "an admin to raise the limit."
    )
    assert opened == []


def test_a_shared_text_in_many_runs_is_counted_whole(roster_store, tmp_path):
    runs = "".join(f"<r><t>{'a' * 40_000}</t></r>" for _ in range(2))  # each run is short
    texts = f"<si><t>team</t></si><si>{runs}</si>"
    path = write_workbook(tmp_path / "runs.xlsx", [["team"], ["x"]], texts=texts)
    assert "Text 2 of the workbook's shared texts holds more than 64 KB" in refused(
        roster_store, path
    )


def test_a_huge_cell_in_a_sheet_is_refused_with_its_place(roster_store, tmp_path):
    data = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>team</t></is></c></row><row r="2">'
        f'<c r="C2" t="inlineStr"><is><t>{"a" * 5_000_000}</t></is></c></row>'
    )
    path = write_workbook(tmp_path / "cell.xlsx", data=data)
    assert refused(roster_store, path).startswith(
        "Cell C2 in a sheet of the workbook holds more than 64 KB of text (the max_cell_kb setting)"
    )


def test_a_cell_in_excels_last_column_does_not_make_every_row_that_wide(roster_store, tmp_path):
    path = template_workbook(tmp_path / "wide.xlsx", responses(3))
    book = load_workbook(path)
    book.active["XFD2"] = "far away"
    book.save(path)
    assert refused(roster_store, path) == (
        'Sheet "Sheet" has more than 2,000 columns (the max_columns setting). Export only the '
        "survey's questions, or ask an admin to raise the limit."
    )


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)).replace(
        "&lol0;", "&lol;"
    )
    + "]>"
)


PARTS = ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "xl/workbook.xml", "_rels/.rels"]


@pytest.mark.parametrize("part", PARTS)
def test_entity_expansion_is_refused_in_any_part(roster_store, tmp_path, part):
    def laughs(xml: str) -> str:
        return LAUGHS + xml.replace("<t>x</t>", "<t>&lol9;</t>")  # a billion "lol"s

    path = write_workbook(tmp_path / "laughs.xlsx", [["team"], ["x"]], change={part: laughs})
    assert refused(roster_store, path) == (
        f"A part of the workbook ({part}) declares its own entities, which Excel never writes: "
        "such a file can be built to exhaust the server. Save the sheet again from Excel, or as "
        "CSV, and upload that."
    )


def test_a_row_of_more_elements_than_its_cells_could_hold_is_refused(roster_store, tmp_path):
    data = '<row r="1"><c r="A1" t="inlineStr"><is><t>team</t></is></c>' + "<x/>" * 40_000
    path = write_workbook(tmp_path / "elements.xlsx", data=data + "</row>")
    assert refused(roster_store, path).startswith(
        "A row or a text of the workbook holds more XML elements than any spreadsheet writes"
    )


def test_a_tag_longer_than_any_cell_is_refused_before_a_parser_holds_it(roster_store, tmp_path):
    data = (
        f'<row r="1"><c r="A1" t="inlineStr" s="{"1" * 2_000_000}"><is><t>team</t></is></c></row>'
    )
    path = write_workbook(tmp_path / "tag.xlsx", data=data)
    assert refused(roster_store, path) == (
        "A part of the workbook (xl/worksheets/sheet1.xml) holds a tag or a text far longer "
        "than a cell may be (the max_cell_kb setting, 64 KB). Save the sheet again from Excel, "
        "or as CSV, and upload that."
    )


def cut(xml: str) -> str:
    return xml[:-20]


def test_a_workbook_a_parser_chokes_on_is_refused_in_our_words(roster_store, tmp_path):
    sheet = "xl/worksheets/sheet1.xml"
    path = write_workbook(tmp_path / "broken.xlsx", [["team"], ["x"]], change={sheet: cut})
    assert refused(roster_store, path) == (
        "The workbook cannot be read: it is damaged, or not an Excel workbook inside. Save it "
        "again from Excel, or as CSV, and upload that."
    )


def test_a_part_larger_than_its_zip_declares_is_refused(roster_store, tmp_path):
    path = write_workbook(tmp_path / "lies.xlsx", [TEMPLATE_HEADER.split(","), *responses(50)])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo("xl/worksheets/sheet1.xml").header_offset
    listed = data.rfind(b"xl/worksheets/sheet1.xml") - 46  # its entry in the zip's directory
    # The unpacked size, in the part's own header and in the directory, says 100 bytes.
    struct.pack_into("<L", data, local + 22, 100)
    struct.pack_into("<L", data, listed + 24, 100)
    path.write_bytes(bytes(data))
    assert refused(roster_store, path).startswith("The workbook cannot be read")


def test_a_zip_that_lists_millions_of_parts_is_refused_before_it_is_listed(roster_store, tmp_path):
    path = write_workbook(tmp_path / "parts.xlsx", [["team"], ["x"]])
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<L", data, end + 12, 200_000_000)  # the directory's size, as declared
    path.write_bytes(bytes(data))
    assert refused(roster_store, path).startswith(
        "The zip file lists far more parts than a workbook has"
    )


# ---- hostile workbooks, against limits lowered for the test (progress files follow them) ---

PROGRESS_HEADER = ["team", "week", "wins", "setbacks"]


def progress_rows(count: int) -> list[list]:
    return [[TEAMS[i % 3], "2026-11-10", 1 + i % 3, i % 2] for i in range(count)]


def test_a_workbook_with_more_rows_than_the_setting_allows(roster_store, tmp_path):
    set_limits(roster_store, max_rows=50)
    path = write_workbook(tmp_path / "rows.xlsx", [PROGRESS_HEADER, *progress_rows(60)])
    assert refused(roster_store, path, run_progress) == (
        "A sheet of the workbook has more than 50 rows (the max_rows setting). Split the export "
        "into smaller files, or ask an admin to raise the limit."
    )
    # Rows numbered far down count as far down, even when the rows between are missing.
    cells, _ = sheet_data([PROGRESS_HEADER, *progress_rows(2)])
    far = cells.replace('<row r="3">', '<row r="1000">')
    path = write_workbook(tmp_path / "far.xlsx", [PROGRESS_HEADER, *progress_rows(2)], data=far)
    assert "has more than 50 rows (the max_rows setting)" in refused(
        roster_store, path, run_progress
    )
    fits = write_workbook(tmp_path / "fits.xlsx", [PROGRESS_HEADER, *progress_rows(49)])
    assert run_progress(roster_store, fits).rows_in_file == 49


def test_a_workbook_that_unpacks_to_more_than_the_setting_allows(roster_store, tmp_path):
    set_limits(roster_store, max_unpacked_mb=1)
    path = write_workbook(tmp_path / "big.xlsx", [PROGRESS_HEADER, *progress_rows(20_000)])
    assert refused(roster_store, path, run_progress) == (
        "The workbook holds more than 1 MB once unpacked (the max_unpacked_mb setting). Save "
        "the sheet as CSV and upload that, or ask an admin to raise the limit."
    )


def test_one_shared_text_in_many_cells_cannot_fill_the_disk(roster_store, tmp_path):
    set_limits(roster_store, max_unpacked_mb=1)
    long = "a" * 60_000  # within max_cell_kb, stored once, shown in 40 cells
    rows = [[*PROGRESS_HEADER, "note"]] + [[*row, long] for row in progress_rows(40)]
    path = write_workbook(tmp_path / "reused.xlsx", rows)
    assert path.stat().st_size < 20_000
    assert refused(roster_store, path, run_progress).startswith(
        "The sheet, written out as text, holds more than 1 MB once unpacked (the "
        "max_unpacked_mb setting)."
    )


def test_shared_texts_that_would_take_too_much_memory(roster_store, tmp_path):
    set_limits(roster_store, max_unpacked_mb=1)
    texts = "".join(f"<si><t>{i}</t></si>" for i in range(5_000))  # 5,000 × 128 bytes held
    path = write_workbook(tmp_path / "texts.xlsx", [PROGRESS_HEADER], texts=texts)
    assert refused(roster_store, path, run_progress).startswith(
        "The workbook's shared texts would take 0.7 MB of memory to read, more than half the "
        "max_unpacked_mb setting (1 MB)."
    )


# ---- hostile text files -------------------------------------------------------------------


@pytest.mark.parametrize("columns", [50_000, 1_000_000])
def test_a_header_of_too_many_columns_is_refused_before_duckdb_reads_it(
    roster_store, tmp_path, columns
):
    header = ",".join(f"q{i}" for i in range(columns))
    path = write_file(tmp_path, "wide.csv", header + "\n" + "1," * (columns - 1) + "1\n")
    assert refused(roster_store, path) == (
        "Row 1 has more than 2,000 columns (the max_columns setting). Export only the survey's "
        "questions, or ask an admin to raise the limit."
    )


def test_a_row_with_too_many_columns_is_refused_even_when_split_over_lines(roster_store, tmp_path):
    set_limits(roster_store, max_columns=20)
    wide = ",".join(['"a\nb"'] * 25)  # every cell holds a line break: one row, many lines
    text = f"team,week,wins,setbacks\nSupport,2026-11-10,1,0\nSupport,2026-11-10,1,{wide}\n"
    path = write_file(tmp_path, "p.csv", text)
    assert refused(roster_store, path, run_progress) == (
        "Row 3 has more than 20 columns (the max_columns setting). Export only the survey's "
        "questions, or ask an admin to raise the limit."
    )


def test_more_rows_than_the_setting_allows(roster_store, tmp_path):
    set_limits(roster_store, max_rows=5)
    lines = [f"{TEAMS[i % 3]},2026-11-10,1,0\n" for i in range(6)]
    path = write_file(tmp_path, "p.csv", "team,week,wins,setbacks\n" + "".join(lines))
    assert refused(roster_store, path, run_progress) == (
        "The file has more than 5 rows (the max_rows setting). Split the export into smaller "
        "files, or ask an admin to raise the limit."
    )
    path = write_file(tmp_path, "p.csv", "team,week,wins,setbacks\n" + "".join(lines[:5]))
    assert run_progress(roster_store, path).rows_in_file == 5


SIXTY_MB = "a" * 60_000_000


@pytest.mark.parametrize(
    ("where", "cell"),
    [
        ("first rows", SIXTY_MB),
        ("past the first megabyte", SIXTY_MB),
        ("quoted, over many lines", '"' + "a\n" * 1_000_000 + '"'),
        ("quoted, with quotes inside", '"' + 'aaaa""' * 200_000 + '"'),
    ],
)
def test_a_huge_cell_is_refused_with_its_row_and_column(roster_store, tmp_path, where, cell):
    before = ["Support,2026-11-10,4,4,4,4,4,4,4,"] * (1 if where == "first rows" else 40_000)
    text = "\n".join([TEMPLATE_HEADER, *before, f"Support,2026-11-10,4,4,4,4,4,4,4,{cell}\n"])
    path = write_file(tmp_path, "huge.csv", text)
    assert refused(roster_store, path) == (
        f"Row {len(before) + 2}, column 10, holds more than 64 KB of text (the max_cell_kb "
        "setting): no survey answer is that long. Look for a quote that is never closed. Check "
        "that this is the survey export, or ask an admin to raise the limit."
    )


def test_a_quote_never_closed_is_named(roster_store, tmp_path):
    path = write_file(tmp_path, "open.csv", 'team,"submitted_at\n' + "x,\n" * 600_000)
    assert refused(roster_store, path).startswith(
        "Row 1, column 2, holds more than 64 KB of text (the max_cell_kb setting): no survey "
        "answer is that long. Look for a quote that is never closed."
    )


def test_a_first_row_longer_than_column_names_ever_are(roster_store, tmp_path):
    header = ",".join(f"{i} " + "question text " * 70 for i in range(1_500))  # 1.5 MB
    path = write_file(tmp_path, "long.csv", header + "\n" + "1," * 1_499 + "1\n")
    assert refused(roster_store, path) == (
        "The first row of the file does not end within its first 1 MB: column names are never "
        "that long. Look for a quote that is never closed, or check that this is a survey "
        "export."
    )


def test_cells_longer_than_the_csv_modules_and_duckdbs_own_limits_read_when_allowed(tmp_path):
    # 200 KB in the first rows (the csv module's limit is 128 KB) and a 10.5 MB row (DuckDB
    # allowed 10 MB): an organization that raised max_cell_kb gets them whole.
    long, longer = "b" * 200_000, "c" * 10_500_000
    path = write_file(tmp_path, "long.csv", f"a,b\n1,{long}\n2,{longer}\n")
    limits = Limits(max_cell_kb=11_000)
    text = text_module.prepare(
        Source(path.name, path), workdir=tmp_path, limit_bytes=10**9, limits=limits
    )
    cursor = duckdb.connect()
    text_module.read_file(cursor, "raw", text)
    assert cursor.execute("SELECT length(c1) FROM raw ORDER BY c0").fetchall() == [
        (200_000,),
        (10_500_000,),
    ]


def test_any_parser_error_becomes_a_refusal_in_our_words(roster_store, tmp_path, monkeypatch):
    def broken(records):
        raise RuntimeError("a parser's own words")

    monkeypatch.setattr(text_module.layouts, "detect", broken)
    path = write_file(tmp_path, "t.csv", TEMPLATE_HEADER + "\nSupport,2026-11-10,4,4,4,4,4,4,4,\n")
    before = database_snapshot(roster_store)
    with pytest.raises(ImportRefused) as refusal:
        run(roster_store, path)
    assert database_snapshot(roster_store) == before
    assert str(refusal.value) == (
        "The file cannot be read as text: save it again from the program that made it, as CSV "
        "UTF-8, and upload that."
    )
    assert isinstance(refusal.value.__cause__, RuntimeError)  # kept for whoever debugs it


# ---- the limits are settings --------------------------------------------------------------


def test_the_import_limits_are_organization_settings():
    defaults = OrgSettings.from_rows({})
    assert Limits.of(defaults) == Limits() == Limits(2_000_000, 2_000, 64, 1_000)
    rows = {"max_rows": "10", "max_columns": "646", "max_cell_kb": "1", "max_unpacked_mb": "5"}
    org = OrgSettings.from_rows(rows)
    assert Limits.of(org) == Limits(10, 646, 1, 5)
    for key in ("max_rows", "max_columns", "max_cell_kb", "max_unpacked_mb"):
        with pytest.raises(SettingError, match="at least 1"):
            parse_setting(key, "0")
        with pytest.raises(SettingError, match="whole number"):
            parse_setting(key, "lots")
