"""The export layouts of real survey tools: each sample imports with no options; every
real-world export imports with the options it needs, or is refused in words."""

from __future__ import annotations

from datetime import datetime

import pytest
from fixtures import DATA, SAMPLES, database_snapshot, stored, write_file
from openpyxl import Workbook

from dashboard import ingest
from dashboard.catalysts import CATALYSTS, PROGRESS
from dashboard.ingest import ImportRefused, Source, SurveyOptions

NOW = datetime(2026, 11, 24, 9)
REALWORLD = DATA / "realworld"


def run(db, path, **options):
    return ingest.import_survey(db, Source(path.name, path), SurveyOptions(**options), now=NOW)


@pytest.mark.parametrize(
    ("name", "tool"),
    [
        ("template_example.csv", "Catalyst template"),
        ("google_forms_example.csv", "Google Forms"),
        ("surveymonkey_example.csv", "SurveyMonkey"),
        ("qualtrics_example.csv", "Qualtrics"),
    ],
)
def test_every_sample_imports_with_no_options(roster_store, name, tool):
    report = run(roster_store, SAMPLES / name)
    assert (report.rows_in_file, report.imported, report.rejected, report.skipped) == (9, 9, 0, 0)
    assert report.notes[0].startswith(f"Recognised as a {tool} export")
    per_team = stored(
        roster_store,
        "SELECT t.name, count(*) FROM survey_responses JOIN teams t USING (team_id) GROUP BY 1 ORDER BY 1",
    )
    assert per_team == [("Sales East", 3), ("Sales West", 3), ("Support", 3)]
    assert stored(roster_store, "SELECT count(*) FROM survey_responses WHERE progress IS NULL") == [
        (0,)
    ]


def test_surveymonkey_teams_come_from_custom_data_by_their_values(roster_store):
    report = run(roster_store, SAMPLES / "surveymonkey_example.csv")
    assert 'Teams read from column "Custom Data 1": its values are team names.' in report.notes
    assert (
        "Dates read month first (11/24/2026): AM/PM times come from American exports."
        in report.notes
    )


def test_qualtrics_progress_column_is_never_the_progress_item(roster_store):
    report = run(roster_store, SAMPLES / "qualtrics_example.csv")
    assert "Progress (survey tool's own)" in report.dropped_columns
    # The progress statement (Q3_7) holds 4,5,3,4,3,3,2,2,2; the Progress column holds 100s.
    scores = stored(roster_store, "SELECT progress FROM survey_responses ORDER BY submitted_at")
    assert [s for (s,) in scores] == [4, 5, 3, 4, 3, 3, 2, 2, 2]


def qualtrics_with(rows: list[tuple[str, str]]) -> str:
    """The Qualtrics sample with (Status, Finished) set per data row."""
    lines = (SAMPLES / "qualtrics_example.csv").read_text().splitlines()
    out = lines[:3]
    for line, (status, finished) in zip(lines[3:], rows, strict=False):
        cells = line.split(",")
        cells[2], cells[6] = status, finished
        out.append(",".join(cells))
    return "\n".join(out) + "\n"


def test_qualtrics_previews_and_unfinished_responses_are_skipped_and_counted(
    roster_store, tmp_path
):
    flags = [("IP Address", "True")] * 6 + [
        ("Survey Preview", "True"),
        ("IP Address", "False"),
        ("1", "True"),
    ]
    report = run(roster_store, write_file(tmp_path, "q.csv", qualtrics_with(flags)))
    assert (report.rows_in_file, report.imported, report.skipped) == (9, 6, 3)
    assert report.reconciles
    assert (
        "Skipped 2 previews, test responses or spam (as the survey tool marks them), 1 unfinished responses."
        in report.notes
    )


def microsoft_forms(path, *, sheets=("Form1",)) -> None:
    """A workbook laid out as Microsoft Forms exports one (none is public to copy)."""
    book = Workbook()
    book.remove(book.active)
    for title in sheets:
        sheet = book.create_sheet(title)
        sheet.append(
            ["ID", "Start time", "Completion time", "Email", "Name", "Your team"]
            + [c.statement for c in CATALYSTS]
            + [PROGRESS.statement, "Anything else?"]
        )
        for number, (team, answer) in enumerate(
            [
                ("Support", "Agree"),
                ("Sales East", "Strongly agree"),
                ("Sales West", "Disagree"),
                ("Support", 5),
            ],
            start=1,
        ):
            sheet.append(
                [
                    number,
                    datetime(2026, 11, 10, 9, number),
                    datetime(2026, 11, 10, 9, number + 5),
                    f"person{number}@corp.example",
                    f"Person {number}",
                    team,
                ]
                + [answer] * 7
                + [None if number % 2 else "Thanks"]
            )
    book.save(path)


def test_a_microsoft_forms_workbook_imports_with_no_options(roster_store, tmp_path):
    microsoft_forms(tmp_path / "forms.xlsx")
    report = run(roster_store, tmp_path / "forms.xlsx")
    assert (report.rows_in_file, report.imported) == (4, 4)
    assert report.notes[:2] == [
        'Read sheet "Form1" of the workbook.',
        "Recognised as a Microsoft Forms export (one header row).",
    ]
    assert {"Email (personal data)", "Name (personal data)", "ID (personal data)"} <= set(
        report.dropped_columns
    )
    assert stored(roster_store, "SELECT DISTINCT week::VARCHAR FROM survey_responses") == [
        ("2026-11-09",)
    ]
    assert stored(roster_store, "SELECT count(*) FROM survey_responses WHERE clear_goals = 5") == [
        (2,)
    ]
    again = run(roster_store, tmp_path / "forms.xlsx")
    assert again.already_imported  # the workbook's own bytes identify it


def test_another_sheet_of_a_workbook(roster_store, tmp_path):
    microsoft_forms(tmp_path / "two.xlsx", sheets=("Summary", "Responses"))
    report = run(roster_store, tmp_path / "two.xlsx", sheet="Responses")
    assert (
        report.worded_notes()[0]
        == 'Read sheet "Responses" of the workbook (of 2 sheets; choose another with --sheet NAME).'
    )
    with pytest.raises(ImportRefused, match='no sheet "Nope"; its sheets are: Summary, Responses'):
        run(roster_store, tmp_path / "two.xlsx", sheet="Nope")


def test_a_mapping_and_a_team_alias_are_remembered_for_next_weeks_file(roster_store, tmp_path):
    header = "When,Squad,Q1,Q2\n"
    first = write_file(
        tmp_path, "week1.csv", header + "2026-11-10,support,4,5\n2026-11-10,Sales-E,2,3\n"
    )
    report = run(
        roster_store,
        first,
        maps=("Q1=clear_goals", "Q2=respect", "When=submitted_at"),
        team_column="Squad",
        team_aliases=("Sales-E=Sales East",),
    )
    assert report.imported == 2
    second = write_file(
        tmp_path, "week2.csv", header + "2026-11-17,SUPPORT,3,3\n2026-11-17,sales-e,5,5\n"
    )
    assert run(roster_store, second).imported == 2  # no options this time
    teams = stored(
        roster_store,
        "SELECT t.name, count(*) FROM survey_responses JOIN teams t USING (team_id) GROUP BY 1 ORDER BY 1",
    )
    assert teams == [("Sales East", 2), ("Support", 2)]


def test_mapping_a_column_that_is_not_there_lists_the_columns(roster_store, tmp_path):
    path = write_file(tmp_path, "f.csv", "team,submitted_at,Q1\nSupport,2026-11-10,4\n")
    with pytest.raises(ImportRefused) as refusal:
        run(roster_store, path, maps=("Q9=clear_goals", "Q1=vision"))
    assert [str(p) for p in refusal.value.problems] == [
        'There is no column "Q9" in the file. Columns: "team", "submitted_at", "Q1".',
        '"vision" is not something a column can be; use one of clear_goals, autonomy, resources, help, obstacle_removal, respect, progress, team, submitted_at, comment, ignore.',
    ]


# ---- the real-world exports: what each takes, or how it is refused ----------------------------

K8S_CI = (
    '"I understand enough about how Kubernetes CI works to be able to diagnose my own PR failures"'
)
K8S_PR = '"When something is broken in my PR, I can read the comments from CI and understand why"'
SPANISH_HARD = "Comparado con otros temas técnicos que aprendiste en clase o en el trabajo, en una escala del 1 al 5, ¿qué difícil fue aprender R?"

REALWORLD_CASES = {
    # file: (options, rows in file, imported, or the start of the refusal)
    "surveymonkey_k8s-contribex-2019.csv": (
        {
            "maps": (f"{K8S_CI}=clear_goals", f"{K8S_PR}=help"),
            "team": "Support",
            "skip_invalid": True,
        },
        211,
        207,
        None,
    ),
    "googleforms_learning-r-2019-spanish.csv": (
        {"maps": (f"{SPANISH_HARD}=resources",), "team": "Sales East", "skip_invalid": True},
        338,
        None,
        None,
    ),
    "limesurvey_GridItemTools-grid-data-text.csv": (
        {
            "maps": ("LikertTypePage1[1]=clear_goals", "LikertTypePage1[2]=autonomy"),
            "scale": "1-9",
            "team": "Support",
            "week": datetime(2026, 11, 9).date(),
        },
        42,
        42,
        None,
    ),
    "limesurvey_GridItemTools-grid-data-code.csv": (
        {
            "maps": ("LikertTypePage1[1]=clear_goals",),
            "team": "Support",
            "week": datetime(2026, 11, 9).date(),
        },
        None,
        None,
        'column M (LikertTypePage1[1]): answers Catalyst does not know: "A1" (11 rows)',
    ),
    "qualtrics_QualtricsTools-matrix-insights.csv": (
        {"maps": ("Q2_1=clear_goals",), "scale": "1-4", "team": "Support"},
        None,
        None,
        "No row of the file can be imported. Skipped 5 previews, test responses or spam",
    ),
    "qualtrics_QualtricsTools-matrix-legacy.csv": (
        {"maps": ("Q2_1=clear_goals",), "scale": "1-4", "team": "Support"},
        None,
        None,
        "No row of the file can be imported. Skipped 5 previews, test responses or spam",
    ),
    "qualtrics_qualtRics-sample.csv": ({}, None, None, "No catalyst columns found."),
    "surveymonkey_538-steak-risk.csv": ({}, None, None, "No catalyst columns found."),
}


@pytest.mark.parametrize("name", sorted(REALWORLD_CASES))
def test_every_real_world_export(roster_store, name):
    options, rows, imported, refusal = REALWORLD_CASES[name]
    path = REALWORLD / name
    if refusal:
        before = database_snapshot(roster_store)
        with pytest.raises(ImportRefused) as refused:
            run(roster_store, path, **options)
        assert str(refused.value.problems[0]).startswith(refusal), refused.value.problems[0]
        assert database_snapshot(roster_store) == before
        return
    report = run(roster_store, path, **options)
    assert report.rows_in_file == rows and report.reconciles
    assert report.imported == imported if imported is not None else report.imported > 0


def test_unmapped_answer_columns_are_named_in_the_refusal(roster_store):
    with pytest.raises(ImportRefused) as refused:
        run(roster_store, REALWORLD / "limesurvey_GridItemTools-grid-data-text.csv", team="Support")
    message = str(refused.value.problems[0])
    assert "Columns that look like answers:" in message and "LikertTypePage1[1]" in message
    assert 'Say which catalyst each is with --map "HEADER=key".' in message


def test_limesurvey_codes_import_once_their_labels_are_stated(roster_store):
    """The refusal above asks for --labels; with the nine codes stated, lowest to highest,
    every row imports and the codes spread over 1-5."""
    codes = "D4=1,D3=2,D2=3,D1=4,N0=5,A1=6,A2=7,A3=8,A4=9"
    report = run(
        roster_store,
        REALWORLD / "limesurvey_GridItemTools-grid-data-code.csv",
        maps=("LikertTypePage1[1]=clear_goals",),
        team="Support",
        week=datetime(2026, 11, 9).date(),
        labels=codes,
    )
    assert (report.rows_in_file, report.imported) == (42, 42) and report.reconciles
    scores = dict(
        stored(roster_store, "SELECT clear_goals, count(*) FROM survey_responses GROUP BY 1")
    )
    assert set(scores) <= {1 + step * 0.5 for step in range(9)}  # 9 codes on 1-5
    assert scores[3.5] == 11  # "A1" (11 rows in the refusal): sixth of nine, 3.5 on 1-5
