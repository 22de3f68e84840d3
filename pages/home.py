"""Home: what this Catalyst holds, and the framework it is built on."""

import streamlit as st

from dashboard import queries, ui
from dashboard.catalysts import CATALYSTS, PROGRESS
from dashboard.markdown import plain

user = ui.guard("home")
db = ui.store()
with db.reading() as cursor:
    org = queries.org_settings(cursor)
    counts = queries.organization_counts(cursor)
    first_week, last_week, survey_weeks = queries.survey_weeks(cursor)
    demo = queries.is_demo(cursor)

st.title(org.organization_name)
st.write(f"Welcome, {plain(user.display_name)}.")
st.caption(
    "Catalyst helps managers give their teams what makes progress on meaningful work possible."
    + (" You are looking at the demo organization." if demo else "")
)

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
for catalyst in CATALYSTS:
    st.markdown(f"**{catalyst.label}** — {catalyst.description}")
st.markdown(f"**{PROGRESS.label}** — {PROGRESS.description}")
