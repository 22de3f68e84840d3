"""Privacy across time (DESIGN §3, "Over time, too"): the five attacks that recovered one
person's answers by watching figures as settings, imports, undos and the roster changed.
Each is tried as a user would, through the read API, the download files and the real
importer, and must find nothing: a figure once seen changes only by whole published
groups of at least k people."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from fixtures import TEMPLATE_HEADER, OrgBuilder, weeks, write_file

from dashboard import (
    accounts,
    exports,
    ingest,
    manager_detail,
    organization,
    overview,
    queries,
    team_view,
)
from dashboard.ingest import Source, SurveyOptions
from dashboard.mail import compose, delivery, outbox
from dashboard.queries import Scope
from dashboard.rounds import Period, weeks_in

# Store-level: every test here runs on a DuckDB file and on PostgreSQL (server mode).
pytestmark = pytest.mark.both_engines

HR = Scope.hr()
NOV_9, NOV_16, NOV_23 = date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)


def at(monkeypatch, moment: str) -> datetime:
    """Move the clock (every read publishes what is due by then)."""
    monkeypatch.setenv("CATALYST_NOW", moment)
    return datetime.fromisoformat(moment)


def seen(figure) -> tuple:
    """What a user can read off a figure."""
    return (figure.responses, figure.favorable_pct("clear_goals"), figure.cells)


def sales_with_a_small_team(db, week: date = NOV_9) -> dict[str, int]:
    """k = 5. Sales: North (8 people) five 4s, South (6) five 2s, Small (6) four 1s — Small
    alone is below k and its pool of one is dropped. Ops: Ops A (10) six 5s."""
    org = OrgBuilder(db, start=date(2026, 1, 5))
    ids = {"sales": org.department("Sales"), "ops": org.department("Ops")}
    for key, department, headcount, values in (
        ("North", "sales", 8, [4] * 5),
        ("South", "sales", 6, [2] * 5),
        ("Small", "sales", 6, [1] * 4),
        ("Ops A", "ops", 10, [5] * 6),
    ):
        manager = f"{key[0].lower()}@x.org"
        ids[key] = org.team(key, ids[department], headcount=headcount, manager=manager)
        org.answers(ids[key], week, values)
    org.save()
    ids["ops_manager"] = org.users["o@x.org"]
    return ids


def everything_seen(db, ids, period: Period) -> list:
    """Every figure that contains Sales, as HR and as an unrelated manager see them."""
    ops = Scope.manager(ids["ops_manager"])
    view = team_view.collect(
        db, ops, ids["ops_manager"], ids["Ops A"], period, today=NOV_23, with_notes=False
    )
    files = overview.sheets(overview.collect(db, HR, period, today=NOV_23), "favorable_pct")
    return [
        exports.csv_bytes(files["Teams"]) + exports.csv_bytes(files["Trends"]),
        seen(queries.departments_figure(db, HR, period, {ids["sales"]})),
        seen(queries.benchmark(db, period)),
        seen(queries.benchmark(db, period, ids["sales"])),
        seen(view.benchmark),
        seen(view.figure),
        list(queries.team_table(db, HR, period).responses),
        exports.csv_bytes(files["Needs support"]),  # its reasons quote team figures
        manager_detail.against_organization(view),
        exports.csv_bytes(team_view.focus_history(view)),
        *digests(db, ids, period),
    ]


def digests(db, ids, period: Period) -> list:
    """What North's manager's digest and HR's digest say about survey answers (the words
    of the paragraphs and the Needs support list; not the import and check-in counts)."""
    way = delivery.Delivery(sender="catalyst@x.org", folder=Path("unused"))
    with db.reading() as cursor:
        north = accounts.find_user(cursor, "n@x.org").user_id
        hr = accounts.find_user(cursor, "hr@x.org")
    # The HR reader is added on the first look: an account changes no figure.
    hr_id = (
        hr.user_id
        if hr
        else accounts.add_user(db, "hr@x.org", {"hr"}, display_name="HR", now=datetime(2026, 11, 1))
    )
    about_north = {"team_id": ids["North"], "cadence": period.cadence,
                   "last_week": period.last_week.isoformat()}  # fmt: skip
    written = []
    for kind, user_id, payload in (
        ("manager_digest", north, about_north),
        ("hr_digest", hr_id, {}),
    ):
        message = outbox.Message(0, kind, user_id, "x@x.org", payload, 0, datetime(2026, 11, 23))
        try:
            letter = compose.letter(db, way, message, "X", now=datetime(2026, 11, 23, 12))
            written.append(letter.paragraphs + letter.points)
        except compose.Nothing as nothing:
            written.append(str(nothing))
    return written


@pytest.mark.parametrize("new_k", [6, 4])
def test_attack_changing_the_minimum_group_size_moves_no_published_figure(empty_store, new_k):
    ids = sales_with_a_small_team(empty_store)
    period = weeks(NOV_9, 1)
    before = everything_seen(empty_store, ids, period)
    assert before[1][0] == 10  # North and South; Small's four answers are in no figure
    organization.change_settings(
        empty_store, {"min_group_size": new_k}, now=datetime(2026, 11, 27, 13)
    )
    assert everything_seen(empty_store, ids, period) == before
    with empty_store.reading() as cursor:
        kept = cursor.execute("SELECT min_group_size FROM published_rounds").fetchall()
    assert kept == [(5,)]  # the round keeps the setting that shaped it


def test_attack_changing_the_cadence_never_makes_a_month_of_published_weeks(
    empty_store, monkeypatch
):
    """Three weekly rounds of November are published; the fourth week holds one answer
    (and a comment) when the cadence becomes monthly. The month may only ever be the
    sum of the published weeks: the fourth week's one person stays out, and so does the
    comment."""
    org = OrgBuilder(empty_store, start=date(2026, 1, 5))
    north = org.team("North", org.department("Sales"), headcount=12, manager="ann@x.org")
    for week in (date(2026, 11, 2), NOV_9, NOV_16):
        org.answers(north, week, [4] * 10, comment="fine")
    org.answers(north, NOV_23, [1], comment="my secret")
    org.save()
    weekly = [queries.team_figure(empty_store, HR, north, weeks(w, 1)) for w in (
        date(2026, 11, 2), NOV_9, NOV_16)]  # fmt: skip
    assert [w.responses for w in weekly] == [10, 10, 10]

    organization.change_settings(empty_store, {"cadence": "monthly"}, now=datetime(2026, 11, 27))
    at(monkeypatch, "2026-12-10T12:00:00")  # the fourth week closed long ago
    november = Period(date(2026, 11, 1), date(2026, 11, 1), "monthly")
    month = queries.team_figure(empty_store, HR, north, november)
    assert month.responses == 30
    assert month.cells == frozenset().union(*(w.cells for w in weekly))
    assert "my secret" not in queries.comments(empty_store, HR, november)
    assert queries.trends(empty_store, HR, november).responses.tolist() == [30]
    with empty_store.reading() as cursor:
        spans = cursor.execute(
            "SELECT cadence, first_week FROM published_rounds ORDER BY first_week"
        ).fetchall()
    # The week of 23 Nov stays a week of its own: monthly rounds start with December's.
    assert spans[-1] == ("weekly", NOV_23)


def survey_file(folder, name: str, rows: list[tuple[str, int, str]]):
    """A template export: (submitted at, clear goals, comment) per row, all for North."""
    lines = [TEMPLATE_HEADER] + [
        f"North,{when},{value},3,3,3,3,3,3,{comment}" for when, value, comment in rows
    ]
    return write_file(folder, name, "\n".join(lines) + "\n")


def import_at(db, monkeypatch, path, moment: str):
    now = at(monkeypatch, moment)
    return ingest.import_survey(db, Source(path.name, path), SurveyOptions(), now=now)


def test_attack_a_growing_export_and_an_undo_move_figures_by_whole_groups(
    empty_store, tmp_path, monkeypatch
):
    org = OrgBuilder(empty_store, start=date(2026, 1, 5))
    north = org.team("North", org.department("Sales"), headcount=12, manager="ann@x.org")
    org.save()
    ann = Scope.manager(org.users["ann@x.org"])
    week = weeks(NOV_16, 1)
    tuesday = survey_file(
        tmp_path,
        "tuesday.csv",
        [(f"2026-11-1{7 + i % 3} 09:0{i}", 4, f"ok {i}") for i in range(10)],
    )
    friday = survey_file(tmp_path, "friday.csv", [("2026-11-22 18:00", 1, "the late one")])

    first = import_at(empty_store, monkeypatch, tuesday, "2026-11-24T10:00:00")
    assert queries.team_figure(empty_store, HR, north, week).responses == 0  # not yet due
    at(monkeypatch, "2026-11-27T11:00:00")  # three days after the first import: published
    published = seen(queries.team_figure(empty_store, ann, north, week))
    assert published[0] == 10

    late = import_at(empty_store, monkeypatch, friday, "2026-11-27T13:00:00")
    assert any("held" in note for note in late.notes)
    for moment in ("2026-11-27T14:00:00", "2026-12-20T09:00:00"):
        at(monkeypatch, moment)
        assert seen(queries.team_figure(empty_store, ann, north, week)) == published
        assert "the late one" not in queries.comments(empty_store, ann, week)
        assert queries.held_responses(empty_store, ann, week) == 1

    ingest.undo_import(empty_store, late.import_id, now=datetime(2026, 12, 21))
    assert seen(queries.team_figure(empty_store, ann, north, week)) == published
    ingest.undo_import(empty_store, first.import_id, now=datetime(2026, 12, 21))
    gone = queries.team_figure(empty_store, ann, north, week)
    assert gone.responses == 0 and gone.left_out  # withdrawn whole: all ten at once

    again = import_at(empty_store, monkeypatch, tuesday, "2026-12-22T09:00:00")
    assert any("withdrawn" in note for note in again.notes)
    at(monkeypatch, "2027-01-15T09:00:00")
    assert queries.team_figure(empty_store, ann, north, week).responses == 0
    assert queries.held_responses(empty_store, ann, week) == 0


def test_a_late_group_of_k_is_published_as_a_supplement(empty_store, tmp_path, monkeypatch):
    org = OrgBuilder(empty_store, start=date(2026, 1, 5))
    north = org.team("North", org.department("Sales"), headcount=20, manager="ann@x.org")
    org.answers(north, NOV_9, [4] * 6)
    org.save()
    week = weeks(NOV_9, 1)
    on_time = queries.team_figure(empty_store, HR, north, week)
    late = survey_file(tmp_path, "late.csv", [(f"2026-11-1{i} 10:00", 2, "") for i in range(5)])
    import_at(empty_store, monkeypatch, late, "2026-11-27T13:00:00")
    at(monkeypatch, "2026-11-29T13:00:00")  # within the grace period: held
    assert queries.team_figure(empty_store, HR, north, week) == on_time
    assert queries.held_responses(empty_store, HR, week) == 5
    at(monkeypatch, "2026-11-30T14:00:00")
    with_late = queries.team_figure(empty_store, HR, north, week)
    assert with_late.responses == 11 and len(with_late.cells - on_time.cells) == 1
    assert queries.held_responses(empty_store, HR, week) == 0


def test_attack_a_backdated_roster_row_changes_no_published_figure(empty_store):
    ids = sales_with_a_small_team(empty_store)
    period = weeks(NOV_9, 1)
    before = everything_seen(empty_store, ids, period)
    fields = {"team": "North", "department": "Sales", "manager_name": "N",
              "manager_email": "n@x.org", "headcount": "4", "effective_from": "2026-11-01"}  # fmt: skip
    plan = ingest.plan_edit(empty_store, fields, today=date(2026, 11, 27))
    assert "from 16 Nov 2026" in " ".join(plan.changes)
    assert "published" in " ".join(plan.changes)
    ingest.apply_roster(empty_store, plan, now=datetime(2026, 11, 27, 13))
    assert everything_seen(empty_store, ids, period) == before

    again = ingest.plan_edit(empty_store, fields | {"headcount": "5"}, today=date(2026, 11, 27))
    ingest.apply_roster(empty_store, again, now=datetime(2026, 11, 27, 14))
    with empty_store.reading() as cursor:
        history = queries.roster_history(cursor, ids["North"])
    same_day = history[history["from"].dt.date == NOV_16]
    assert sorted(same_day.headcount) == [4, 5]  # both kept; the later one applies
    assert same_day.set_index("headcount").in_force.to_dict() == {5: True, 4: False}


def test_attack_three_people_answering_every_week_are_not_a_group_of_twelve(empty_store):
    """Monthly rounds of a weekly survey: a team whose roster says 6 but where only three
    answer, every week, fills October with 15 responses from three people."""
    org = OrgBuilder(empty_store, start=date(2026, 1, 5), cadence="monthly")
    sales = org.department("Sales")
    half = org.team("Half", sales, headcount=6, manager="h@x.org")
    big = org.team("Big", sales, headcount=12, manager="b@x.org")
    october = Period(date(2026, 10, 1), date(2026, 10, 1), "monthly")
    for week in weeks_in(october.first, "monthly"):
        org.answers(half, week, [1, 1, 1])
        org.answers(big, week, [5] * 10)
    org.save()
    assert queries.team_figure(empty_store, HR, half, october).responses == 0
    table = queries.team_table(empty_store, HR, october).set_index("team")
    assert table.loc["Half", "status"] == "too_few_responses"
    department = queries.departments_figure(empty_store, HR, october, {sales})
    assert department.favorable_pct("clear_goals") == 100.0  # Big's 5s only
    assert queries.comments(empty_store, HR, october) == []


def test_nothing_is_shown_until_the_organization_is_live(empty_store, monkeypatch):
    org = OrgBuilder(empty_store, start=date(2026, 1, 5))
    north = org.team("North", org.department("Sales"), headcount=12, manager="ann@x.org")
    org.answers(north, NOV_9, [4] * 10)
    org.save(live=False)
    at(monkeypatch, "2027-03-01T09:00:00")
    assert queries.team_figure(empty_store, HR, north, weeks(NOV_9, 1)).responses == 0
    assert queries.latest_week(empty_store) is None
    published = queries.go_live(empty_store, now=datetime(2027, 3, 1, 9))
    assert published == 1
    assert queries.team_figure(empty_store, HR, north, weeks(NOV_9, 1)).responses == 10


def test_undo_says_what_it_withdraws_before_it_does(empty_store, tmp_path, monkeypatch):
    org = OrgBuilder(empty_store, start=date(2026, 1, 5))
    org.team("North", org.department("Sales"), headcount=12, manager="ann@x.org")
    org.save()
    rows = [(f"2026-11-1{i % 5} 09:0{i}", 4, "") for i in range(8)]
    report = import_at(empty_store, monkeypatch, survey_file(tmp_path, "n.csv", rows),
                       "2026-11-20T10:00:00")  # fmt: skip
    assert ingest.undo_withdraws(empty_store, report.import_id) is None  # not published yet
    at(monkeypatch, "2026-11-27T11:00:00")
    queries.publish_due(empty_store)
    said = ingest.undo_withdraws(empty_store, report.import_id)
    assert said.startswith("Already published: Week of 9 Nov 2026")
    assert "1 team result (8 responses" in said
