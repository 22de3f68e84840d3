"""The pulse's storage (issue 22): one-time tokens, answers kept apart from people, shuffled
batches of at least k into the survey responses. Support has 12 people, Sales East 3
with e-mail and 2 without;
the minimum group size is raised to 10 so a batch is big enough to test its order."""

from __future__ import annotations

import tempfile
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from fixtures import SAMPLES, budget, write_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import ingest, organization, pulse, queries, rounds
from dashboard.catalysts import ITEM_KEYS
from dashboard.ingest import Source
from dashboard.queries import Scope
from dashboard.store import Store

# Store-level: every test here runs on a DuckDB file and on PostgreSQL (server mode).
pytestmark = pytest.mark.both_engines

NOW = datetime(2026, 11, 25, 10, 0)
WEEK = date(2026, 11, 23)
CLOSES = datetime(2026, 11, 30, 0, 0)


@pytest.fixture
def round_of(roster_store, tmp_path):
    """(store, pulse id, {email: person id}) for a round of the week of 23 Nov."""
    db = roster_store
    rows = [f"p{i}@example.com,Person {i},Support,," for i in range(1, 13)]
    rows += [f"s{i}@example.com,Seller {i},Sales East,," for i in range(1, 4)]
    rows += [f",Floor {i},Sales East,," for i in range(1, 3)]  # no e-mail: kiosk codes
    path = write_file(tmp_path, "people.csv", "email,name,team,language,effective_from\n"
                      + "\n".join(r + "2026-11-02" for r in rows) + "\n")  # fmt: skip
    ingest.apply_people(db, ingest.plan_people(db, Source(path.name, path)), now=NOW)
    organization.change_settings(db, {"min_group_size": 10}, now=NOW)
    pulse_id = pulse.open_round(db, round_start=WEEK, week=WEEK, closes_at=CLOSES, now=NOW)
    with db.reading() as cursor:
        people = dict(cursor.execute(
            "SELECT email, person_id FROM people WHERE email IS NOT NULL").fetchall())  # fmt: skip
    return db, pulse_id, people


def answers(value: int) -> dict[str, int]:
    return dict.fromkeys(ITEM_KEYS, value)


def test_answers_wait_until_k_and_then_go_in_shuffled_dated_only_by_their_week(round_of):
    db, pulse_id, people = round_of
    tokens = {e: pulse.issue_link(db, pulse_id, people[e]) for e in people if e[0] == "p"}
    order = [f"p{i}@example.com" for i in range(1, 11)]
    # Each person's clear_goals says who they are: 1, 2, 3 … by the order they answer.
    for number, email in enumerate(order[:9], start=1):
        submitted = pulse.submit(db, tokens[email], answers(1 + number % 5) | {
            "clear_goals": 1 + (number - 1) % 5}, f"note {number}", now=NOW)  # fmt: skip
        assert submitted.team == "Support"
    with db.reading() as cursor:
        assert cursor.execute("SELECT count(*) FROM survey_responses").fetchone() == (0,)
        assert cursor.execute("SELECT count(*) FROM pulse_waiting").fetchone() == (9,)
    pulse.submit(db, tokens[order[9]], answers(5), "note 10", now=NOW)
    with db.reading() as cursor:
        stored_order = "ctid" if db.server else "rowid"  # in the order they were stored
        stored = cursor.execute(
            f"SELECT comment, submitted_at, week FROM survey_responses ORDER BY {stored_order}"  # noqa: S608
        ).fetchall()
        assert cursor.execute("SELECT count(*) FROM pulse_waiting").fetchone() == (0,)
    assert len(stored) == 10
    assert {(at, week) for _, at, week in stored} == {(datetime(2026, 11, 23), WEEK)}
    assert [c for c, _, _ in stored] != [f"note {n}" for n in range(1, 11)]  # shuffled


def test_storage_holds_nothing_that_links_an_answer_to_a_person(round_of):
    db, pulse_id, people = round_of
    tokens = {e: pulse.issue_link(db, pulse_id, people[e]) for e in people if e[0] == "p"}
    for email in sorted(tokens)[:10]:
        pulse.submit(db, tokens[email], answers(4), None, now=NOW)
    with db.reading() as cursor:
        columns = cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_name IN ('survey_responses', 'pulse_waiting', 'pulse_invitations', "
            "'response_summary')"
        ).fetchall()
        tables = {}
        for table, column, kind in columns:
            tables.setdefault(table, {})[column] = kind
        # The answers: no person, no token, no time finer than the week.
        for table in ("survey_responses", "pulse_waiting"):
            assert not {"person_id", "token_hash", "email"} & set(tables[table])
        (times,) = cursor.execute(
            "SELECT count(DISTINCT submitted_at) FROM survey_responses"
        ).fetchone()
        assert times == 1
        # Who was invited: used or not, never when.
        assert not [c for c, k in tables["pulse_invitations"].items() if "TIMESTAMP" in k]
        # No token in the clear anywhere.
        for table in ("pulse_invitations", "survey_responses", "audit_log", "imports"):
            text = str(cursor.execute(f"SELECT * FROM {table}").fetchall())  # noqa: S608
            assert not any(token in text for token in tokens.values())


def test_a_token_works_once_and_says_the_same_for_any_token_that_does_not(round_of):
    db, pulse_id, people = round_of
    token = pulse.issue_link(db, pulse_id, people["p1@example.com"])
    pulse.submit(db, token, answers(3), None, now=NOW)
    for used_or_never in (token, "no-such-token"):
        with pytest.raises(pulse.PulseError) as refusal:
            pulse.submit(db, used_or_never, answers(3), None, now=NOW)
        assert str(refusal.value) == pulse.GONE
    with pytest.raises(pulse.PulseError):
        pulse.issue_link(db, pulse_id, people["p1@example.com"])  # nobody answers twice


def test_twenty_submissions_of_one_token_at_once_store_one_answer(round_of):
    db, pulse_id, people = round_of
    token = pulse.issue_link(db, pulse_id, people["p2@example.com"])
    taken, refused, start = [], [], threading.Barrier(20)

    def answer() -> None:
        start.wait()
        try:
            taken.append(pulse.submit(db, token, answers(4), None, now=NOW))
        except pulse.PulseError:
            refused.append(1)

    threads = [threading.Thread(target=answer) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(taken), len(refused)) == (1, 19)
    with db.reading() as cursor:
        assert cursor.execute("SELECT count(*) FROM pulse_waiting").fetchone() == (1,)


def test_kiosk_codes_one_per_person_without_e_mail_work_once_as_typed(round_of):
    db, pulse_id, people = round_of
    with db.reading() as cursor:
        teams = dict(cursor.execute("SELECT name, team_id FROM teams").fetchall())
    first_sheet = pulse.kiosk_codes(db, pulse_id, teams["Sales East"], now=NOW)
    assert len(first_sheet) == 2  # Floor 1 and Floor 2; the sellers have links
    code = first_sheet[0]
    typed = "-".join([code[:5], code[5:]]).lower()
    assert pulse.invited(db, typed, now=NOW).team == "Sales East"
    pulse.submit(db, typed, answers(2), None, now=NOW)
    assert pulse.invited(db, code, now=NOW) is None
    # A sheet printed again has a code for the one who has not answered; the old unused
    # code stops working, so the round never takes more answers than people.
    (second_sheet,) = pulse.kiosk_codes(db, pulse_id, teams["Sales East"], now=NOW)
    assert pulse.invited(db, first_sheet[1], now=NOW) is None
    pulse.submit(db, second_sheet, answers(3), None, now=NOW)
    with pytest.raises(pulse.PulseError, match="answered with a code already"):
        pulse.kiosk_codes(db, pulse_id, teams["Sales East"], now=NOW)
    with pytest.raises(pulse.PulseError, match="nobody without e-mail"):
        pulse.kiosk_codes(db, pulse_id, teams["Support"], now=NOW)
    with db.reading() as cursor:
        invited = cursor.execute(
            "SELECT count(*) FROM pulse_invitations WHERE team_id = ?", [teams["Sales East"]]
        ).fetchone()
    assert invited == (5,)  # 3 links + 2 codes used: never more than the team's people
    assert pulse.close_round(db, pulse_id, now=CLOSES) == 2  # below k, in at the close
    late = pulse.issue_link(db, pulse_id, people["p3@example.com"])
    assert pulse.invited(db, late, now=CLOSES) is None  # closed: no token works


def test_participation_is_counted_only_for_teams_of_k_and_reminders_go_to_who_did_not(round_of):
    db, pulse_id, people = round_of
    for email in ("p1@example.com", "p2@example.com"):
        pulse.submit(db, pulse.issue_link(db, pulse_id, people[email]), answers(4), None, now=NOW)
    seen = pulse.participation(db, pulse_id)
    with db.reading() as cursor:
        teams = dict(cursor.execute("SELECT name, team_id FROM teams").fetchall())
    assert seen[teams["Support"]] == (2, 12)
    assert seen[teams["Sales East"]] is None  # 3 invited: fewer than k
    waiting = set(pulse.not_answered(db, pulse_id))
    assert people["p1@example.com"] not in waiting and people["p3@example.com"] in waiting
    assert len(waiting) == 13


@settings(
    max_examples=budget(6),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    k=st.integers(3, 6),
    steps=st.lists(st.sampled_from(["answer", "answer", "observe", "day"]), min_size=4,
                   max_size=24),
)  # fmt: skip
def test_figures_observed_during_and_after_a_round_move_by_k_people_or_not_at_all(
    monkeypatch, k, steps
):
    """Whatever order people answer in and whenever HR or the manager looks (the team's
    figure of the round, the department's, participation, the small wins shared), two
    figures ever seen differ by nothing or by at least k people."""
    with tempfile.TemporaryDirectory() as folder:
        db = Store(Path(folder) / "pulse.duckdb")
        try:
            _watch_a_round(db, Path(folder), monkeypatch, k, steps)
        finally:
            db.close()


def _live_round(db, folder: Path, k: int) -> tuple[int, list[int], int, int]:
    """A live organization with Support's 12 people and an open round: (pulse id, person
    ids, Support's team id, its manager's id)."""
    roster = Source("roster.csv", SAMPLES / "roster_example.csv")
    ingest.apply_roster(db, ingest.plan_roster(db, roster), now=NOW)
    rows = "\n".join(f"p{i}@example.com,P{i},Support,,2026-11-02" for i in range(12))
    path = write_file(folder, "people.csv", f"email,name,team,language,effective_from\n{rows}\n")
    ingest.apply_people(db, ingest.plan_people(db, Source(path.name, path)), now=NOW)
    organization.change_settings(db, {"min_group_size": k}, now=NOW)
    queries.go_live(db, now=NOW, actor="test")
    pulse_id = pulse.open_round(db, round_start=WEEK, week=WEEK, closes_at=CLOSES, now=NOW)
    with db.reading() as cursor:
        people = [
            p for (p,) in cursor.execute("SELECT person_id FROM people ORDER BY 1").fetchall()
        ]
        (support,) = cursor.execute("SELECT team_id FROM teams WHERE name = 'Support'").fetchone()
        manager = cursor.execute(
            "SELECT manager_id FROM team_history WHERE team_id = ?", [support]
        ).fetchone()[0]
    return pulse_id, people, support, manager


def _watch_a_round(db, folder: Path, monkeypatch, k: int, steps: list[str]) -> None:
    pulse_id, people, support, manager = _live_round(db, folder, k)
    period = rounds.Period.last_rounds(WEEK, 1, "weekly")
    seen: list[tuple[str, int]] = []
    now = NOW

    def observe() -> None:
        for who, scope in (("hr", Scope.hr()), ("manager", Scope.manager(manager))):
            seen.append((who, queries.team_figure(db, scope, support, period).responses))
            shared = len(queries.small_wins(db, scope, period, support))
            assert shared == 0 or shared >= 10  # the comment rules: 10 answers or none
            seen.append((f"{who} wins", shared))
        counted = pulse.participation(db, pulse_id).get(support)
        assert counted is None or counted[1] >= k  # counts only for teams of k

    for step in [*steps, "day", "day", "day", "day", "day", "day", "day", "day", "observe"]:
        if step == "answer" and people:
            token = pulse.issue_link(db, pulse_id, people.pop())
            try:
                pulse.submit(db, token, dict.fromkeys(ITEM_KEYS, 4), None, now=now,
                             small_win=f"win of person {token[:6]}")  # fmt: skip
            except pulse.PulseError:
                assert now >= CLOSES  # only a closed round refuses a fresh link
        elif step == "day":
            now += timedelta(days=1)
            monkeypatch.setenv("CATALYST_NOW", now.isoformat())
            pulse.keep_time(db, now)
        else:
            observe()
    observe()
    for who in ("hr", "manager", "hr wins", "manager wins"):
        counts = [n for w, n in seen if w == who]
        for earlier, later in zip(counts, counts[1:], strict=False):
            assert later == earlier or abs(later - earlier) >= k, (who, counts)


@pytest.mark.parametrize(("sharing", "shown"), [(10, 10), (9, 0)])
def test_small_wins_reach_the_team_view_only_under_the_comment_rules(
    tmp_path, monkeypatch, sharing, shown
):
    """A small win is free text like a comment: shown once the round is published with
    at least the comment threshold (10) of answers, without dates, in no telling order."""
    with Store(tmp_path / "pulse.duckdb") as db:
        pulse_id, people, support, manager = _live_round(db, tmp_path, 3)
        for number, person in enumerate(people[:sharing], start=1):
            token = pulse.issue_link(db, pulse_id, person)
            pulse.submit(db, token, answers(4), None, now=NOW, small_win=f"win {number}")
        now = CLOSES + timedelta(days=8)  # closed, and past the grace period
        monkeypatch.setenv("CATALYST_NOW", now.isoformat())
        pulse.keep_time(db, now)
        period = rounds.Period.last_rounds(WEEK, 1, "weekly")
        assert queries.team_figure(db, Scope.manager(manager), support, period).responses == (
            sharing
        )
        wins = queries.small_wins(db, Scope.manager(manager), period, support)
    assert sorted(wins, key=lambda w: int(w.split()[1])) == [
        f"win {n}" for n in range(1, shown + 1)
    ]
    assert wins != [f"win {n}" for n in range(1, shown + 1)] or not shown  # not in their order


def test_a_round_is_published_only_after_its_pulse_closed(tmp_path, monkeypatch):
    """A page read after the grace period, before the scheduler closed the pulse, must
    not publish the round without the answers still waiting for their batch."""
    with Store(tmp_path / "pulse.duckdb") as db:
        pulse_id, people, support, manager = _live_round(db, tmp_path, 3)
        for value, person in enumerate(people[:4], start=2):  # a batch of 3, then one waits
            pulse.submit(db, pulse.issue_link(db, pulse_id, person), answers(value % 5 + 1),
                         None, now=NOW)  # fmt: skip
        later = CLOSES + timedelta(days=8)
        monkeypatch.setenv("CATALYST_NOW", later.isoformat())
        period = rounds.Period.last_rounds(WEEK, 1, "weekly")
        assert queries.team_figure(db, Scope.hr(), support, period).responses == 0
        pulse.keep_time(db, later)  # the close lets the fourth in; then it is published
        assert queries.team_figure(db, Scope.hr(), support, period).responses == 4
