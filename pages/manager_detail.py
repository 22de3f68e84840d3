"""Manager detail: one manager's My Team view, read-only, with their history, for HR."""

import streamlit as st

from dashboard import exports, focus, manager_detail, queries, rounds, ui, views
from dashboard.mail import outbox
from dashboard.markdown import plain

user = ui.guard("manager_detail")
db = ui.store()
scope = ui.hr_scope(user)
today = ui.org_today()
with db.reading() as cursor:
    led = queries.managers(cursor, scope.departments)
    org = queries.org_settings(cursor)

st.title("Manager detail")
if led.empty:
    ui.empty_state(
        "No managers in your departments yet.",
        "an admin assigns managers to teams in the roster (Admin page, or import a roster).",
    )
    st.stop()

people = led.drop_duplicates("manager_id")
names = dict(zip(people.manager_id.astype(int), people.manager, strict=True))
asked = st.query_params.get("manager")
if asked != st.session_state.get("detail_manager_in_url"):  # arrived by a link (the overview's)
    st.session_state["detail_manager_in_url"] = asked
    if asked and asked.isdigit() and int(asked) in names:
        st.session_state["detail_manager"] = int(asked)
if st.session_state.get("detail_manager") not in names:
    st.session_state.pop("detail_manager", None)  # never a manager outside the scope
left, right = st.columns([3, 2])
with left:
    manager_id = st.selectbox(
        "Manager",
        list(names),
        format_func=names.get,
        index=None,
        placeholder="Choose a manager",
        key="detail_manager",
    )
if manager_id is None:
    st.info(
        "Choose a manager to see their team's results, check-ins and focus over time. "
        "The Overview's heatmap section links here too.",
        icon=":material/info:",
    )
    st.stop()
st.query_params["manager"] = st.session_state["detail_manager_in_url"] = str(manager_id)
name = names[manager_id]
teams_led = led[led.manager_id == manager_id]
asked_team = st.query_params.get("team")
if asked_team and asked_team != st.session_state.get("detail_team_in_url"):
    st.session_state["detail_team_in_url"] = asked_team
    if asked_team.isdigit() and int(asked_team) in set(teams_led.team_id):
        st.session_state["detail_team"] = int(asked_team)
with right:
    team_id = ui.team_picker(teams_led, key="detail_team")
st.query_params["team"] = st.session_state["detail_team_in_url"] = str(team_id)
count = ui.period_picker(org.cadence, key="detail_period")
latest = queries.latest_week(db, today)
if latest is None:
    ui.no_results_yet()
latest = latest or rounds.week_of(today)
period = rounds.Period.last_rounds(latest, count, org.cadence)
view = ui.manager_view(scope, manager_id, team_id, period, today)
shown_name = plain(name)
st.caption(
    f"{shown_name} · {plain(view.team)} · {view.shown_period.label}. Read-only: what "
    f"{shown_name} sees on My Team, within your departments"
    + ("" if org.manager_notes_visible_to_hr else "; check-in notes stay private")
    + "."
)
with db.reading() as cursor:
    paused = outbox.paused_managers(cursor)
paused = paused[paused.user_id == manager_id]
if len(paused):
    st.warning(
        f"Check-in reminders to {shown_name} are paused: they left four in a row unanswered, "
        f"since the week of {paused.since.iloc[0]:%-d %b %Y}. Their next check-in resumes "
        "them; a conversation may help more than another reminder.",
        icon=":material/notifications_paused:",
    )

filters = {"manager": name, "team": view.team, "period": view.shown_period.label}
stamp, who = f"{period.last_week:%Y-%m-%d}", exports.slug(f"{name} {view.team}")
with st.popover("Download", icon=":material/download:"):
    shared = org.manager_notes_visible_to_hr
    ui.download(
        user,
        "Every table (XLSX)",
        f"catalyst-{who}-{stamp}.xlsx",
        lambda: exports.workbook_bytes(manager_detail.sheets(view, shared)),
        filters,
        key="detail_xlsx",
    )
    ui.download(
        user,
        "Results by round (CSV)",
        f"catalyst-{who}-by-round-{stamp}.csv",
        lambda: exports.csv_bytes(manager_detail.by_round_table(view)),
        filters,
        key="detail_csv",
    )
    for kind in ("pdf", "png"):
        ui.download(
            user,
            f"One-page summary ({kind.upper()})",
            f"catalyst-{who}-{stamp}.{kind}",
            lambda kind=kind: manager_detail.summary_file(
                view, name, org.organization_name, today, kind=kind
            ),
            filters,
            key=f"detail_summary_{kind}",
        )

compared = manager_detail.against_organization(view)
steps = manager_detail.next_steps(view, shown_name)
if compared or steps:
    with st.container(border=True):
        if compared:
            st.markdown(f"**{compared}**")
        if steps:
            st.markdown("\n".join(f"- {step}" for step in steps))

# Raw name: each view escapes it for where it lands (Markdown, or a chart's labels).
views.team_view.render(view, focus.about(name))
views.manager_detail.render_history(view, name)
