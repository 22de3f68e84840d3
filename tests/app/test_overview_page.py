"""HR's overview through AppTest on a demo ending this week: filters, scope, and the
figures on screen against the read API's for the same filters."""

from __future__ import annotations

import pytest
from app_helpers import after_redirect, sign_in
from fixtures import as_if_never_published
from streamlit.testing.v1 import AppTest

from dashboard import clock, overview, queries, rounds
from dashboard import store as store_module
from dashboard.catalysts import ITEM_KEYS, item_label
from dashboard.queries import Scope
from dashboard.store import Store

SECTIONS = [
    "Needs support", "Heatmap", "Self vs team", "Trends", "What goes with progress", "Watch list"
]  # fmt: skip


def open_overview(app: AppTest, **query: str) -> AppTest:
    """Open the overview as a link would: its filters in the URL, no widget state yet."""
    app.switch_page("pages/overview.py")
    app.query_params.update(query)
    app.run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    return app


@pytest.fixture
def hr_app(app_on, live_demo_path):
    def start(email: str = "hr@example.com", **query: str) -> AppTest:
        query.setdefault("view", "Heatmap")  # most tests look at the team table
        return open_overview(after_redirect(sign_in(app_on(live_demo_path), email)), **query)

    return start


@pytest.fixture
def departments(live_demo_path) -> dict[int, str]:
    with Store(live_demo_path) as db, db.reading() as cursor:
        frame = queries.departments(cursor)
    return dict(zip(frame.department_id, frame.name, strict=True))


def limit_hr(path, department_ids) -> None:
    with Store(path) as db, db.transaction() as cursor:
        for department_id in department_ids:
            cursor.execute(
                "INSERT INTO hr_departments SELECT user_id, ? FROM users "
                "WHERE email = 'hr@example.com'",
                [department_id],
            )


def metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def period_of(db: Store, weeks: int = 12) -> rounds.Period:
    latest = queries.latest_week(db, clock.today_in("Europe/Berlin"))
    return rounds.Period.last_rounds(latest, weeks, "weekly")


def test_an_hr_user_limited_to_two_departments_never_sees_a_third(
    hr_app, live_demo_path, departments
):
    allowed, (third, third_name) = list(departments)[:2], list(departments.items())[2]
    limit_hr(live_demo_path, allowed)
    app = hr_app()
    choices = app.multiselect(key="overview_departments")
    assert sorted(choices.options) == sorted(departments[d] for d in allowed)
    table = app.dataframe[0].value
    assert set(table.Department) == {departments[d] for d in allowed}
    managers = app.selectbox(key="overview_manager").options
    assert managers and {label.split(" · ")[1] for label in managers} <= set(table.Team)

    # A shared link naming the third department is trimmed to what this user may see.
    linked = hr_app(departments=f"{third},{allowed[0]}")
    assert linked.multiselect(key="overview_departments").value == [allowed[0]]
    assert set(linked.dataframe[0].value.Department) == {departments[allowed[0]]}
    assert third_name not in {c.value for c in linked.caption}


def test_the_figures_shown_equal_the_read_apis_for_the_same_filters(
    hr_app, live_demo_path, departments
):
    app = hr_app()
    chosen = list(departments)[1]
    app.multiselect(key="overview_departments").set_value([chosen])
    app.selectbox(key="overview_period").set_value("Last 4 weeks").run()
    assert not app.exception
    with Store(live_demo_path) as db:
        period = period_of(db, 4)
        figure = queries.departments_figure(db, Scope.hr(None), period, {chosen})
        teams = queries.team_table(db, Scope.hr(frozenset({chosen})), period)
        participation = queries.participation(db, Scope.hr(frozenset({chosen})), period)
    assert metric(app, "Responses") == f"{figure.responses:,}"
    reporting = int((teams.status == "shown").sum())
    assert metric(app, "Teams reporting") == f"{reporting:,} of {len(teams):,}"
    assert metric(app, "Participation") == f"{participation:.0%}"
    for key in ITEM_KEYS:
        assert metric(app, item_label(key)) == f"{figure.favorable_pct(key):.0f}%"
    table = app.dataframe[0].value.set_index("Team")
    for row in teams[teams.status == "shown"].itertuples():
        # the table holds the read API's figure as a whole percent, as everywhere
        assert table.loc[row.team, "Clear goals"] == round(row.clear_goals_favorable_pct)
    assert app.query_params["departments"] == str(chosen)
    assert app.query_params["period"] == "Last 4 weeks"


def test_the_mean_metric_fills_the_table_on_the_1_to_5_scale(hr_app, live_demo_path):
    app = hr_app(metric="mean")
    assert app.selectbox(key="overview_metric").value == "mean"
    with Store(live_demo_path) as db:
        teams = queries.team_table(db, Scope.hr(None), period_of(db))
    table = app.dataframe[0].value.set_index("Team")
    shown = teams[teams.status == "shown"]
    assert table.loc[shown.team, "Help"].tolist() == shown.help_mean.round(1).tolist()
    hidden = teams[teams.status != "shown"].team
    assert table.loc[hidden, "Help"].isna().all()
    assert (table.loc[hidden, "Shown"] == "no: team too small").all()


@pytest.mark.parametrize("section", SECTIONS)
def test_every_view_draws_with_a_one_line_summary(hr_app, section):
    app = hr_app(view=section)
    assert app.get("button_group")[0].value == section
    captions = [c.value for c in app.caption]
    expected = {
        "Needs support": "teams that can be shown have a concern",
        "Heatmap": "teams can be shown",
        "Self vs team": "rate themselves a point or more above their team",
        "Trends": "The largest move from first to last",
        "What goes with progress": "This is association, not cause",
        "Watch list": None,
    }[section]
    if section == "Needs support":
        assert any(expected in c for c in captions), captions
        assert app.get("page_link")[0].proto.label.startswith("1. ")
    elif expected:
        assert any(expected in c for c in captions), captions
        assert app.get("plotly_chart")
        # A text alternative for every chart: the heatmap's is the team table under it,
        # the others' a table to open.
        tables = [e for e in app.expander if e.label == "The numbers in this chart"]
        charts_here = len(app.get("plotly_chart"))
        assert len(tables) == (charts_here - 1 if section == "Heatmap" else charts_here)
    else:
        assert [m.value for m in app.markdown][-3:] == [
            "**Largest blind spots**",
            "**Real drops since the period before**",
            "**Teams without a check-in for two weeks or more**",
        ]


def test_the_overview_opens_on_who_needs_support_with_reasons_in_words(hr_app, live_demo_path):
    app = hr_app(view="Needs support")
    with Store(live_demo_path) as db:
        today = clock.today_in("Europe/Berlin")
        latest = queries.latest_week(db, today)
        view = overview.collect(
            db, Scope.hr(None), rounds.Period.last_rounds(latest, 12, "weekly"), today=today
        )
    ranked = view.needs_support.head(10)
    links = [link.proto for link in app.get("page_link") if link.proto.page == "manager-detail"]
    assert [link.label for link in links] == [
        f"{rank}. {r.manager} · {r.team} ({r.department})"
        for rank, r in enumerate(ranked.itertuples(), start=1)
    ]
    assert (
        links[0].query_string
        == f"manager={ranked.manager_id.iloc[0]}&team={ranked.team_id.iloc[0]}"
    )
    captions = [c.value for c in app.caption]
    assert all(reason in captions for reason in ranked.reason)  # each one's why, in words
    shown = set(view.teams[view.teams.status == "shown"].team_id)
    assert set(view.needs_support.team_id) <= shown  # a team that cannot be shown: never


def test_choosing_a_manager_opens_their_detail(hr_app, live_demo_path):
    app = hr_app()
    picker = app.selectbox(key="overview_manager")
    assert "Jordan Blake · Platform" in picker.options
    with Store(live_demo_path) as db, db.reading() as cursor:
        (jordan,) = cursor.execute(
            "SELECT user_id FROM users WHERE email = 'manager@example.com'"
        ).fetchone()
    picker.set_value(jordan).run()
    assert not app.exception
    assert app.title[0].value == "Manager detail"
    assert app.query_params["manager"] == str(jordan)


@pytest.mark.parametrize(
    ("keep_responses", "live", "said"),
    [
        (False, True, "No survey responses yet"),
        (True, False, "Results appear once the organization is live"),
    ],
)
def test_an_organization_without_results_is_told_why_and_what_next(
    hr_app, live_demo_path, keep_responses, live, said
):
    as_if_never_published(live_demo_path, live=live)
    if not keep_responses:
        with Store(live_demo_path) as db, db.transaction() as cursor:
            cursor.execute("DELETE FROM survey_responses")
            store_module.rebuild_response_summary(cursor)
            store_module.bump_data_version(cursor, "survey")
    app = hr_app()
    assert any(said in i.value for i in app.info)
    assert not app.metric


def test_catalyst_tiles_sit_four_to_a_row_so_their_labels_fit(hr_app):
    app = hr_app()
    labels = {item_label(k) for k in ITEM_KEYS}
    holding = [c for c in app.columns if any(m.label in labels for m in c.get("metric"))]
    assert len(holding) == len(ITEM_KEYS)  # one tile per column
    assert {c.weight for c in holding} == {0.25}  # in rows of four, not seven across
