"""My team: how I am doing on each catalyst, according to whom, and what to do next."""

import streamlit as st

from dashboard import checkins, queries, rounds, ui, views
from dashboard.markdown import plain

user = ui.guard("my_team")
db = ui.store()
today = ui.org_today()
with db.reading() as cursor:
    teams = checkins.teams_ever_led(cursor, user.user_id)
    cadence = queries.org_settings(cursor).cadence

st.title("My team")
team_id = ui.team_picker(teams, key="my_team_team")
if team_id is None:
    ui.empty_state(
        "You do not lead a team in Catalyst yet.",
        "ask your HR admin to add you as the manager of your team in the roster.",
    )
    st.stop()

ui.checkin_reminder(user, today)
count = ui.period_picker(cadence, key="my_team_period")
latest = queries.latest_week(db, today)
if latest is None:
    ui.no_results_yet()
latest = latest or rounds.week_of(today)
period = rounds.Period.last_rounds(latest, count, cadence)
view = ui.my_team_view(user.user_id, team_id, period, today)
st.caption(f"{plain(view.team)} · {view.shown_period.label}")
if not view.has_team_data and not view.too_small:
    with st.expander("How your team's answers get here", expanded=True):
        st.write(
            "Your team answers a short survey on the same six catalysts. HR uploads the "
            "survey export, and results for a round appear here once at least "
            f"{view.min_group_size} people have answered, so nobody's answers can be picked "
            "out. Until then you see your own check-ins."
        )
views.team_view.render(view)
