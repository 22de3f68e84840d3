"""The Admin page's sections: people (accounts, roles, invitations), the roster, the
organization's settings, the audit log and backups. Each change is one call into
accounts / ingest / store, which write it in one transaction with its audit line.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pandas as pd
import streamlit as st

from dashboard import accounts, exports, queries, ui
from dashboard.accounts import AccountError, User
from dashboard.clock import utc_now
from dashboard.mail import delivery
from dashboard.mail import invitations as mail_invitations
from dashboard.mail.addresses import MailError
from dashboard.markdown import plain
from dashboard.store import Store, postgres

LINKS_KEY = "admin_new_links"  # invitation links made this run, shown once
SHOWN_LINKS = 10  # more than this go out through the CSV (a mail merge)
ROLE_CHOICES = list(accounts.ROLES)


def done(message: str) -> None:
    """Report a change (plain text, names in it) on the next run, after st.rerun redraws
    the tables."""
    st.session_state["admin_done"] = plain(message)
    st.rerun()


def show_done() -> None:
    if message := st.session_state.pop("admin_done", None):
        st.success(message, icon=":material/check_circle:")


# ---- people --------------------------------------------------------------------------------


def _status(row, live: dict) -> str:
    if not row.active:
        return "deactivated"
    if row.has_password:
        return "active"
    if row.user_id in live:
        return f"invited, link works until {live[row.user_id]:%-d %b %Y}"
    return "no password yet"


def _when(moment) -> str:
    return "never" if pd.isna(moment) else f"{moment:%-d %b %Y, %H:%M}"


def people(db: Store, admin: User, today: date) -> None:
    _new_links()
    with db.reading() as cursor:
        users = accounts.users_table(cursor)
        departments = queries.departments(cursor)
        live = accounts.live_invitations(cursor, utc_now())
        teams = queries.roster_now(cursor, today)
    table = pd.DataFrame(
        {
            "Name": users.display_name,
            "Email": users.email,
            "Roles": users.roles.fillna("–"),
            "HR limited to": users.hr_departments.fillna("–"),
            "Leads": users.teams.fillna("–"),
            "Status": [_status(r, live) for r in users.itertuples()],
            "Last sign-in (UTC)": users.last_sign_in.map(_when),
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    _invite_waiting(db, admin, users, live)
    left, right = st.columns(2)
    with left:
        _add_person(db, admin, teams, today)
    with right:
        _change_person(db, admin, users, departments, live)


def _invite_waiting(db: Store, admin: User, users: pd.DataFrame, live: dict) -> None:
    """Invite those without a password, except whoever holds a link that still works."""
    without = users[users.active & ~users.has_password]
    waiting = without[~without.user_id.isin(list(live))]
    pending = len(without) - len(waiting)
    held = (
        f" {pending} more {'has' if pending == 1 else 'have'} an invitation that still works "
        "(see Status)."
        if pending
        else ""
    )
    if not len(waiting):
        if held:
            st.caption(held.strip())
        return
    who = "1 person has" if len(waiting) == 1 else f"{len(waiting)} people have"
    st.caption(
        f"{who} no password yet (new managers from the roster, or new users): send "
        "them an invitation." + held
    )
    label = "Invite them" if len(waiting) == 1 else f"Invite all {len(waiting)} of them"
    if st.button(label, icon=":material/forward_to_inbox:"):
        _invite(db, admin, list(waiting.user_id.astype(int)), users)


def _add_person(db: Store, admin: User, teams: pd.DataFrame, today: date) -> None:
    team_names = dict(
        zip(
            teams.team_id.astype(int),
            teams.team + " · " + teams.department + " (now: " + teams.manager.fillna("–") + ")",
            strict=True,
        )
    )
    with st.form("admin_add_user", clear_on_submit=True):
        st.markdown("**Add a person**")
        email = st.text_input("Email")
        name = st.text_input("Name", placeholder="From the email when empty")
        roles = st.multiselect(
            "Roles", ROLE_CHOICES, default=["manager"], format_func=accounts.ROLE_LABELS.get
        )
        team_id = st.selectbox(
            "Manager of",
            list(team_names),
            index=None,
            format_func=team_names.get,
            placeholder="No team yet",
            key="admin_add_team",
            help=f"For the manager role: they lead this team from today ({today:%-d %b %Y}); "
            "its earlier weeks keep the manager they had.",
        )
        if st.form_submit_button("Add and invite", type="primary"):
            now, by_mail = utc_now(), delivery.is_set_up()

            def invite_by_mail(cursor, user_id: int) -> None:  # with the account, or neither
                mail_invitations.queue(cursor, user_id, now=now, by=admin.user_id)

            try:
                user_id = accounts.add_user(
                    db,
                    email,
                    set(roles),
                    display_name=name,
                    now=now,
                    by=admin.user_id,
                    team_id=team_id,
                    since=today,
                    then=invite_by_mail if by_mail else None,
                )
            except (AccountError, MailError) as problem:
                st.error(str(problem), icon=":material/error:")
                return
            message = added(db, user_id, teams, team_id, today)
            if by_mail:
                done(f"{message} {_on_its_way([email.strip().lower()])}")
            _invite(db, admin, [user_id], None, message, by_mail=False)


def added(db: Store, user_id: int, teams: pd.DataFrame, team_id: int | None, today: date) -> str:
    """What was just added, in words: who, with which roles, leading which team."""
    with db.reading() as cursor:
        person = accounts.user_by_id(cursor, user_id)
    roles = " and ".join(accounts.ROLE_LABELS[r] for r in ROLE_CHOICES if r in person.roles)
    message = f"Added {person.display_name} ({person.email}) as {roles}"
    if team_id is not None:
        team = teams[teams.team_id == team_id].iloc[0]
        before = f" (until then {team.manager})" if isinstance(team.manager, str) else ""
        message += f"; they manage {team.team} from {today:%-d %b %Y}{before}"
    return message + "."


def _change_person(db: Store, admin: User, users: pd.DataFrame, departments, live: dict) -> None:
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
    if person.active:
        _reinvite(db, admin, person, users, live.get(user_id))


def _reinvite(db: Store, admin: User, person: User, users: pd.DataFrame, live) -> None:
    """A new link (also a password reset); while one still works, only on purpose: the
    new link replaces it."""
    if live is not None:
        st.caption(
            f"{plain(person.display_name)} has an invitation link that works until "
            f"{live:%-d %b %Y, %H:%M} UTC."
        )
        if not st.checkbox(
            "Make a new link (the one sent stops working)", key=f"replace_{person.user_id}"
        ):
            return
    if delivery.is_set_up():
        left, right = st.columns(2)
        if left.button(
            "E-mail a new invitation / password reset",
            key=f"mail_invite_{person.user_id}",
            icon=":material/forward_to_inbox:",
        ):
            _invite(db, admin, [person.user_id], users)
        # Break glass: mail is down, or the person cannot receive it.
        if right.button("Make a link to copy instead", key=f"invite_{person.user_id}"):
            _invite(db, admin, [person.user_id], users, by_mail=False)
        return
    label = "New invitation link" if live is not None else "New invitation / password reset"
    if st.button(label, key=f"invite_{person.user_id}"):
        _invite(db, admin, [person.user_id], users)


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
    done(f"{person.display_name}: " + (", ".join(changed) if changed else "nothing changed") + ".")


def _invite(
    db: Store,
    admin: User,
    user_ids: list[int],
    users: pd.DataFrame | None,
    message: str | None = None,
    *,
    by_mail: bool | None = None,
) -> None:
    """Invite by e-mail when mail is set up (``by_mail`` None), else, or on purpose, as
    links shown once to copy."""
    if by_mail is None:
        by_mail = delivery.is_set_up()
    if by_mail:
        try:
            emails = mail_invitations.invite_by_mail(db, user_ids, now=utc_now(), by=admin.user_id)
        except (AccountError, MailError) as problem:
            st.error(str(problem), icon=":material/error:")
            return
        done(_on_its_way(emails))
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
            "Name": [p.display_name for p in invited],
            "Email": [p.email for p in invited],
            "Link": [f"{origin}/?{urlencode({'invite': codes[p.user_id]})}" for p in invited],
        }
    )
    if message:
        done(message + " Send them the invitation link below.")
    st.rerun()


def _on_its_way(emails: list[str]) -> str:
    who = ", ".join(emails[:3]) + (f" and {len(emails) - 3} more" if len(emails) > 3 else "")
    return f"Invitation e-mail to {who} on its way (Admin → Mail shows when it has gone out)."


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
                st.caption(plain(f"{row.Name} · {row.Email}"))
                st.code(row.Link, language=None)
        else:  # a mail merge: the file is the way
            st.dataframe(links[["Name", "Email"]], hide_index=True, width="stretch")
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


# ---- settings ------------------------------------------------------------------------------


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
    lines = lines.rename(columns=queries.AUDIT_HEADERS)
    st.dataframe(
        lines,
        hide_index=True,
        width="stretch",
        placeholder="–",
        column_config={"When (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")},
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
    if db.server:
        st.info(postgres.BACKUP_ADVICE, icon=":material/backup:")
        return
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
