"""Whatever arrives, the importer either imports cleanly (counts that reconcile) or
refuses in its own words, and a refusal never changes the database."""

from __future__ import annotations

from datetime import datetime

from fixtures import SAMPLES, TEMPLATE_HEADER, budget, database_snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import ingest
from dashboard.ingest import ImportRefused, Source, SurveyOptions

# One database for all examples of a test: imports pile up, as they do in real use.
FIXTURE_REUSED = HealthCheck.function_scoped_fixture
TEMPLATE = (SAMPLES / "template_example.csv").read_bytes()
CELLS = st.sampled_from(["4", "5", "1", "9", "Agree", "N/A", "", "x", '"', '""', "2026-11-10",
                         "Support", "Sales East", "Nowhere", "\n", ";", ",", "\t", "é", "—"])  # fmt: skip


def attempt(db, data: bytes, skip_invalid: bool) -> None:
    before = database_snapshot(db)
    try:
        report = ingest.import_survey(
            db,
            Source("fuzz.csv", data=data),
            SurveyOptions(skip_invalid=skip_invalid),
            now=datetime(2026, 11, 24),
        )
    except ImportRefused as refusal:
        assert refusal.problems, "a refusal must say why"
        assert all(str(problem) for problem in refusal.problems)
        assert database_snapshot(db) == before
        return
    assert report.reconciles, report
    added = len(database_snapshot(db)["survey_responses"]) - len(before["survey_responses"])
    assert added == (0 if report.already_imported else report.imported)


@settings(max_examples=budget(60), deadline=None, suppress_health_check=[FIXTURE_REUSED])
@given(data=st.binary(max_size=400), skip=st.booleans())
def test_arbitrary_bytes(roster_store, data, skip):
    attempt(roster_store, data, skip)


@settings(max_examples=budget(60), deadline=None, suppress_health_check=[FIXTURE_REUSED])
@given(
    cells=st.lists(st.lists(CELLS, min_size=0, max_size=12), min_size=0, max_size=8),
    separator=st.sampled_from([",", ";", "\t"]),
    skip=st.booleans(),
)
def test_mangled_csvs(roster_store, cells, separator, skip):
    lines = [TEMPLATE_HEADER.replace(",", separator)] + [separator.join(row) for row in cells]
    attempt(roster_store, "\n".join(lines).encode(), skip)


@settings(max_examples=budget(40), deadline=None, suppress_health_check=[FIXTURE_REUSED])
@given(position=st.integers(0, len(TEMPLATE) - 1), byte=st.integers(0, 255), skip=st.booleans())
def test_a_real_file_with_one_byte_changed(roster_store, position, byte, skip):
    mangled = TEMPLATE[:position] + bytes([byte]) + TEMPLATE[position + 1 :]
    attempt(roster_store, mangled, skip)
