"""The privacy rule over time as a property (DESIGN §3, "Over time, too"): over random
histories of imports, late imports, undos, setting and roster changes and time passing,
with figures observed in between, any two figures ever observed differ by whole
published cells, each with at least k people behind it.

Every response is given by a known person (their tag is the comment), who answers at
most once a week, so the people behind a cell are counted here independently of the
product: the distinct tags among its responses."""

from __future__ import annotations

import re
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from fixtures import TEMPLATE_HEADER, OrgBuilder, budget, write_file
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from dashboard import ingest, organization, overview, queries
from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS, item_label
from dashboard.ingest import ImportRefused, Source, SurveyOptions
from dashboard.queries import Scope
from dashboard.rounds import Period
from dashboard.store import Store

START = datetime(2026, 9, 28, 12)  # a Monday, noon
TEAMS = {"A": ("D1", 9), "B": ("D1", 6), "C": ("D1", 3), "X": ("D2", 12)}
HR = Scope.hr()

# Small imports often: a few people a week is where people and responses part ways.
imports = st.tuples(st.just("import"), st.sampled_from(sorted(TEAMS)), st.integers(0, 2),
                    st.one_of(st.integers(1, 4), st.integers(1, 12)))  # fmt: skip
waits = st.tuples(st.just("wait"), st.integers(1, 20))
operations = st.one_of(
    imports, imports, imports, imports, waits, waits,
    st.tuples(st.just("undo"), st.integers(0, 20)),
    st.tuples(st.just("k"), st.integers(3, 6)),
    st.tuples(st.just("cadence"), st.sampled_from(["weekly", "fortnightly", "monthly"])),
    st.tuples(st.just("grace"), st.integers(0, 4)),
    st.tuples(st.just("roster"), st.sampled_from(sorted(TEAMS)), st.integers(2, 14),
              st.sampled_from(["D1", "D2"]), st.integers(0, 6)),
    st.just(("live",)),
)  # fmt: skip


class History:
    """One organization living through the operations, watched by HR."""

    def __init__(self, folder: Path, monkeypatch, k: int, cadence: str) -> None:
        self.folder, self.monkeypatch = folder, monkeypatch
        self.db = Store(folder / "history.duckdb")
        org = OrgBuilder(self.db, start=date(2026, 1, 5), min_group_size=k, cadence=cadence)
        self.teams = {
            name: org.team(name, org.department(department), headcount=size,
                           manager=f"{name.lower()}@x.org")
            for name, (department, size) in TEAMS.items()
        }  # fmt: skip
        org.save(live=False)
        self.now = START
        self.answered: dict[tuple[str, date], set[int]] = {}  # who answered which week
        self.imports: list[int] = []
        self.catalogue: dict[str, tuple] = {}  # every cell ever seen: what it held
        self.observed = 0
        self._set_clock()

    def _set_clock(self) -> None:
        self.monkeypatch.setenv("CATALYST_NOW", self.now.isoformat())

    def run(self, operation: tuple) -> None:
        getattr(self, f"do_{operation[0]}")(*operation[1:])

    def do_import(self, team: str, weeks_back: int, count: int) -> None:
        """An export of the last ``weeks_back`` + 1 weeks: up to ``count`` people of the
        team who have not answered that week yet, each week."""
        this_monday = self.now.date() - timedelta(days=self.now.weekday())
        rows, taken = [], []
        for back in range(weeks_back + 1):
            monday = this_monday - timedelta(weeks=back)
            answered = self.answered.setdefault((team, monday), set())
            people = [p for p in range(TEAMS[team][1]) if p not in answered][:count]
            taken.append((answered, people))
            rows += [
                f"{team},{monday} 09:{p:02d},{1 + (p * 7 + monday.day) % 5},"
                f"{1 + p % 5},3,3,3,3,{1 + (p + monday.month) % 5},{team}-{p}"
                for p in people
            ]
        if not rows:
            return
        path = write_file(self.folder, f"import-{len(self.imports)}.csv",
                          "\n".join([TEMPLATE_HEADER, *rows]) + "\n")  # fmt: skip
        try:
            report = ingest.import_survey(
                self.db, Source(path.name, path), SurveyOptions(), now=self.now
            )
        except ImportRefused:
            return
        for answered, people in taken:
            answered.update(people)
        if not report.already_imported:  # the same bytes as a live import: nothing new to undo
            self.imports.append(report.import_id)

    def do_undo(self, which: int) -> None:
        if self.imports:
            import_id = self.imports.pop(which % len(self.imports))
            ingest.undo_import(self.db, import_id, now=self.now)
            # The same people may answer again in a corrected export: the rows are new.
            self.answered = {key: set() for key in self.answered}

    def do_k(self, k: int) -> None:
        organization.change_settings(self.db, {"min_group_size": k}, now=self.now)

    def do_cadence(self, cadence: str) -> None:
        organization.change_settings(self.db, {"cadence": cadence}, now=self.now)

    def do_grace(self, days: int) -> None:
        organization.change_settings(self.db, {"grace_days": days}, now=self.now)

    def do_roster(self, team: str, headcount: int, department: str, weeks_back: int) -> None:
        since = self.now.date() - timedelta(weeks=weeks_back)
        fields = {"team": team, "department": department, "manager_name": team,
                  "manager_email": f"{team.lower()}@x.org", "headcount": str(headcount),
                  "effective_from": since.isoformat()}  # fmt: skip
        try:
            plan = ingest.plan_edit(self.db, fields, today=self.now.date())
        except ImportRefused:
            return
        ingest.apply_roster(self.db, plan, now=self.now)

    def do_wait(self, days: int) -> None:
        self.now += timedelta(days=days)
        self._set_clock()

    def do_live(self) -> None:
        queries.go_live(self.db, now=self.now)

    def do_observe(self) -> None:
        cadence = organization.current(self.db).cadence
        latest = queries.latest_week(self.db, self.now.date())
        if latest is None:
            return
        departments = self._departments()
        for count in (1, 6):
            period = Period.last_rounds(latest, count, cadence)
            figures = [queries.benchmark(self.db, period)]
            figures += [queries.team_figure(self.db, HR, t, period) for t in self.teams.values()]
            figures += [
                queries.departments_figure(self.db, HR, period, chosen)
                for chosen in ({departments["D1"]}, {departments["D2"]}, set(departments.values()))
            ]
            for figure in figures:
                self._check(figure)
            for comment in queries.comments(self.db, HR, period):
                self._check_comment(comment)
        if self.observed % 4 == 0:  # a whole overview each time would double the test's cost
            self._check_needs_support(period)
        self.observed += 1

    def _check_needs_support(self, period: Period) -> None:
        """HR's Needs support list names only teams with a shown figure, and every number
        in its reasons is that figure, or its difference from the organization's."""
        view = overview.collect(self.db, HR, period, today=self.now.date())
        self._check(view.organization)
        for row in view.needs_support.itertuples():
            team = queries.team_figure(self.db, HR, row.team_id, period)
            assert team.responses > 0, f"{row.team} ranked without a shown figure"
            self._check(team)
            for key in CATALYST_KEYS:
                said = re.search(rf"{re.escape(item_label(key))} (\d+)% \(([-+]\d+) vs", row.reason)
                if said:
                    pct, org = team.favorable_pct(key), view.organization.favorable_pct(key)
                    assert (int(said[1]), int(said[2])) == (round(pct), round(pct - org))

    def _departments(self) -> dict[str, int]:
        with self.db.reading() as cursor:
            return dict(cursor.execute("SELECT name, department_id FROM departments").fetchall())

    def _cells(self, cells: frozenset[str]) -> dict[str, tuple]:
        """Each cell's content as stored now and the people behind it, counted here."""
        ids = [int(cell.split()[1]) for cell in cells]
        columns = ", ".join(f"c.{item}_n, c.{item}_favorable" for item in ITEM_KEYS)
        with self.db.reading() as cursor:
            rows = cursor.execute(
                f"""
                SELECT 'cell ' || c.cell_id, c.responses, {columns}, p.min_group_size,
                       c.withdrawn_at IS NULL,
                       (SELECT count(DISTINCT r.comment) FROM survey_responses r
                        WHERE r.cell_id = c.cell_id) AS people
                FROM published_cells c JOIN published_rounds p USING (round_id)
                WHERE c.cell_id IN (SELECT unnest(?::BIGINT[]))
                """,  # noqa: S608 - item columns from the allow-list
                [ids],
            ).fetchall()
        return {row[0]: row[1:] for row in rows}

    def _check(self, figure) -> None:
        cells = self._cells(figure.cells)
        assert set(cells) == set(figure.cells)
        for name, (responses, *rest) in cells.items():
            content, (k, current, people) = (responses, *rest[:-3]), rest[-3:]
            assert current, f"{name} was withdrawn but still counts"
            assert self.catalogue.setdefault(name, content) == content, f"{name} changed"
            # The people behind the cell, counted from who gave its answers (a tag per
            # person): at least k different people.
            assert people >= k, f"{name}: {people} people < k = {k}"
        assert figure.responses == sum(self.catalogue[name][0] for name in figure.cells)
        for position, item in enumerate(ITEM_KEYS):
            answers = sum(self.catalogue[name][1 + 2 * position] for name in figure.cells)
            assert figure.items[item].answers == answers

    def _check_comment(self, comment: str) -> None:
        with self.db.reading() as cursor:
            rows = cursor.execute(
                "SELECT c.kind, c.comments, c.people, p.comment_min_responses, "
                "p.min_group_size FROM survey_responses r JOIN published_cells c USING (cell_id) "
                "JOIN published_rounds p USING (round_id) WHERE r.comment = ? "
                "AND c.withdrawn_at IS NULL",
                [comment],
            ).fetchall()
        assert rows, f"comment {comment!r} shown from no published cell"
        assert any(
            kind == "team" and allowed and people >= max(threshold, k)
            for kind, allowed, people, threshold, k in rows
        )


@settings(
    max_examples=budget(4),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Found by the fuzz run: a department pool of two teams that answered in different weeks
# of a month has all their people behind it (the check once counted only one week's).
@example(3, "weekly", False, [("k", 5), ("import", "A", 0, 9), ("import", "X", 0, 4),
                              ("import", "B", 0, 3), ("cadence", "monthly"), ("wait", 27),
                              ("import", "C", 0, 3)])  # fmt: skip
@given(st.integers(3, 5), st.sampled_from(["weekly", "fortnightly", "monthly"]), st.booleans(),
       st.lists(operations, min_size=8, max_size=30))  # fmt: skip
def test_figures_ever_observed_differ_by_whole_published_groups_of_k(
    monkeypatch, k, cadence, live_at_start, history
):
    with tempfile.TemporaryDirectory() as folder:
        org = History(Path(folder), monkeypatch, k, cadence)
        # Two full teams answer for two weeks first, so that most histories publish and
        # then have something to undo, delay or regroup.
        start = [("import", "A", 1, 9), ("import", "X", 1, 12)]
        start += [("live",)] if live_at_start else []
        try:
            # Every operation is watched; at the end every round has closed and gone live.
            for operation in [*start, *history, ("wait", 40), ("live",)]:
                org.run(operation)
                org.run(("observe",))
            with org.db.reading() as cursor:
                counts = cursor.execute(
                    "SELECT count(*), count(*) FILTER (supplement > 0), count(*) FILTER "
                    "(withdrawn_at IS NOT NULL), count(*) FILTER (responses > people), "
                    "count(DISTINCT cadence) FROM published_cells "
                    "JOIN published_rounds USING (round_id)"
                ).fetchone()
            # What the histories reached (pytest --hypothesis-show-statistics).
            names = ("cells", "supplements", "withdrawn", "fewer people than responses",
                     "cadences")  # fmt: skip
            for name, count in zip(names, counts, strict=True):
                event(f"{name}: {min(count, 2)}{'+' if count >= 2 else ''}")
        finally:
            org.db.close()
