"""Genuine export shapes (tests/data/shapes, see SHAPES.md there): the same nine responses
as the template sample, written the way each survey tool and Excel really write them.
Each imports with no options, or with the options our refusal names, and stores exactly
the template's answers, teams and weeks, with personal data left out."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from fixtures import DATA, database_snapshot, stored

from dashboard import ingest
from dashboard.ingest import ImportRefused, Source, SurveyOptions

NOW = datetime(2026, 11, 24, 9)
SHAPES = DATA / "shapes"
ITEMS = ("clear_goals", "autonomy", "resources", "help", "obstacle_removal", "respect", "progress")
# Item sums per team (Sales East, Sales West, Support), from SHAPES.md's shared table.
SUMS = {
    "clear_goals": (13, 11, 7), "autonomy": (10, 13, 8), "resources": (12, 8, 11),
    "help": (11, 13, 10), "obstacle_removal": (11, 6, 12), "respect": (13, 10, 14),
    "progress": (11, 11, 12),
}  # fmt: skip
NO_OPTIONS = {
    "googleforms_download.csv": "Google Forms",
    "googleforms_sheets.xlsx": "Google Forms",
    "microsoftforms_excel.xlsx": "Microsoft Forms",
    "qualtrics_numeric.csv": "Qualtrics",
    "qualtrics_choice-text.csv": "Qualtrics",
    "qualtrics_numeric.xlsx": "Qualtrics",
    "surveymonkey_excel.xlsx": "SurveyMonkey",
    "limesurvey_full-answers.csv": "LimeSurvey",
    "typeform_responses.csv": "Typeform",
    "kobotoolbox_labels.csv": "KoboToolbox",
    "sosci_excel.csv": "SoSci Survey",
    "excel_de-semicolon-cp1252.csv": "Catalyst template",
    "excel_unicode-text-en-us.txt": "Catalyst template",
}
# Files that name their items only by code: the refusal names the columns, the user maps.
CODED = {
    "sosci_r-data.csv": ("AB01_0", "TM01_01"),
    "surveyxact_dataset.csv": ("s_", None),
    "kobotoolbox_xml-values.csv": (None, None),
}


def run(db, name: str, **options) -> ingest.ImportReport:
    path = SHAPES / name
    return ingest.import_survey(db, Source(name, path), SurveyOptions(**options), now=NOW)


def assert_the_nine_responses(db) -> None:
    sums = ", ".join(f"sum({item})" for item in ITEMS)
    per_team = stored(
        db,
        f"SELECT t.name, count(*), {sums} FROM survey_responses "  # noqa: S608
        "JOIN teams t USING (team_id) GROUP BY 1 ORDER BY 1",
    )
    assert [row[:2] for row in per_team] == [("Sales East", 3), ("Sales West", 3), ("Support", 3)]
    for position, item in enumerate(ITEMS):
        assert tuple(row[2 + position] for row in per_team) == SUMS[item], item
    assert stored(db, "SELECT DISTINCT week FROM survey_responses") == [(date(2026, 11, 9),)]


def assert_no_personal_data(db) -> None:
    texts = " ".join(str(row) for row in stored(db, "SELECT * FROM survey_responses"))
    for personal in ("@example.com", "1234567", "Ana Berg", "203.0.113"):
        assert personal not in texts


@pytest.mark.parametrize("name", sorted(NO_OPTIONS))
def test_each_export_shape_imports_as_it_comes(roster_store, name):
    report = run(roster_store, name)
    assert (report.rows_in_file, report.imported) == (9, 9) and report.reconciles
    tool = NO_OPTIONS[name]
    assert any(note.startswith(f"Recognised as a {tool} export") for note in report.notes)
    assert_the_nine_responses(roster_store)
    assert_no_personal_data(roster_store)


@pytest.mark.parametrize("name", sorted(CODED))
def test_coded_exports_import_with_the_mapping_the_refusal_asks_for(roster_store, name):
    item_prefix, team_column = CODED[name]
    if item_prefix:
        before = database_snapshot(roster_store)
        with pytest.raises(ImportRefused) as refused:
            run(roster_store, name)
        message = str(refused.value.problems[0])
        assert message.startswith("No catalyst columns found.")
        assert f'Columns that look like answers: "{item_prefix}1"' in message
        assert '--map "HEADER=key"' in message
        assert database_snapshot(roster_store) == before
    codes = {
        "sosci_r-data.csv": [f"AB01_0{n}" for n in range(1, 8)],
        "surveyxact_dataset.csv": [f"s_{n}" for n in range(1, 8)],
        "kobotoolbox_xml-values.csv": [
            f"week/{w}"
            for w in ("goals", "freedom", "resources", "help", "obstacles", "respect", "progress")
        ],
    }[name]
    maps = tuple(f"{code}={item}" for code, item in zip(codes, ITEMS, strict=True))
    report = run(roster_store, name, maps=maps, team_column=team_column)
    assert (report.rows_in_file, report.imported) == (9, 9) and report.reconciles
    assert_the_nine_responses(roster_store)
    assert_no_personal_data(roster_store)


def test_comments_reach_the_database_without_email_or_phone(roster_store):
    report = run(roster_store, "googleforms_download.csv")
    assert (
        "Removed 1 e-mail address and 1 phone number from comments (replaced by [email] and "
        "[phone]): comments are stored without them." in report.notes
    )
    comments = sorted(
        c for (c,) in stored(roster_store, "SELECT comment FROM survey_responses") if c
    )
    assert comments == [
        "Great week – write me at [email] if you want details.",
        "Please call me on [phone], the München office still waits for laptops.",
    ]


def test_times_with_a_zone_are_moved_to_the_organizations_zone(roster_store):
    """Google Forms writes "2026/11/10 9:15:02 am CET"; Typeform writes UTC and says so in
    its header; Qualtrics names Europe/Berlin in its ImportId row. The organization is in
    UTC (the default), so all three store 09:15 Berlin time as 08:15."""
    for name in ("googleforms_download.csv", "typeform_responses.csv", "qualtrics_numeric.csv"):
        assert run(roster_store, name).imported == 9  # response ids: other tools, other rows
    times = stored(
        roster_store,
        "SELECT count(*), count(DISTINCT submitted_at), min(submitted_at) FROM survey_responses",
    )
    assert times == [(27, 9, datetime(2026, 11, 10, 8, 15, 2))]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("googleforms_download.csv", "googleforms_sheets.xlsx"),
        ("qualtrics_numeric.csv", "qualtrics_numeric.xlsx"),
    ],
)
def test_the_same_form_as_csv_and_as_xlsx_is_recognised(roster_store, first, second):
    run(roster_store, first)
    report = run(roster_store, second)
    assert (report.imported, report.duplicates) == (0, 9)
    assert stored(roster_store, "SELECT count(*) FROM survey_responses") == [(9,)]


def _moved_an_hour_east(text: str) -> str:
    """The Google Forms CSV as exported after the form's sheet moved from CET to EET."""
    import re

    def later(found: re.Match) -> str:
        hour = int(found.group(1)) % 12 + (12 if found.group(3) == "pm" else 0) + 1
        return f"{hour % 12 or 12}:{found.group(2)} {'pm' if hour >= 12 else 'am'} EET"

    return re.sub(r"(\d{1,2}):(\d\d:\d\d) (am|pm) CET", later, text)


def test_a_sheet_whose_time_zone_changed_is_recognised(roster_store, tmp_path):
    run(roster_store, "googleforms_download.csv")
    moved = tmp_path / "googleforms_eet.csv"
    moved.write_text(_moved_an_hour_east((SHAPES / "googleforms_download.csv").read_text()))
    assert "10:15:02 am EET" in moved.read_text()
    report = ingest.import_survey(roster_store, Source(moved.name, moved), now=NOW)
    assert (report.imported, report.duplicates) == (0, 9)


def test_a_later_export_that_reveals_a_wider_scale_adds_only_its_new_rows(roster_store, tmp_path):
    """Nine answers on 1-5, then the same export with a tenth row answering 7: the columns
    are now read as 1-7, but the nine rows say what they said and are not added again."""
    lines = (DATA / "samples" / "template_example.csv").read_text().splitlines()
    first = tmp_path / "week.csv"
    first.write_text("\n".join(lines) + "\n")
    ingest.import_survey(roster_store, Source(first.name, first), now=NOW)
    grown = tmp_path / "week-later.csv"
    grown.write_text("\n".join([*lines, "Support,2026-11-11,7,6,6,6,6,6,6,"]) + "\n")
    report = ingest.import_survey(roster_store, Source(grown.name, grown), now=NOW)
    assert (report.imported, report.duplicates) == (1, 9)
    assert any("numbers read on a 1-7 scale" in note for note in report.notes)
