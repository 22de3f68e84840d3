"""Importing survey files: every row accounted for, nothing half-written, nothing doubled."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from fixtures import SAMPLES, TEMPLATE_HEADER, database_snapshot, stored, write_file

from dashboard import ingest
from dashboard.catalysts import ITEM_KEYS
from dashboard.ingest import ImportRefused, Source, SurveyOptions, survey_rows

# The importer reads and checks files in DuckDB on either engine (server mode stages them
# in a workspace); these tests of what is written run on both engines, marked one by one.
ON_BOTH = pytest.mark.both_engines

NOW = datetime(2026, 11, 24, 9)


def run(db, path, **options) -> ingest.ImportReport:
    return ingest.import_survey(db, Source(path.name, path), SurveyOptions(**options), now=NOW)


def refused(db, path, **options) -> list[str]:
    before = database_snapshot(db)
    with pytest.raises(ImportRefused) as refusal:
        run(db, path, **options)
    assert database_snapshot(db) == before, "a refused import changed the database"
    return [str(problem) for problem in refusal.value.problems]


def rows(*lines: str) -> str:
    return TEMPLATE_HEADER + "\n" + "\n".join(lines) + "\n"


@ON_BOTH
def test_the_template_sample_imports_every_row(roster_store):
    report = run(roster_store, SAMPLES / "template_example.csv")
    assert (report.rows_in_file, report.imported, report.duplicates, report.rejected) == (
        9,
        9,
        0,
        0,
    )
    assert report.reconciles and report.import_id
    summary = stored(
        roster_store, "SELECT sum(responses), sum(clear_goals_n) FROM response_summary"
    )
    assert summary == [(9, 9)]
    # clear_goals answers 3,5,2,2,3,5,2,5,4: favorable (4 or 5) are 4 of 9
    assert stored(roster_store, "SELECT sum(clear_goals_favorable) FROM response_summary") == [(4,)]


def test_label_headers_and_label_answers(roster_store, tmp_path):
    text = (
        "Team,Submitted at,Clear goals,Autonomy,Resources,Help,Obstacle removal,"
        "Respect & recognition,Progress\n"
        "Support,2026-11-10,Strongly agree,1 - Strongly disagree,5: strongly agree,"
        "Somewhat agree,N/A,Don't know,Always\n"
        "Support,2026-11-10,NEUTRAL,disagree,  Agree ,Never,Prefer not to say,,Often\n"
    )
    report = run(roster_store, write_file(tmp_path, "labels.csv", text))
    assert report.imported == 2
    assert stored(
        roster_store,
        "SELECT clear_goals, autonomy, resources, help, obstacle_removal, respect, progress "
        "FROM survey_responses ORDER BY clear_goals DESC",
    ) == [(5.0, 1.0, 5.0, 4.0, None, None, 5.0), (3.0, 2.0, 4.0, 1.0, None, None, 4.0)]


def test_a_seven_point_column_is_detected_and_normalized(roster_store, tmp_path):
    path = write_file(
        tmp_path,
        "seven.csv",
        rows(
            "Support,2026-11-10,7,4,4,4,4,4,4,",
            "Support,2026-11-10,1,4,4,4,4,4,4,",
            "Support,2026-11-10,4,4,4,4,4,4,4,",
            "Support,2026-11-10,5,4,4,4,4,4,4,",
        ),
    )
    report = run(roster_store, path)
    assert "Clear goals: numbers read on a 1-7 scale." in report.notes
    scores = stored(roster_store, "SELECT clear_goals FROM survey_responses ORDER BY 1")
    assert [s for (s,) in scores] == pytest.approx([1.0, 3.0, 1 + 4 * 4 / 6, 5.0])


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8 (with byte order mark)"),
        ("utf-16", "UTF-16"),
        ("utf-16-be-bom", "UTF-16"),
        ("cp1252", "Windows-1252"),
    ],
)
def test_encodings_spreadsheets_produce_are_read_exactly(roster_store, tmp_path, encoding, name):
    comment = "Team lead’s “thank you” — it mattered"
    text = rows(
        f'Support,2026-11-10,4,4,4,4,4,4,4,"{comment}"', "Sales East,2026-11-10,5,5,5,5,5,5,5,"
    )
    if encoding == "utf-16-be-bom":
        data = "\ufeff".encode("utf-16-be") + text.encode("utf-16-be")
        path = tmp_path / "be.csv"
        path.write_bytes(data)
    else:
        path = write_file(tmp_path, f"{encoding}.csv", text, encoding)
    report = run(roster_store, path)
    assert report.imported == 2
    assert f"{name}, separated by commas)." in report.notes[0]
    assert stored(
        roster_store, "SELECT comment FROM survey_responses WHERE comment IS NOT NULL"
    ) == [(comment,)]


@pytest.mark.parametrize(("separator", "word"), [(";", "semicolons"), ("\t", "tabs")])
def test_semicolon_and_tab_separated_files(roster_store, tmp_path, separator, word):
    text = rows("Support,2026-11-10,4,4,4,4,4,4,4,", "Sales West,2026-11-10,2,3,4,5,1,2,3,")
    report = run(roster_store, write_file(tmp_path, "data.csv", text.replace(",", separator)))
    assert report.imported == 2
    assert f"UTF-8, separated by {word})." in report.notes[0]


def test_windows_line_endings_and_line_breaks_inside_cells(roster_store, tmp_path):
    text = rows(
        'Support,2026-11-10,4,4,4,4,4,4,4,"first line\nsecond line"',
        "Support,2026-11-10,3,3,3,3,3,3,3,",
    )
    report = run(roster_store, write_file(tmp_path, "crlf.csv", text.replace("\n", "\r\n")))
    assert report.imported == 2
    assert stored(
        roster_store, "SELECT comment FROM survey_responses WHERE comment IS NOT NULL"
    ) == [("first line\r\nsecond line",)]


@ON_BOTH
def test_the_same_file_again_changes_nothing_and_says_when(roster_store):
    first = run(roster_store, SAMPLES / "template_example.csv")
    again = run(roster_store, SAMPLES / "template_example.csv")
    assert again.imported == 0 and again.duplicates == 9 and again.reconciles
    assert again.already_imported.startswith(f"import #{first.import_id} on ")
    assert "was already imported" in again.summary()
    assert stored(roster_store) == [(9,)]


@ON_BOTH
def test_a_growing_sheet_adds_only_its_new_rows(roster_store, tmp_path):
    lines = [f"Support,2026-11-1{i % 3},{1 + i % 5},4,4,4,4,4,4," for i in range(8)]
    run(roster_store, write_file(tmp_path, "week1.csv", rows(*lines[:5])))
    report = run(roster_store, write_file(tmp_path, "week2.csv", rows(*lines)))
    assert (report.rows_in_file, report.imported, report.duplicates) == (8, 3, 5)
    assert stored(roster_store) == [(8,)]


@pytest.mark.file_only(
    "responses from before store version 8 exist only in files; copied to a "
    "server they keep their keys, which the workspace computes in DuckDB"
)
def test_responses_stored_under_the_old_fingerprint_are_still_recognised(roster_store, tmp_path):
    """Responses imported before store version 8 carry the old key (team, second and
    scores): a later export holding them adds only its new rows, and copies of one row
    stay told apart. Checking rows skips the old key only where no response has it."""
    lines = [f"Support,2026-11-1{i % 3} 09:00,{1 + i % 5},4,4,4,4,4,4," for i in range(6)]
    lines.append(lines[0])  # a second, identical response
    run(roster_store, write_file(tmp_path, "old.csv", rows(*lines[:5], lines[0])))
    with roster_store.transaction() as cursor:  # as store version 8 found them
        old_key = survey_rows.legacy_key([k for k in ITEM_KEYS if k != "comment"])
        cursor.execute(
            f"UPDATE survey_responses SET fingerprint = {old_key}, zoned_fingerprint = NULL"  # noqa: S608
        )
        cursor.execute(
            "WITH copies AS (SELECT rowid AS stored, row_number() OVER (PARTITION BY "
            "fingerprint ORDER BY rowid) AS copy FROM survey_responses) UPDATE survey_responses "
            "SET fingerprint = md5_number(fingerprint::VARCHAR || '#' || c.copy) "
            "FROM copies c WHERE c.stored = survey_responses.rowid AND c.copy > 1"
        )
        cursor.execute(
            "UPDATE meta SET value = (SELECT max(import_id) FROM imports)::VARCHAR "
            "WHERE key = 'legacy_fingerprints_through'"
        )
    report = run(roster_store, write_file(tmp_path, "later.csv", rows(*lines)))
    assert (report.rows_in_file, report.imported, report.duplicates) == (7, 1, 6)
    assert stored(roster_store) == [(7,)]


@ON_BOTH
def test_identical_rows_are_separate_responses_and_not_doubled_later(roster_store, tmp_path):
    same = "Support,2026-11-10 09:00,4,4,4,4,4,4,4,"
    first = run(roster_store, write_file(tmp_path, "a.csv", rows(same, same)))
    assert first.imported == 2
    later = run(
        roster_store,
        write_file(tmp_path, "b.csv", rows(same, same, same, "Support,2026-11-10,1,1,1,1,1,1,1,")),
    )
    assert (later.imported, later.duplicates) == (2, 2)  # the third copy and the new row
    assert stored(roster_store) == [(4,)]


def test_a_response_id_recognises_a_response_whose_other_cells_changed(roster_store, tmp_path):
    header = "ResponseId,team,submitted_at,clear_goals\n"
    run(
        roster_store,
        write_file(
            tmp_path, "a.csv", header + "R_1,Support,2026-11-10,4\nR_2,Support,2026-11-10,5\n"
        ),
    )
    report = run(
        roster_store,
        write_file(
            tmp_path, "b.csv", header + "R_1,Support,2026-11-10 12:00,3\nR_3,Support,2026-11-11,2\n"
        ),
    )
    assert (report.imported, report.duplicates) == (1, 1)
    assert "ResponseId (personal data)" in report.dropped_columns


def test_personal_data_is_dropped_and_named(roster_store, tmp_path):
    text = (
        "Email Address,Name,IP Address,team,submitted_at,clear_goals,Favourite colour\n"
        "ann@corp.example,Ann,10.0.0.1,Support,2026-11-10,4,blue\n"
    )
    report = run(roster_store, write_file(tmp_path, "pii.csv", text))
    assert report.dropped_columns == [
        "Email Address (personal data)",
        "Name (personal data)",
        "IP Address (personal data)",
        "Favourite colour (not used)",
    ]
    with roster_store.reading() as cursor:
        everything = str(cursor.execute("SELECT * FROM survey_responses").fetchall())
        audit = str(cursor.execute("SELECT * FROM audit_log").fetchall())
    assert "ann@corp.example" not in everything + audit and "10.0.0.1" not in everything + audit


@ON_BOTH
def test_undo_removes_exactly_that_import_and_the_file_can_come_back(roster_store, tmp_path):
    run(
        roster_store,
        write_file(tmp_path, "other.csv", rows("Sales West,2026-11-10,4,4,4,4,4,4,4,")),
    )
    report = run(roster_store, SAMPLES / "template_example.csv")
    removed = ingest.undo_import(roster_store, report.import_id, now=NOW)
    assert removed == 9
    assert stored(roster_store) == [(1,)]
    assert stored(roster_store, "SELECT sum(responses) FROM response_summary") == [(1,)]
    with pytest.raises(ImportRefused, match="already undone"):
        ingest.undo_import(roster_store, report.import_id, now=NOW)
    assert run(roster_store, SAMPLES / "template_example.csv").imported == 9
    actions = stored(
        roster_store, "SELECT action FROM audit_log WHERE action LIKE 'import%' ORDER BY audit_id"
    )
    assert [a for (a,) in actions] == [
        "import.roster",
        "import.survey",
        "import.survey",
        "import.undo",
        "import.survey",
    ]


def test_team_and_week_for_every_row_from_the_command(roster_store, tmp_path):
    text = "clear_goals,autonomy\n4,5\n3,2\n"
    report = run(
        roster_store,
        write_file(tmp_path, "bare.csv", text),
        team="sales east",
        week=date(2026, 11, 12),
    )
    assert report.imported == 2
    assert stored(roster_store, "SELECT DISTINCT team_id, week FROM survey_responses") == [
        (2, date(2026, 11, 9))
    ]


# ---- refusals: each says what is wrong, where, and changes nothing -------------------------


def test_an_answer_outside_the_scale(roster_store, tmp_path):
    path = write_file(
        tmp_path,
        "bad.csv",
        rows("Support,2026-11-10,4,4,4,4,4,4,4,", "Support,2026-11-10,4,9,4,4,4,4,4,"),
    )
    assert refused(roster_store, path, scale="1-5") == [
        'row 3, column Autonomy: "9" is outside the 1-5 scale'
    ]


def test_an_answer_that_is_not_a_scale_label(roster_store, tmp_path):
    problems = refused(
        roster_store, write_file(tmp_path, "bad.csv", rows("Support,2026-11-10,Maybe,4,4,4,4,4,4,"))
    )
    assert problems == [
        'column C (clear_goals): answers Catalyst does not know: "Maybe" (1 row). The column is '
        "refused whole, since its other answers alone would give a one-sided picture. Say what "
        'each answer means, lowest to highest, with --labels "LABEL=1,LABEL=2,…", like '
        '"Maybe=1,…"; or leave the column out.'
    ]


def test_an_unknown_team_lists_the_known_ones(roster_store, tmp_path):
    problems = refused(
        roster_store, write_file(tmp_path, "bad.csv", rows("Marketing,2026-11-10,4,4,4,4,4,4,4,"))
    )
    assert problems == [
        'row 2, column team: "Marketing" is not a known team',
        'Teams must match the roster: known teams: Sales East, Sales West, Support. For another name a team goes by, add --team-alias "NAME=Team".',
    ]


def test_no_team_column_and_no_team_given(roster_store, tmp_path):
    problems = refused(
        roster_store, write_file(tmp_path, "bad.csv", "submitted_at,clear_goals\n2026-11-10,4\n")
    )
    assert problems == [
        "No team column. Add a column named team, name it with --team-column HEADER, or give the team for every row (--team)."
    ]


def test_no_catalyst_columns(roster_store, tmp_path):
    problems = refused(
        roster_store,
        write_file(tmp_path, "bad.csv", "team,submitted_at,mood\nSupport,2026-11-10,good\n"),
    )
    assert problems[0].startswith("No catalyst columns found.")
    assert '"team", "submitted_at", "mood"' in problems[0]


def test_an_unreadable_date(roster_store, tmp_path):
    problems = refused(
        roster_store, write_file(tmp_path, "bad.csv", rows("Support,last tuesday,4,4,4,4,4,4,4,"))
    )
    assert problems == [
        'row 2, column date: "last tuesday" is not a date Catalyst can read (use 2026-11-24, 2026-11-24 14:05 or the export\'s own format)'
    ]


def test_a_date_after_tomorrow(roster_store, tmp_path):
    future = (date.today() + timedelta(days=3)).isoformat()
    problems = refused(
        roster_store, write_file(tmp_path, "bad.csv", rows(f"Support,{future},4,4,4,4,4,4,4,"))
    )
    assert problems == [f'row 2, column date: the date "{future}" is after tomorrow']


def test_a_row_with_the_wrong_number_of_fields_is_numbered_as_a_spreadsheet_shows_it(
    roster_store, tmp_path
):
    text = rows(
        'Support,2026-11-10,4,4,4,4,4,4,4,"two\nlines"',
        "Support,2026-11-10,4,4,4",
        "Support,2026-11-10,4,4,4,4,4,4,4,",
    )
    problems = refused(roster_store, write_file(tmp_path, "bad.csv", text))
    assert problems == [
        "row 3: this row has 5 fields where the header has 10: check for a missing or extra separator, or an unclosed quote"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"  \n\n", "The file is empty."),
        (TEMPLATE_HEADER.encode() + b"\n", "The file has a header but no responses."),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "This is not a text file: save the export as CSV (or TSV) and upload that.",
        ),
        (
            b"PK\x03\x04rest-of-zip",
            "This is a zip file (not an Excel workbook), not a text export: save it as CSV and upload that.",
        ),
    ],
    ids=["empty", "blank", "header only", "binary", "zip"],
)
def test_files_that_hold_no_survey(roster_store, tmp_path, content, message):
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    assert refused(roster_store, path) == [message]


def test_a_file_over_the_size_limit(roster_store, tmp_path):
    with roster_store.transaction() as cursor:
        cursor.execute("INSERT INTO settings VALUES ('max_upload_mb', '1', NULL, NULL)")
    path = write_file(
        tmp_path, "big.csv", rows(*["Support,2026-11-10,4,4,4,4,4,4,4," + "x" * 200] * 6000)
    )
    problems = refused(roster_store, path)
    assert problems[0].startswith(
        "The file is 1.4 MB; the limit is 1 MB (the max_upload_mb setting)."
    )


@ON_BOTH
def test_skip_invalid_imports_the_good_rows_and_keeps_the_report(roster_store, tmp_path):
    text = rows(
        "Support,2026-11-10,4,4,4,4,4,4,4,",
        "Nowhere,2026-11-10,4,4,4,4,4,4,4,",
        "Support,2026-11-10,4,4,4,4",
        "Support,2026-11-10,9,4,4,4,4,4,4,",
    )
    report = run(
        roster_store, write_file(tmp_path, "mixed.csv", text), skip_invalid=True, scale="1-5"
    )
    assert (report.rows_in_file, report.imported, report.rejected) == (4, 1, 3)
    assert report.reconciles
    kept = stored(roster_store, "SELECT row_number, column_name FROM import_problems ORDER BY 1")
    assert kept == [(3, "team"), (5, "Clear goals")]  # the structural one is in the report
    assert [p.row for p in report.errors] == [4, 3, 5, None]  # and which teams are known


# ---- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "setting", "stated", "weeks", "note"),
    [
        (
            ["24/10/2026", "03/11/2026"],
            None,
            None,
            ["2026-10-19", "2026-11-02"],
            "Dates read day first (24/11/2026): some can only be read that way.",
        ),
        (
            ["10/24/2026", "11/03/2026"],
            None,
            None,
            ["2026-10-19", "2026-11-02"],
            "Dates read month first (11/24/2026): some can only be read that way.",
        ),
        (
            ["11/10/2026 02:00:05 PM", "11/12/2026 09:00 AM"],
            "day_first",
            None,
            ["2026-11-09"],
            "Dates read month first (11/24/2026): AM/PM times come from American exports.",
        ),
        (
            ["03/10/2026", "05/10/2026"],
            None,
            None,
            ["2026-03-09", "2026-05-04"],
            "Dates like 11/12/2026 read month first (11/24/2026), the organization's date-order setting; use --date-order dmy or mdy to read them otherwise.",
        ),
        (
            ["03/10/2026", "05/10/2026"],
            "day_first",
            None,
            ["2026-09-28", "2026-10-05"],
            "Dates like 11/12/2026 read day first (24/11/2026), the organization's date-order setting; use --date-order dmy or mdy to read them otherwise.",
        ),
        (
            ["03/10/2026", "05/10/2026"],
            "day_first",
            "month_first",
            ["2026-03-09", "2026-05-04"],
            None,
        ),
        (["2026-11-10", "10.11.2026"], None, None, ["2026-11-09"], None),
    ],
    ids=[
        "day above 12 first",
        "day above 12 second",
        "am-pm",
        "setting default",
        "setting day first",
        "stated",
        "iso and dotted",
    ],
)
def test_date_order_matrix(roster_store, tmp_path, dates, setting, stated, weeks, note):
    if setting:
        with roster_store.transaction() as cursor:
            cursor.execute("INSERT INTO settings VALUES ('date_order', ?, NULL, NULL)", [setting])
    text = rows(*(f"Support,{d},4,4,4,4,4,4,4," for d in dates))
    report = run(roster_store, write_file(tmp_path, "dates.csv", text), date_order=stated)
    if note:
        assert note in report.worded_notes()
    found = stored(roster_store, "SELECT DISTINCT week::VARCHAR FROM survey_responses ORDER BY 1")
    assert [w for (w,) in found] == weeks


def test_dates_that_mix_both_orders_are_refused(roster_store, tmp_path):
    text = rows("Support,24/10/2026,4,4,4,4,4,4,4,", "Support,10/24/2026,4,4,4,4,4,4,4,")
    assert refused(roster_store, write_file(tmp_path, "mixed.csv", text))[0].startswith(
        "The dates mix day-first and month-first writing"
    )


def test_times_with_an_offset_are_moved_to_the_organizations_time_zone(roster_store, tmp_path):
    run(
        roster_store,
        write_file(tmp_path, "z.csv", rows("Support,2026-11-15T23:30:00Z,4,4,4,4,4,4,4,")),
    )
    # UTC is the default time zone: Sunday 23:30 stays in the week of 9 Nov.
    assert stored(roster_store, "SELECT week FROM survey_responses") == [(date(2026, 11, 9),)]


# ---- genuine exports' classes of trouble (issue 17) --------------------------------------


def test_a_half_known_scale_is_refused_whole_then_imports_with_its_labels(roster_store, tmp_path):
    """Only "Neutral" is a label Catalyst knows: importing it alone would show every answer
    as neutral. The column is refused, naming the labels it did not know, even with
    --skip-invalid; stating the scale imports every row."""
    answers = ["Not useful", "Neutral", "Very useful", "Useful", "Neutral", "Slightly useful"]
    text = "team,submitted_at,clear_goals\n" + "".join(
        f"Support,2026-11-10 09:0{i},{a}\n" for i, a in enumerate(answers)
    )
    path = write_file(tmp_path, "usefulness.csv", text)
    problems = refused(roster_store, path, skip_invalid=True)
    assert len(problems) == 1 and problems[0].startswith(
        'column C (clear_goals): answers Catalyst does not know: "Not useful" (1 row), '
    )
    assert '"Very useful" (1 row)' in problems[0] and "--labels" in problems[0]
    labels = "Not useful=1,Slightly useful=2,Neutral=3,Useful=4,Very useful=5"
    report = run(roster_store, path, labels=labels)
    assert report.imported == 6
    scores = stored(roster_store, "SELECT clear_goals FROM survey_responses ORDER BY submitted_at")
    assert [s for (s,) in scores] == [1, 3, 5, 4, 3, 2]


def test_stated_labels_that_cannot_be_a_scale_are_refused(roster_store, tmp_path):
    path = write_file(tmp_path, "x.csv", rows("Support,2026-11-10,4,4,4,4,4,4,4,"))
    assert refused(roster_store, path, labels="Yes=1,No") == [
        'Answer labels: "No" should be LABEL=NUMBER, like "Not useful=1".'
    ]


def test_rows_sharing_a_response_id_with_other_answers_are_named(roster_store, tmp_path):
    """A repeat group: two rows of response R1 with different answers are not dropped as a
    duplicate in silence; identical copies of R2 are one response."""
    text = (
        "Response ID," + TEMPLATE_HEADER + "\n"
        "R1,Support,2026-11-10,4,4,4,4,4,4,4,\n"
        "R1,Support,2026-11-10,2,2,2,2,2,2,2,\n"
        "R2,Support,2026-11-10,5,5,5,5,5,5,5,\n"
        "R2,Support,2026-11-10,5,5,5,5,5,5,5,\n"
    )
    path = write_file(tmp_path, "repeats.csv", text)
    assert refused(roster_store, path) == [
        "row 3, column response id: this row has the response id of row 2 but different "
        "answers: a response is imported once, from its first row (export repeat groups or "
        "edited copies one row per response)"
    ]
    report = run(roster_store, path, skip_invalid=True)
    assert (report.imported, report.duplicates, report.rejected) == (2, 1, 1)


@ON_BOTH
def test_a_later_export_with_edited_answers_keeps_the_stored_ones_and_says_so(
    roster_store, tmp_path
):
    header = "Response ID," + TEMPLATE_HEADER + "\n"
    first = write_file(tmp_path, "a.csv", header + "R1,Support,2026-11-10,4,4,4,4,4,4,4,\n")
    run(roster_store, first)
    edited = write_file(tmp_path, "b.csv", header + "R1,Support,2026-11-10,2,4,4,4,4,4,4,\n")
    report = run(roster_store, edited)
    assert (report.imported, report.duplicates) == (0, 1)
    assert report.notes[-1].startswith(
        "1 row has the response id of a response stored earlier but other answers"
    )


def test_map_on_a_header_several_columns_share_names_their_letters(roster_store, tmp_path):
    text = "team,submitted_at,Q1,Q1\nSupport,2026-11-10,4,2\n"
    path = write_file(tmp_path, "twice.csv", text)
    assert refused(roster_store, path, maps=("Q1=clear_goals",)) == [
        '2 columns are called "Q1" (columns C, D): say which one you mean by its letters, '
        'like "column C=clear_goals".'
    ]
    run(roster_store, path, maps=("column D=clear_goals",))
    assert stored(roster_store, "SELECT clear_goals FROM survey_responses") == [(2,)]


def test_a_personal_column_cannot_be_stored_as_a_comment(roster_store, tmp_path):
    text = TEMPLATE_HEADER + ",Email address\nSupport,2026-11-10,4,4,4,4,4,4,4,,a@b.example\n"
    problems = refused(
        roster_store, write_file(tmp_path, "p.csv", text), maps=("Email address=comment",)
    )
    assert problems == [
        'Column "Email address" looks like personal data (a name, e-mail or phone number); '
        "Catalyst never stores it, also not as a comment."
    ]


@pytest.mark.parametrize(
    ("written", "stored_as"),
    [
        ("11/18/26 9:00", datetime(2026, 11, 18, 9, 0)),  # Excel's m/d/yy
        ("18.11.26 09:00", datetime(2026, 11, 18, 9, 0)),
        ("2026/11/18 9:00:05 am", datetime(2026, 11, 18, 9, 0, 5)),
        ("2026/11/18 1:30:00 pm GMT+2", datetime(2026, 11, 18, 11, 30)),
        ("2026-11-18T09:00:00-05:00", datetime(2026, 11, 18, 14, 0)),
        ("2026/11/18 9:00:00 am PST", datetime(2026, 11, 18, 17, 0)),
    ],
)
def test_dates_as_tools_write_them(roster_store, tmp_path, written, stored_as):
    path = write_file(tmp_path, "d.csv", rows(f'Support,"{written}",4,4,4,4,4,4,4,'))
    run(roster_store, path, date_order="month_first")
    assert stored(roster_store, "SELECT submitted_at FROM survey_responses") == [(stored_as,)]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "1999-12-31",
            'the date "1999-12-31" is before 2000: check the year (two-digit years '
            "are read as 20yy)",
        ),
        (
            "2026/11/18 9:00:00 am XYZT",
            '"2026/11/18 9:00:00 am XYZT" ends in "XYZT", a time '
            "zone Catalyst does not know: write the time with an offset such as +01:00",
        ),
    ],
)
def test_dates_that_cannot_be_right_are_refused_with_the_reason(
    roster_store, tmp_path, written, message
):
    path = write_file(tmp_path, "d.csv", rows(f"Support,{written},4,4,4,4,4,4,4,"))
    assert refused(roster_store, path) == [f"row 2, column date: {message}"]
