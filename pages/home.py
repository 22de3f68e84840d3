"""Home, by role: a manager sees whether a check-in is due and this week's focus; HR sees
who needs support; the organization's totals and the framework come below."""

import streamlit as st

from dashboard import checkins, navigation, queries, rounds, team_view, ui, views
from dashboard.catalysts import CATALYSTS, PROGRESS, catalyst
from dashboard.mail import outbox
from dashboard.markdown import plain

user = ui.guard("home")
db = ui.store()
today = ui.org_today()
with db.reading() as cursor:
    org = queries.org_settings(cursor)
    counts = queries.organization_counts(cursor)
    first_week, last_week, survey_weeks = queries.survey_weeks(cursor)
    demo = queries.is_demo(cursor)
    led = checkins.teams_led(cursor, user.user_id, rounds.week_of(today))

st.title(org.organization_name)
st.write(f"Welcome, {plain(user.display_name)}.")
st.caption(
    "Catalyst helps managers give their teams what makes progress on meaningful work possible."
    + (" You are looking at the demo organization." if demo else "")
)
latest = queries.latest_week(db, today)

if "manager" in user.roles and len(led):
    st.header("Your week")
    ui.checkin_reminder(user, today)
    for team in led.itertuples():
        period = rounds.Period.last_rounds(latest or rounds.week_of(today), 12, org.cadence)
        view = ui.my_team_view(user.user_id, int(team.team_id), period, today)
        chosen, how = team_view.this_weeks_focus(view)
        st.markdown(
            f"**{plain(team.team)}** · this week's focus: **{catalyst(chosen).label}** ({how})"
        )
    st.page_link(navigation.screen("my_team").file, label="Open My team", icon=":material/groups:")

if navigation.allowed(navigation.screen("overview"), user.roles) and counts["teams"]:
    st.header("Who needs support")
    if latest is None:
        ui.no_results_yet()
    else:
        presets = dict(rounds.PRESETS[org.cadence])
        default = list(presets)[1]
        period = rounds.Period.last_rounds(latest, presets[default], org.cadence)
        view = ui.hr_overview(ui.hr_scope(user), period, today)
        st.caption(f"{period.label}, ranked on the Overview's rule.")
        views.overview.needs_support_section(view, top=5)
        with db.reading() as cursor:
            paused = outbox.paused_managers(cursor)
        paused = paused[paused.user_id.isin(set(view.teams.manager_id.dropna()))]
        if len(paused):
            st.caption(
                "Check-in reminders are paused for "
                + ", ".join(plain(name) for name in paused.manager)
                + ": four in a row went unanswered. Their next check-in resumes them."
            )
        st.page_link(
            navigation.screen("overview").file,
            label="See everyone on the Overview",
            icon=":material/monitoring:",
        )

st.header("Your organization")
if counts["teams"] == 0:
    ui.empty_state(
        "No organization yet.",
        "build the demo with `catalyst demo`, or import your roster and a survey export "
        "with `catalyst import`.",
    )
else:
    top = st.columns(4)
    top[0].metric("Departments", f"{counts['departments']:,}")
    top[1].metric("Teams", f"{counts['teams']:,}")
    top[2].metric("Managers", f"{counts['managers']:,}")
    top[3].metric("Survey responses", f"{counts['survey_responses']:,}")
    bottom = st.columns(4)
    bottom[0].metric("Check-ins", f"{counts['checkins']:,}")
    bottom[1].metric("Small wins logged", f"{counts['wins']:,}")
    bottom[2].metric("Setbacks logged", f"{counts['setbacks']:,}")
    bottom[3].metric("Survey weeks", f"{survey_weeks:,}")
    if first_week:
        st.caption(
            f"Survey responses from the week of {first_week:%d %b %Y} "
            f"to the week of {last_week:%d %b %Y}."
        )

st.header("The six catalysts")
st.write(
    "Managers are the catalysts of their team's progress. Catalyst tracks how well each "
    "of these is provided, as managers see it and as their teams see it:"
)
for item in CATALYSTS:
    st.markdown(f"**{item.label}** — {item.description}")
st.markdown(f"**{PROGRESS.label}** — {PROGRESS.description}")
