"""The Admin page's sections: people (accounts, roles, invitations), the roster, the
organization's settings, the audit log and backups. Each change is one call into
accounts / ingest / store, which write it in one transaction with its audit line.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from zoneinfo import available_timezones

import pandas as pd
import streamlit as st

from dashboard import accounts, exports, ingest, organization, queries, rounds, settings, ui
from dashboard.accounts import AccountError, User
from dashboard.clock import utc_now
from dashboard.markdown import plain
from dashboard.store import Store

LINKS_KEY = "admin_new_links"  # invitation links made this run, shown once
SHOWN_LINKS = 10  # more than this go out through the CSV (a mail merge)
ROLE_CHOICES = list(accounts.ROLES)


def _done(message: str) -> None:
    """Report a change (plain text, names in it) on the next run, after st.rerun redraws
    the tables."""
    st.session_state["admin_done"] = plain(message)
    st.rerun()


def show_done() -> None:
    if message := st.session_state.pop("admin_done", None):
        st.success(message, icon=":material/check_circle:")


# ---- people --------------------------------------------------------------------------------


def _status(row) -> str:
    if not row.active:
        return "deactivated"
    return "active" if row.has_password else "no password yet"


def people(db: Store, admin: User) -> None:
    _new_links()
    with db.reading() as cursor:
        users = accounts.users_table(cursor)
        departments = queries.departments(cursor)
    table = pd.DataFrame(
        {
            "name": users.display_name,
            "email": users.email,
            "roles": users.roles.fillna(""),
            "HR limited to": users.hr_departments.fillna(""),
            "leads": users.teams.fillna(""),
            "status": [_status(r) for r in users.itertuples()],
            "last sign-in": users.last_sign_in,
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"last sign-in": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm")},
    )
    waiting = users[users.active & ~users.has_password]
    if len(waiting):
        who = "1 person has" if len(waiting) == 1 else f"{len(waiting)} people have"
        st.caption(
            f"{who} no password yet (new managers from the roster, or new users): send "
            "them an invitation."
        )
        label = "Invite them" if len(waiting) == 1 else f"Invite all {len(waiting)} of them"
        if st.button(label, icon=":material/forward_to_inbox:"):
            _invite(db, admin, list(waiting.user_id.astype(int)), users)

    left, right = st.columns(2)
    with left, st.form("admin_add_user", clear_on_submit=True):
        st.markdown("**Add a person**")
        email = st.text_input("Email")
        name = st.text_input("Name", placeholder="From the email when empty")
        roles = st.multiselect(
            "Roles", ROLE_CHOICES, default=["manager"], format_func=accounts.ROLE_LABELS.get
        )
        if st.form_submit_button("Add and invite", type="primary"):
            try:
                user_id = accounts.add_user(
                    db, email, set(roles), display_name=name, now=utc_now(), by=admin.user_id
                )
            except AccountError as problem:
                st.error(str(problem), icon=":material/error:")
            else:
                _invite(db, admin, [user_id], None)
    with right:
        _change_person(db, admin, users, departments)


def _change_person(db: Store, admin: User, users: pd.DataFrame, departments) -> None:
    st.markdown("**Change a person**")
    names = dict(
        zip(users.user_id.astype(int), users.display_name + " · " + users.email, strict=True)
    )
    user_id = st.selectbox(
        "Person",
        list(names),
        format_func=names.get,
        index=None,
        placeholder="Choose a person",
        key="admin_person",
    )
    if user_id is None:
        return
    with db.reading() as cursor:
        person = accounts.user_by_id(cursor, user_id)
        limited = accounts.hr_departments(cursor, user_id) or frozenset()
    department_names = dict(zip(departments.department_id, departments.name, strict=True))
    with st.form(f"admin_person_{user_id}"):
        roles = st.multiselect(
            "Roles",
            ROLE_CHOICES,
            default=sorted(person.roles),
            format_func=accounts.ROLE_LABELS.get,
        )
        chosen = st.multiselect(
            "HR sees only these departments",
            list(department_names),
            default=sorted(limited),
            format_func=department_names.get,
            placeholder="All departments",
            help="For the HR role; empty means every department",
        )
        active = st.toggle("Active (can sign in)", value=person.active)
        if st.form_submit_button("Save changes", type="primary"):
            try:
                _save_person(db, admin, person, set(roles), set(chosen), limited, active)
            except AccountError as problem:
                st.error(str(problem), icon=":material/error:")
    if person.active and st.button("New invitation / password reset", key=f"invite_{user_id}"):
        _invite(db, admin, [user_id], users)


def _save_person(db, admin, person, roles, departments, limited, active) -> None:
    now, changed = utc_now(), []
    if roles != set(person.roles):
        accounts.set_roles(db, person.user_id, roles, now=now, by=admin.user_id)
        changed.append("roles")
    if departments != set(limited):
        accounts.set_hr_departments(db, person.user_id, departments, now=now, by=admin.user_id)
        changed.append("departments")
    if active != person.active:
        accounts.set_active(db, person.user_id, active, now=now, by=admin.user_id)
        changed.append("reactivated" if active else "deactivated: signed out everywhere")
    _done(f"{person.display_name}: " + (", ".join(changed) if changed else "nothing changed") + ".")


def _invite(db: Store, admin: User, user_ids: list[int], users: pd.DataFrame | None) -> None:
    try:
        codes = accounts.invite(db, user_ids, now=utc_now(), by=admin.user_id)
    except AccountError as problem:
        st.error(str(problem), icon=":material/error:")
        return
    with db.reading() as cursor:
        invited = [accounts.user_by_id(cursor, user_id) for user_id in codes]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(st.context.url or "http://localhost"))
    st.session_state[LINKS_KEY] = pd.DataFrame(
        {
            "name": [p.display_name for p in invited],
            "email": [p.email for p in invited],
            "link": [f"{origin}/?{urlencode({'invite': codes[p.user_id]})}" for p in invited],
        }
    )
    st.rerun()


def _new_links() -> None:
    """Invitation links just made: shown once, downloadable for a mail merge."""
    links = st.session_state.get(LINKS_KEY)
    if links is None:
        return
    with st.container(border=True):
        st.markdown(
            f"**{len(links)} invitation link{'s' if len(links) != 1 else ''}** — "
            f"each works once, for {accounts.INVITATION_LIFETIME.days} days. Copy or "
            "download them now: they are not shown again."
        )
        if len(links) <= SHOWN_LINKS:  # one copy button per link
            for row in links.itertuples():
                st.caption(plain(f"{row.name} · {row.email}"))
                st.code(row.link, language=None)
        else:  # a mail merge: the file is the way
            st.dataframe(links[["name", "email"]], hide_index=True, width="stretch")
        left, right = st.columns([1, 3])
        left.download_button(
            "Download (CSV)",
            data=exports.csv_bytes(links),
            file_name="catalyst-invitations.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
        )
        if right.button("Done: I have sent them"):
            del st.session_state[LINKS_KEY]
            st.rerun()


# ---- roster --------------------------------------------------------------------------------


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
        st.dataframe(teams.drop(columns="team_id"), hide_index=True, width="stretch")
        return
    current = teams[teams.team_id == team_id].iloc[0] if team_id else None
    if current is not None:
        with db.reading() as cursor:
            history = queries.roster_history(cursor, team_id)
        st.markdown(f"**{plain(current.team)}: its history**")
        st.dataframe(history, hide_index=True, width="stretch")
    managers = dict(zip(everyone.email, everyone.display_name, strict=True))
    with st.form(f"admin_roster_{team_id}"):
        team = st.text_input(
            "Team", value="" if current is None else current.team, disabled=current is not None
        )
        department_list = list(departments.name)
        department = st.selectbox(
            "Department",
            department_list,
            accept_new_options=True,
            index=None if current is None else department_list.index(current.department),
            help="Type a new name to create a department",
        )
        emails = list(managers)
        manager = st.selectbox(
            "Manager (email)",
            emails,
            accept_new_options=True,
            index=emails.index(current.manager_email)
            if current is not None and current.manager_email in emails
            else None,
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
    _done(" ".join(report.notes))


# ---- settings ------------------------------------------------------------------------------

LABELS = {
    "organization_name": "Organization name",
    "min_group_size": "Minimum group size",
    "comment_min_responses": "Responses a team needs before its comments show",
    "cadence": "Survey cadence",
    "time_zone": "Time zone",
    "date_order": "Dates like 11/12/2026 are",
    "manager_notes_visible_to_hr": "HR sees managers' check-in notes",
    "sso_only": "Single sign-on only (hide password sign-in)",
    "max_upload_mb": "Largest upload (MB)",
    "max_rows": "Most rows in a file",
    "max_columns": "Most columns in a file",
    "max_cell_kb": "Longest cell in a file (KB)",
    "max_unpacked_mb": "Largest workbook once unpacked (MB)",
}
# What an uploaded file may hold once read: the limits a hostile file meets first.
FILE_LIMITS = ("max_rows", "max_columns", "max_cell_kb", "max_unpacked_mb")


def organization_settings(db: Store, admin: User) -> None:
    with db.reading() as cursor:
        org = queries.org_settings(cursor)
    zones = sorted(available_timezones())
    with st.form("admin_settings"):
        values = {
            "organization_name": st.text_input(LABELS["organization_name"], org.organization_name),
            "min_group_size": st.number_input(
                LABELS["min_group_size"],
                min_value=settings.MIN_GROUP_SIZE_FLOOR,
                step=1,
                value=org.min_group_size,
                help="Groups with fewer responses are never shown or exported, alone or by "
                "difference. At least 3.",
            ),
            "comment_min_responses": st.number_input(
                LABELS["comment_min_responses"],
                min_value=org.min_group_size,
                step=1,
                value=max(org.comment_min_responses, org.min_group_size),
            ),
            "cadence": st.selectbox(
                LABELS["cadence"], rounds.CADENCES, index=rounds.CADENCES.index(org.cadence)
            ),
            "time_zone": st.selectbox(LABELS["time_zone"], zones, index=zones.index(org.time_zone)),
            "date_order": st.radio(
                LABELS["date_order"],
                settings.DATE_ORDERS,
                horizontal=True,
                index=settings.DATE_ORDERS.index(org.date_order),
                format_func={"month_first": "month first (US)", "day_first": "day first"}.get,
            ),
            "manager_notes_visible_to_hr": st.toggle(
                LABELS["manager_notes_visible_to_hr"], org.manager_notes_visible_to_hr
            ),
            "sso_only": st.toggle(
                LABELS["sso_only"],
                org.sso_only,
                help="Takes effect once single sign-on is configured; admins keep the "
                "command-line path (`catalyst user invite`).",
            ),
            "max_upload_mb": st.number_input(
                LABELS["max_upload_mb"], min_value=1, step=1, value=org.max_upload_mb
            ),
        }
        with st.expander("What an uploaded file may hold"):
            st.caption(
                "Files over these are refused before they are read in full; the "
                "message names the setting."
            )
            for key in FILE_LIMITS:
                values[key] = st.number_input(
                    LABELS[key], min_value=1, step=1, value=getattr(org, key)
                )
        if st.form_submit_button("Save settings", type="primary"):
            save_settings(db, admin, values)


def save_settings(db: Store, admin: User, values: dict) -> None:
    """Every value checked, then the changed ones stored together, or nothing."""
    try:
        changed = organization.change_settings(db, values, now=utc_now(), by=admin.user_id)
    except organization.SettingsRefused as refusal:
        for key, problem in refusal.problems.items():
            st.error(f"{LABELS[key]}: {problem}", icon=":material/error:")
        return
    if not changed:
        st.info("Nothing changed.")
        return
    _done("Saved: " + ", ".join(LABELS[k] for k in changed) + ".")


# ---- audit log and backup ------------------------------------------------------------------


def audit(db: Store, admin: User, today: date) -> None:
    with db.reading() as cursor:
        actions = queries.audit_actions(cursor)
    left, middle, right = st.columns([2, 1, 1])
    span = left.date_input(
        "Days",
        value=(today - timedelta(days=30), today),
        max_value=today,
        format="YYYY-MM-DD",
        key="audit_days",
    )
    action = middle.selectbox("Kind", ["all", *actions], key="audit_kind")
    who = right.text_input("Who contains", key="audit_who")
    first, last = (span[0], span[-1]) if span else (today, today)
    with db.reading() as cursor:
        lines = queries.audit_log(
            cursor,
            first=first,
            last=last,
            action=None if action == "all" else action,
            who=who or None,
        )
    st.caption(
        f"{len(lines):,} entries, newest first"
        + (" (the 5,000 newest; narrow the filters)" if len(lines) == 5000 else "")
        + "."
    )
    st.dataframe(
        lines,
        hide_index=True,
        width="stretch",
        column_config={
            "when": st.column_config.DatetimeColumn("when (UTC)", format="YYYY-MM-DD HH:mm:ss")
        },
    )
    filters = {"from": first, "to": last, "kind": action, "who": who}
    ui.download(
        admin,
        "Download (CSV)",
        f"catalyst-audit-{first}-{last}.csv",
        lambda: exports.csv_bytes(lines),
        filters,
        key="audit_csv",
    )


def backup(db: Store, admin: User, today: date) -> None:
    st.write(
        "A consistent copy of the whole database, made while Catalyst keeps running. To "
        "restore: stop Catalyst, keep the current file aside, put the copy in its place (or "
        "start with `catalyst run --db COPY`)."
    )

    def copy() -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            return db.backup(Path(folder) / "catalyst.duckdb").read_bytes()

    ui.download(
        admin, "Download a backup", f"catalyst-backup-{today}.duckdb", copy, {}, key="admin_backup"
    )
