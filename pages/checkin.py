"""Weekly check-in: did I give my team what it needs to make progress this week?"""

from datetime import timedelta

import streamlit as st

from dashboard import checkins, queries, rounds, ui
from dashboard.catalysts import CATALYSTS, SELF_SCALE, catalyst
from dashboard.checkins import Checkin, CheckinError
from dashboard.clock import utc_now

user = ui.guard("checkin")
db = ui.store()
today = ui.org_today()
weeks = checkins.open_weeks(today)
with db.reading() as cursor:
    teams = checkins.teams_led(cursor, user.user_id, weeks[-1])
    teams = teams.merge(checkins.teams_led(cursor, user.user_id, weeks[0]), how="outer")
    cadence = queries.org_settings(cursor).cadence

st.title("Weekly check-in")
team_id = ui.team_picker(teams, key="checkin_team")
if team_id is None:
    ui.empty_state(
        "You do not lead a team this week.",
        "ask your HR admin to add you as the manager of your team in the roster.",
    )
    st.stop()

just_saved = st.session_state.pop("checkin_saved", None)
if just_saved:
    st.success(
        f"Saved your check-in for the week of {just_saved:%-d %b}.", icon=":material/check_circle:"
    )
    st.page_link("pages/my_team.py", label="See it on My team", icon=":material/groups:")
ui.checkin_reminder(user, today, link=False)
due = checkins.due_week(today)
week = st.radio(
    "Week",
    weeks,
    index=weeks.index(due) if due in weeks else 0,
    horizontal=True,
    format_func=lambda w: (
        f"{'This' if w == weeks[0] else 'Last'} week ({w:%-d %b} – {w + timedelta(days=6):%-d %b})"
    ),
)
with db.reading() as cursor:
    saved = checkins.load(cursor, user.user_id, team_id, week)
    streak = checkins.streak(cursor, user.user_id, team_id, today)
latest = queries.latest_week(db, today) or rounds.week_of(today)
view = ui.my_team_view(user.user_id, team_id, rounds.Period.last_rounds(latest, 12, cadence), today)
suggestion = view.suggestion
st.caption(
    f"{view.team} · {streak} week{'s' if streak != 1 else ''} in a row"
    + (f" · saved {saved.saved_at:%-d %b %H:%M} UTC, you can still change it" if saved else "")
)

with st.form(f"checkin-{team_id}-{week}"):
    when = "This week" if week == weeks[0] else "Last week"
    st.markdown(f"**{when}, how well did I …**")
    ratings, notes = {}, {}
    for item in CATALYSTS:
        current = saved.ratings.get(item.key) if saved else None
        ratings[item.key] = st.radio(
            f"**{item.label}** — {item.self_question.removeprefix('This week, how well did I ')}",
            list(SELF_SCALE),
            format_func=SELF_SCALE.get,
            horizontal=True,
            index=current - 1 if current else None,
            key=f"rating-{item.key}",
        )
        notes[item.key] = st.text_input(
            "What I did (optional)",
            value=saved.notes.get(item.key, "") if saved else "",
            max_chars=checkins.MAX_NOTE,
            key=f"note-{item.key}",
            placeholder="What I did (optional)",
            label_visibility="collapsed",
        )
    left, right = st.columns(2)
    wins = left.text_area(
        "Small wins this week (one per line)",
        value="\n".join(saved.wins) if saved else "",
        placeholder="Shipped the new onboarding flow",
        key="wins",
    )
    setbacks = right.text_area(
        "Setbacks this week (one per line)",
        value="\n".join(saved.setbacks) if saved else "",
        placeholder="Blocked on access to production logs",
        key="setbacks",
    )
    keys = [item.key for item in CATALYSTS]
    chosen = saved.focus if saved and saved.focus else suggestion.catalyst
    focus = st.selectbox(
        "Focus for next week",
        keys,
        index=keys.index(chosen),
        format_func=lambda key: catalyst(key).label,
        key="focus",
        help=f"Suggested: {catalyst(suggestion.catalyst).label}. {suggestion.reason}",
    )
    st.caption(f"Suggested: **{catalyst(suggestion.catalyst).label}**. {suggestion.reason}")
    submitted = st.form_submit_button("Save check-in", type="primary")

if submitted:
    entry = Checkin(
        team_id=team_id,
        week=week,
        ratings=ratings,
        notes=notes,
        focus=focus,
        wins=checkins.entries(wins),
        setbacks=checkins.entries(setbacks),
    )
    try:
        checkins.save(db, user.user_id, entry, today=today, now=utc_now())
    except CheckinError as refusal:
        st.error(
            "Not saved yet:\n\n" + "\n".join(f"- {p}" for p in refusal.problems),
            icon=":material/error:",
        )
    else:
        st.session_state["checkin_saved"] = week
        st.rerun()
