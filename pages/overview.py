"""Overview: where do our managers give their teams what they need to make progress?"""

import streamlit as st

from dashboard import overview, queries, rounds, ui
from dashboard.queries import Scope

user = ui.guard("overview")
db = ui.store()
scope = ui.hr_scope(user)
today = ui.org_today()
with db.reading() as cursor:
    cadence = queries.org_settings(cursor).cadence
    departments = queries.departments(cursor, scope.departments)

st.title("Overview")
latest = queries.latest_week(db, today)
if latest is None:
    ui.empty_state("No survey responses yet.", "upload a survey export on the Upload page.")
    st.stop()

presets = dict(rounds.PRESETS[cadence])
names = dict(zip(departments.department_id, departments.name, strict=True))
left, middle, right = st.columns([3, 2, 2])
chosen = left.multiselect(
    "Departments", list(names), default=ui.query_ids("departments", set(names)),
    format_func=names.get, placeholder="All departments", key="overview_departments",
)  # fmt: skip
period_name = middle.selectbox(
    "Period", list(presets), key="overview_period",
    index=list(presets).index(ui.query_choice("period", list(presets), list(presets)[1])),
)  # fmt: skip
metrics = {"favorable_pct": "Favorable %", "mean": "Mean (1-5)"}
metric = right.selectbox(
    "Metric", list(metrics), format_func=metrics.get, key="overview_metric",
    index=list(metrics).index(ui.query_choice("metric", list(metrics), "favorable_pct")),
)  # fmt: skip
st.query_params.update(
    {"departments": ",".join(map(str, chosen)), "period": period_name, "metric": metric}
)

view_scope = Scope.hr(frozenset(chosen)) if chosen else scope
period = rounds.Period.last_rounds(latest, presets[period_name], cadence)
view = ui.overview(view_scope, period, today)
overview.tiles(view)

sections = ["Heatmap", "Self vs team", "Trends", "What goes with progress", "Watch list"]
section = st.segmented_control(
    "Show", sections, default=ui.query_choice("view", sections, sections[0]),
    key="overview_section", label_visibility="collapsed",
) or sections[0]  # fmt: skip
st.query_params["view"] = section
if section == "Heatmap":
    sort = st.radio("Order", list(overview.SORTS), format_func=overview.SORTS.get,
                    horizontal=True, key="overview_sort")  # fmt: skip
    overview.heatmap_section(view, metric, sort)
    managers = view.teams.dropna(subset=["manager_id"]).drop_duplicates("manager_id")
    labels = dict(zip(managers.manager_id.astype(int), managers.manager + " · " + managers.team,
                      strict=True))  # fmt: skip
    picked = st.selectbox(
        "Open a manager's detail",
        list(labels),
        format_func=labels.get,
        index=None,
        placeholder="Choose a manager",
        key="overview_manager",
    )
    if picked is not None:
        st.switch_page("pages/manager_detail.py", query_params={"manager": str(picked)})
elif section == "Self vs team":
    overview.self_team_section(view)
elif section == "Trends":
    overview.trends_section(view)
elif section == "What goes with progress":
    overview.progress_section(view, view.teams)
else:
    overview.watch_list(view)
