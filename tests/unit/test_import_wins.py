"""Progress files (wins and setbacks) and the survey preview: the same guarantees."""

from __future__ import annotations

from datetime import datetime

import pytest
from fixtures import SAMPLES, database_snapshot, write_file

from dashboard import ingest
from dashboard.ingest import ImportRefused, Source, SurveyOptions, WinsOptions

# Store-level: every test here runs on a DuckDB file and on PostgreSQL (server mode).
pytestmark = pytest.mark.both_engines

NOW = datetime(2026, 11, 24, 9)
COUNTS = "team,week,wins,setbacks\n"
EVENTS = "team,date,kind,description\n"


def run(db, path, **options):
    return ingest.import_wins(db, Source(path.name, path), WinsOptions(**options), now=NOW)


def entries(db):
    with db.reading() as cursor:
        return cursor.execute(
            "SELECT t.name, week::VARCHAR, kind, count, description FROM progress_entries "
            "JOIN teams t USING (team_id) ORDER BY ALL"
        ).fetchall()


def test_counts_per_team_and_week(roster_store, tmp_path):
    path = write_file(
        tmp_path,
        "c.csv",
        COUNTS + "Support,2026-11-11,3,1\nSales East,2026-11-10,0,0\nsales  west,2026-11-09,2,\n",
    )
    report = run(roster_store, path)
    assert (report.rows_in_file, report.imported, report.skipped) == (3, 2, 1) and report.reconciles
    assert entries(roster_store) == [
        ("Sales West", "2026-11-09", "win", 2, None),
        ("Support", "2026-11-09", "setback", 1, None),
        ("Support", "2026-11-09", "win", 3, None),
    ]


def test_one_win_or_setback_per_row(roster_store, tmp_path):
    path = write_file(
        tmp_path,
        "e.csv",
        EVENTS + "Support,2026-11-10,win,Shipped it\nSupport,2026-11-11,Setback,Build broke\n",
    )
    assert run(roster_store, path).imported == 2
    assert entries(roster_store) == [
        ("Support", "2026-11-09", "setback", 1, "Build broke"),
        ("Support", "2026-11-09", "win", 1, "Shipped it"),
    ]


def test_nothing_doubled_when_files_come_again_or_overlap(roster_store, tmp_path):
    first = write_file(
        tmp_path, "a.csv", EVENTS + "Support,2026-11-10,win,Same\nSupport,2026-11-10,win,Same\n"
    )
    assert run(roster_store, first).imported == 2  # identical rows are two wins
    assert run(roster_store, first).already_imported
    grown = write_file(
        tmp_path,
        "b.csv",
        EVENTS
        + "Support,2026-11-10,win,Same\nSupport,2026-11-10,win,Same\nSupport,2026-11-12,win,New\n",
    )
    report = run(roster_store, grown)
    assert (report.imported, report.duplicates) == (1, 2)
    assert len(entries(roster_store)) == 3


def test_undo_removes_exactly_the_files_entries(roster_store, tmp_path):
    report = run(
        roster_store, write_file(tmp_path, "e.csv", EVENTS + "Support,2026-11-10,win,One\n")
    )
    assert ingest.undo_import(roster_store, report.import_id, now=NOW) == 1
    assert entries(roster_store) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (COUNTS + "Marketing,2026-11-10,1,0\n", 'row 2: "Marketing" is not a known team'),
        (COUNTS + "Support,2026-11-10,two,0\n", 'row 2: "two" is not a whole number of wins'),
        (COUNTS + "Support,someday,1,0\n", 'row 2: "someday" is not a date Catalyst can read'),
        (EVENTS + "Support,2026-11-10,maybe,Hm\n", 'row 2: "maybe" is neither win nor setback'),
        (
            EVENTS + "Support,2026-11-10,win," + "x" * 201 + "\n",
            "row 2: the description has 201 characters; keep it to 200",
        ),
        ("team,score\nSupport,4\n", "A progress file needs the columns team, week (or date)"),
    ],
    ids=["team", "count", "date", "kind", "long", "columns"],
)
def test_progress_refusals_change_nothing(roster_store, tmp_path, text, problem):
    before = database_snapshot(roster_store)
    with pytest.raises(ImportRefused) as refusal:
        run(roster_store, write_file(tmp_path, "bad.csv", text))
    assert str(refusal.value.problems[0]).startswith(problem)
    assert database_snapshot(roster_store) == before


def test_the_survey_preview_shows_rows_as_stored_and_writes_nothing(roster_store):
    before = database_snapshot(roster_store)
    preview = ingest.preview_survey(
        roster_store, Source("g.csv", SAMPLES / "google_forms_example.csv")
    )
    assert preview.can_import and preview.layout.tool == "google_forms"
    assert list(preview.sample.columns[:4]) == ["row", "team", "submitted_at", "week"]
    assert (
        preview.sample.iloc[0]["team"] == "Support" and preview.sample.iloc[0]["Clear goals"] == 4.0
    )
    roles = dict(zip(preview.columns["column"], preview.columns["read as"], strict=True))
    assert roles["Your team"] == "team" and roles["Email Address"] == "personal data"
    assert database_snapshot(roster_store) == before


def test_the_preview_names_problems_and_suggests_catalysts_for_unknown_columns(
    roster_store, tmp_path
):
    path = write_file(
        tmp_path,
        "f.csv",
        "team,submitted_at,My manager makes sure I know our goals,Mood\nSupport,2026-11-10,4,5\n",
    )
    preview = ingest.preview_survey(roster_store, Source(path.name, path))
    assert not preview.can_import
    assert str(preview.problems[0]).startswith("No catalyst columns found.")
    assert preview.suggestions["My manager makes sure I know our goals"] == "clear_goals"
    mapped = ingest.preview_survey(
        roster_store,
        Source(path.name, path),
        SurveyOptions(maps=("My manager makes sure I know our goals=clear_goals",)),
    )
    assert mapped.can_import and mapped.sample.iloc[0]["Clear goals"] == 4.0
