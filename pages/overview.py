"""Overview: where do our managers give their teams what they need to make progress?"""

import streamlit as st

from dashboard import exports, overview, queries, rounds, ui, views
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
    ui.no_results_yet()
    st.stop()

presets = dict(rounds.PRESETS[cadence])
names = dict(zip(departments.department_id, departments.name, strict=True))
left, middle, right = st.columns([3, 2, 2])
chosen = left.multiselect(
    "Departments",
    list(names),
    default=ui.query_ids("departments", set(names)),
    format_func=names.get,
    placeholder="All departments",
    key="overview_departments",
)
chosen = [d for d in chosen if d in names]  # widget values never widen the scope
period_name = middle.selectbox(
    "Period",
    list(presets),
    key="overview_period",
    index=list(presets).index(ui.query_choice("period", list(presets), list(presets)[1])),
)
metrics = {"favorable_pct": "Favorable %", "mean": "Mean (1-5)"}
metric = right.selectbox(
    "Metric",
    list(metrics),
    format_func=metrics.get,
    key="overview_metric",
    index=list(metrics).index(ui.query_choice("metric", list(metrics), "favorable_pct")),
)
st.query_params.update(
    {"departments": ",".join(map(str, chosen)), "period": period_name, "metric": metric}
)

view_scope = Scope.hr(frozenset(chosen)) if chosen else scope
period = rounds.Period.last_rounds(latest, presets[period_name], cadence)
view = ui.hr_overview(view_scope, period, today, scope)
views.overview.tiles(view, ", ".join(names[d] for d in chosen) or None)
ui.held_caption(view.held, view.min_group_size)

# Files: made on click from the same tables as the screen, and audited.
chosen_names = [names[d] for d in chosen]
filters = {"departments": chosen_names or "all in scope", "period": period.label, "metric": metric}
stamp = f"{period.last_week:%Y-%m-%d}"
with st.popover("Download", icon=":material/download:"):
    ui.download(
        user,
        "Every table (XLSX)",
        f"catalyst-overview-{stamp}.xlsx",
        lambda: exports.workbook_bytes(overview.sheets(view, metric)),
        filters,
        key="overview_xlsx",
    )
    sort = st.session_state.get("overview_sort", "department")
    ui.download(
        user,
        "Team table as shown (CSV)",
        f"catalyst-teams-{stamp}.csv",
        lambda: exports.csv_bytes(overview.team_file(view, metric, sort)),
        filters,
        key="overview_csv",
    )
    st.divider()
    whole = ", ".join(chosen_names) if chosen_names else "All departments"
    options = {0: whole, **{d: names[d] for d in (chosen or names) if len(chosen) != 1}}
    target = st.selectbox(
        "One-page summary of", list(options), format_func=options.get, key="overview_summary_of"
    )
    summary_scope = view_scope if target not in names else Scope.hr(frozenset({target}))
    for kind in ("pdf", "png"):
        ui.download(
            user,
            f"One-page summary ({kind.upper()})",
            f"catalyst-summary-{exports.slug(options[target])}-{stamp}.{kind}",
            lambda kind=kind: overview.summary_file(
                db, summary_scope, period, today=today, title=options[target], kind=kind
            ),
            {**filters, "summary_of": options[target]},
            key=f"overview_summary_{kind}",
        )

sections = [
    "Needs support", "Heatmap", "Self vs team", "Trends", "What goes with progress", "Watch list"
]  # fmt: skip
section = ui.section_picker(sections, "view", key="overview_section")
if section == "Needs support":
    views.overview.needs_support_section(view)
elif section == "Heatmap":
    sort = st.radio(
        "Order",
        list(overview.SORTS),
        format_func=overview.SORTS.get,
        horizontal=True,
        key="overview_sort",
    )
    views.overview.heatmap_section(view, metric, sort)
    managers = view.teams.dropna(subset=["manager_id"]).drop_duplicates("manager_id")
    labels = dict(
        zip(managers.manager_id.astype(int), managers.manager + " · " + managers.team, strict=True)
    )
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
    views.overview.self_team_section(view)
elif section == "Trends":
    views.overview.trends_section(view)
elif section == "What goes with progress":
    views.overview.progress_section(view, view.teams)
else:
    views.overview.watch_list(view)
