"""Weekly check-in: did I give my team what it needs to make progress this week, did I do
what I committed to, and what will I do next week?

No st.form: the actions offered for next week follow the focus chosen, so the page
reruns as it is filled in (a few cached reads); nothing is saved until *Save check-in*,
and Enter in a note never saves."""

from datetime import timedelta

import streamlit as st

from dashboard import checkins, focus, queries, rounds, ui
from dashboard.catalysts import CATALYSTS, SELF_SCALE, catalyst
from dashboard.checkins import Checkin, CheckinError
from dashboard.clock import utc_now

KEPT = {True: "Done", False: "Not yet"}

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
    saved_words = f"Saved your check-in for the week of {just_saved:%-d %b}."
    st.success(saved_words, icon=":material/check_circle:")
    st.toast(saved_words, icon=":material/check_circle:")  # seen wherever the page is scrolled
    st.page_link("pages/my_team.py", label="See it on My team", icon=":material/groups:")
ui.checkin_reminder(user, today, link=False)


def week_words(w):
    when = "This week" if w == weeks[0] else "Last week"
    return f"{when} ({w:%-d %b} – {w + timedelta(days=6):%-d %b})"


due = checkins.due_week(today)
if len(weeks) > 1:  # last week stays open until Wednesday
    week = st.radio(
        "Week", weeks, index=weeks.index(due) if due in weeks else 0, horizontal=True,
        format_func=week_words,
    )  # fmt: skip
else:
    week = weeks[0]
with db.reading() as cursor:
    saved = checkins.load(cursor, user.user_id, team_id, week)
    streak = checkins.streak(cursor, user.user_id, team_id, today)
    earlier = checkins.asked_back(cursor, user.user_id, team_id, week)
latest = queries.latest_week(db, today) or rounds.week_of(today)
view = ui.my_team_view(user.user_id, team_id, rounds.Period.last_rounds(latest, 12, cadence), today)
suggestion = view.suggestion
st.caption(
    f"{view.team} · {week_words(week)} · "
    + (
        f"checked in {streak} week{'s' if streak != 1 else ''} in a row"
        if streak
        else "no streak yet"
    )
    + (f" · saved {saved.saved_at:%-d %b %H:%M} UTC, you can still change it" if saved else "")
)

# Widget keys carry team and week, so switching either shows what was saved for it.
key = f"{team_id}-{week:%Y%m%d}"
tried = st.session_state.get(f"checkin_tried-{key}", False)  # a save was refused

kept = {}
if earlier is not None:
    with st.container(border=True):
        st.markdown(
            f"**Did you?** In the week of {earlier.week:%-d %b} you chose "
            f"{catalyst(earlier.catalyst).label} and committed to:"
        )
        for number, action in enumerate(earlier.done):
            answer = saved.kept.get(action) if saved else earlier.done[action]
            kept[action] = st.radio(
                action,
                list(KEPT),
                format_func=KEPT.get,
                index=None if answer is None else list(KEPT).index(answer),
                horizontal=True,
                key=f"kept-{key}-{number}",
            )
        kept = {action: done for action, done in kept.items() if done is not None}

when = "This week" if week == weeks[0] else "Last week"
st.markdown(f"**{when}, how well did I …**")
st.caption(" · ".join(f"{value} {words}" for value, words in SELF_SCALE.items()))
ratings, notes = {}, {}
for item in CATALYSTS:
    current = saved.ratings.get(item.key) if saved else None
    ratings[item.key] = st.radio(
        # Plain words: the label is also the group's accessible name, and screen readers
        # would read Markdown's asterisks aloud.
        f"{item.label} — {item.self_question.removeprefix('This week, how well did I ')}",
        list(SELF_SCALE),
        horizontal=True,
        index=current - 1 if current else None,
        key=f"rating-{key}-{item.key}",
        help=" · ".join(f"{value}: {words}" for value, words in SELF_SCALE.items()),
    )
    if tried and ratings[item.key] is None:
        st.error(f"Rate {item.label} to save: choose 1 to 5.", icon=":material/error:")
    notes[item.key] = st.text_input(
        f"What I did for {item.label} (optional)",
        value=saved.notes.get(item.key, "") if saved else "",
        max_chars=checkins.MAX_NOTE,
        key=f"note-{key}-{item.key}",
        placeholder="What I did (optional)",
        label_visibility="collapsed",
    )
left, right = st.columns(2)
wins = left.text_area(
    "Small wins this week (one per line)",
    value="\n".join(saved.wins) if saved else "",
    placeholder="Shipped the new onboarding flow",
    key=f"wins-{key}",
)
setbacks = right.text_area(
    "Setbacks this week (one per line)",
    value="\n".join(saved.setbacks) if saved else "",
    placeholder="Blocked on access to production logs",
    key=f"setbacks-{key}",
)

keys = [item.key for item in CATALYSTS]
chosen = saved.focus if saved and saved.focus else suggestion.catalyst
focus_key = st.selectbox(
    "Focus for next week",
    keys,
    index=keys.index(chosen),
    format_func=lambda k: catalyst(k).label,
    key=f"focus-{key}",
)
st.caption(f"Suggested: **{catalyst(suggestion.catalyst).label}**. {suggestion.reason}")
offered = list(dict.fromkeys([
    *(saved.commitments if saved and saved.focus == focus_key else []),
    *focus.actions_for(focus_key, checkins.due_week(today)),
]))  # fmt: skip
st.markdown("**Next week I will …** (tick what you commit to; the next check-in asks)")
commitments = [
    action
    for number, action in enumerate(offered)
    if st.checkbox(
        action,
        value=bool(saved and action in saved.commitments),
        key=f"commit-{key}-{focus_key}-{number}",
    )
]

if st.button("Save check-in", type="primary"):
    entry = Checkin(
        team_id=team_id,
        week=week,
        ratings=ratings,
        notes=notes,
        focus=focus_key,
        wins=checkins.entries(wins),
        setbacks=checkins.entries(setbacks),
        commitments=commitments,
        kept=kept,
    )
    try:
        checkins.save(db, user.user_id, entry, today=today, now=utc_now())
    except CheckinError as refusal:
        if not tried and any(r is None for r in ratings.values()):
            st.session_state[f"checkin_tried-{key}"] = True
            st.rerun()  # draw the message at the first missing rating
        st.error(
            "Not saved yet:\n\n" + "\n".join(f"- {p}" for p in refusal.problems),
            icon=":material/error:",
        )
    else:
        st.session_state.pop(f"checkin_tried-{key}", None)
        st.session_state["checkin_saved"] = week
        st.rerun()
elif tried:
    missing = [item.label for item in CATALYSTS if ratings[item.key] is None]
    if missing:
        st.error(
            f"Not saved yet: rate {', '.join(missing)} (marked above).", icon=":material/error:"
        )
