"""Admin → Settings: every organization setting on one form, checked and saved together
(organization.change_settings), the limits of uploaded files in their own section."""

from __future__ import annotations

from zoneinfo import available_timezones

import streamlit as st

from dashboard import organization, queries, rounds, settings
from dashboard.accounts import User
from dashboard.clock import utc_now
from dashboard.store import Store
from dashboard.views.admin import done

LABELS = {
    "organization_name": "Organization name",
    "min_group_size": "Minimum group size",
    "comment_min_responses": "People a team needs before its comments show",
    "cadence": "Survey cadence",
    "survey_frequency": "People are asked",
    "grace_days": "Days a closed round waits for late exports",
    "time_zone": "Time zone",
    "date_order": "Dates like 11/12/2026 are",
    "manager_notes_visible_to_hr": "HR sees managers' check-in notes",
    "sso_only": "Single sign-on only (hide password sign-in)",
    "max_upload_mb": "Largest upload (MB)",
    "max_rows": "Most rows in a file",
    "max_columns": "Most columns in a file",
    "max_cell_kb": "Longest cell in a file (KB)",
    "max_unpacked_mb": "Largest workbook once unpacked (MB)",
    "language": "Language of the team pulse (for people without their own)",
    "pulse": "Run Catalyst's own team pulse",
    "pulse_weekday": "A round opens on",
    "pulse_hour": "At (hour, the organization's time zone)",
    "pulse_reminder_day": "First reminder on the round's day (0: none)",
}


# What an uploaded file may hold once read: the limits a hostile file meets first.
FILE_LIMITS = ("max_rows", "max_columns", "max_cell_kb", "max_unpacked_mb")


def publication(db: Store, admin: User) -> None:
    """Live or still being set up, and the button that goes live (DESIGN §3)."""
    state = queries.publication_state(db)
    if state.live_since is not None:
        when = (
            f"; the next round is published on {state.next_due:%-d %b %Y}" if state.next_due else ""
        )
        st.success(
            f"Live since {state.live_since:%-d %b %Y}: rounds are published once they have "
            f"closed and {state.grace_days} days have passed{when}. Published results never "
            "change; undoing an import withdraws the published results it was part of.",
            icon=":material/public:",
        )
    else:
        st.info(
            "Being set up: nothing is shown to anyone yet, and imports, undo, the roster and "
            "every setting can still be corrected freely. Going live publishes every closed "
            "round; from then on published results never change.",
            icon=":material/construction:",
        )
        sure = st.checkbox("Past exports and the roster are in, and they are right")
        if st.button("Go live", type="primary", disabled=not sure):
            cells = queries.go_live(db, now=utc_now(), by=admin.user_id)
            done(f"Live: every closed round is published ({cells:,} results of teams and pools).")
    for line in queries.answers_beyond_people(db):
        st.warning(line, icon=":material/group:")


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
                help="Groups of fewer people are never shown or exported, alone or by "
                "difference. At least 3. A change reaches rounds not yet published; published "
                "rounds keep the size they were published with.",
            ),
            "comment_min_responses": st.number_input(
                LABELS["comment_min_responses"],
                min_value=settings.COMMENT_FLOOR,
                step=1,
                value=max(org.comment_min_responses, settings.COMMENT_FLOOR),
                help="At least 10: fewer people could be recognised by how they write.",
            ),
            "cadence": st.selectbox(
                LABELS["cadence"],
                rounds.CADENCES,
                index=rounds.CADENCES.index(org.cadence),
                help="Once rounds are published, a new cadence starts at its first boundary "
                "after the last published round.",
            ),
            "survey_frequency": st.selectbox(
                LABELS["survey_frequency"],
                rounds.CADENCES,
                index=rounds.CADENCES.index(org.survey_frequency),
                help="How often one person answers. Where that is more often than the cadence, "
                "a round counts its people by its fullest survey period, not by its responses.",
            ),
            "grace_days": st.number_input(
                LABELS["grace_days"],
                min_value=0,
                max_value=60,
                step=1,
                value=org.grace_days,
                help="A round is published this many days after it closed and after the first "
                "export for it came in; later answers wait until they form a group of their own.",
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
        with st.expander("Team pulse"):
            st.caption(
                "Catalyst asks each team's people itself, anonymously (people come from a "
                "people file on the Upload page). Each round opens on this day and hour, "
                "sends everyone a one-time link by e-mail, reminds those who have not "
                "answered on the day below and on the round's last weekday, and closes "
                "when the round ends."
            )
            values["pulse"] = st.toggle(LABELS["pulse"], org.pulse)
            values["pulse_weekday"] = st.selectbox(
                LABELS["pulse_weekday"],
                settings.WEEKDAYS,
                index=settings.WEEKDAYS.index(org.pulse_weekday),
                format_func=str.capitalize,
            )
            values["pulse_hour"] = st.number_input(
                LABELS["pulse_hour"], min_value=0, max_value=23, step=1, value=org.pulse_hour
            )
            values["pulse_reminder_day"] = st.number_input(
                LABELS["pulse_reminder_day"],
                min_value=0,
                max_value=5,
                step=1,
                value=org.pulse_reminder_day,
            )
            values["language"] = st.selectbox(
                LABELS["language"],
                list(settings.LANGUAGES),
                index=list(settings.LANGUAGES).index(org.language),
                format_func=settings.LANGUAGES.get,
            )
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
    done("Saved: " + ", ".join(LABELS[k] for k in changed) + ".")
