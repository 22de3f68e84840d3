"""Admin → Roster: every team today, one team's history, and a change from a date through
the same checks as a roster file (ingest.plan_edit, then apply_roster)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import accounts, ingest, queries
from dashboard.accounts import User
from dashboard.clock import utc_now
from dashboard.markdown import plain
from dashboard.store import Store
from dashboard.views.admin import done

ROSTER_HEADERS = {
    "team": "Team", "department": "Department", "manager": "Manager",
    "manager_email": "Manager email", "headcount": "Headcount", "from": "From",
    "until": "Until", "recorded": "Recorded (UTC)", "in_force": "In force",
}  # fmt: skip
WHEN = "D MMM YYYY, HH:mm"


def roster(db: Store, admin: User, today: date) -> None:
    with db.reading() as cursor:
        teams = queries.roster_now(cursor, today)
        departments = queries.departments(cursor)
        everyone = accounts.users_table(cursor)
    st.caption(
        "Each change applies from its date: earlier weeks keep the facts they had. For "
        "a whole reorganization, import a roster file on the Upload page."
    )
    names = {0: "+ A new team", **dict(zip(teams.team_id.astype(int), teams.team, strict=True))}
    team_id = st.selectbox(
        "Team",
        list(names),
        format_func=names.get,
        index=None,
        placeholder="Choose a team to change",
        key="admin_team",
    )
    if team_id is None:
        st.dataframe(
            teams.drop(columns="team_id").rename(columns=ROSTER_HEADERS),
            hide_index=True,
            width="stretch",
            placeholder="–",
        )
        return
    current = teams[teams.team_id == team_id].iloc[0] if team_id else None
    if current is not None:
        with db.reading() as cursor:
            history = queries.roster_history(cursor, team_id)
        st.markdown(f"**{plain(current.team)}: its history**")
        st.dataframe(
            history.replace({"manager": {"": None}, "manager_email": {"": None}}).rename(
                columns=ROSTER_HEADERS
            ),
            hide_index=True,
            width="stretch",
            placeholder="–",
            column_config={"Recorded (UTC)": st.column_config.DatetimeColumn(format=WHEN)},
        )
        _people(db, team_id, current.team, today)
    managers = dict(zip(everyone.email, everyone.display_name, strict=True))
    _roster_form(db, admin, team_id, current, list(departments.name), managers, today)


def _people(db: Store, team_id: int, team: str, today: date) -> None:
    """The team's people today (from the last people file), for the pulse."""
    with db.reading() as cursor:
        people = queries.people_of(cursor, team_id, today)
    if not len(people):
        st.caption(
            f"No people listed for {plain(team)}: import a people file on the Upload page "
            "to run Catalyst's own pulse (its headcount then comes from its people)."
        )
        return
    st.markdown(f"**{plain(team)}: {len(people)} people today**")
    people["email"] = people.email.fillna("none: answers with a kiosk code")
    st.dataframe(
        people.rename(columns={"name": "Name", "email": "Email", "language": "Language",
                               "since": "In the team since"}),
        hide_index=True,
        width="stretch",
        placeholder="organization's",
    )  # fmt: skip


def _roster_form(
    db: Store,
    admin: User,
    team_id: int,
    current,
    department_list: list[str],
    managers: dict[str, str],
    today: date,
) -> None:
    """One team's facts from a date: department, manager, headcount (or a new team)."""
    with st.form(f"admin_roster_{team_id}"):
        team = st.text_input(
            "Team", value="" if current is None else current.team, disabled=current is not None
        )
        department = st.selectbox(
            "Department",
            department_list,
            accept_new_options=True,
            index=None if current is None else department_list.index(current.department),
            help="Type a new name to create a department",
        )
        emails = list(managers)
        known = current is not None and current.manager_email in emails
        manager = st.selectbox(
            "Manager (email)",
            emails,
            accept_new_options=True,
            index=emails.index(current.manager_email) if known else None,
            format_func=lambda e: f"{managers[e]} · {e}" if e in managers else e,
            help="Type a new email to add a manager (invite them afterwards under People)",
        )
        manager_name = st.text_input("New manager's name", help="Only for a new email")
        headcount = st.number_input(
            "Headcount",
            min_value=0,
            step=1,
            value=None if current is None else int(current.headcount),
        )
        since = st.date_input(
            "From",
            value=today,
            format="YYYY-MM-DD",
            help="The first week these facts apply to is the week of this "
            "date's Monday or the next one",
        )
        if st.form_submit_button("Save", type="primary"):
            fields = {
                "team": current.team if current is not None else team,
                "department": department or "",
                "manager_email": manager or "",
                "manager_name": managers.get(manager or "", manager_name),
                "headcount": "" if headcount is None else str(int(headcount)),
                "effective_from": since.isoformat() if since else "",
            }
            _save_roster(db, admin, fields, today)


def _save_roster(db: Store, admin: User, fields: dict[str, str], today: date) -> None:
    try:
        plan = ingest.plan_edit(db, fields, today=today)
    except ingest.ImportRefused as refused:
        for problem in refused.problems:  # each message names its field
            st.error(problem.message, icon=":material/error:")
        return
    report = ingest.apply_roster(db, plan, now=utc_now(), user_id=admin.user_id, actor="admin page")
    done(" ".join(report.notes))
