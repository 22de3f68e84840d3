"""Admin → Pulse: the current round (how many answered, only for teams of at least k
invited), links for other channels and printable kiosk codes. Both files are made on a
click, shown once and audited: their links are as good as a person's answer."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import exports, kiosk, organization, pulse, queries
from dashboard.accounts import User
from dashboard.clock import utc_now
from dashboard.mail import delivery
from dashboard.markdown import plain
from dashboard.store import Store
from dashboard.views.admin import done

LINKS_KEY, SHEET_KEY = "pulse_links", "pulse_sheet"


def section(db: Store, admin: User) -> None:
    with db.reading() as cursor:
        org = queries.org_settings(cursor)
        teams = queries.roster_now(cursor, utc_now().date())
    _plan(db, admin, org, teams)
    current = pulse.current_round(db)
    if current is None:
        st.info(
            "No pulse round yet. Import the people of each team (Upload → People), then "
            "switch the pulse on under Settings → Team pulse: the next round opens on its "
            "day and hour and everyone gets a link by e-mail."
            if not org.pulse
            else "The pulse is on; its first round opens on its day and hour.",
            icon=":material/how_to_vote:",
        )
        return
    last_day = pulse.last_day(current["closes_at"], org.time_zone)
    counts = pulse.participation(db, current["pulse_id"])
    state = (
        f"open until {last_day:%-d %b %Y}" if current["closed_at"] is None
        else "closed" if counts else "skipped"
    )  # fmt: skip
    st.markdown(f"**Round of {current['round_start']:%-d %b %Y}** · {state}")
    _participation(db, current["pulse_id"], teams, org.min_group_size)
    if current["closed_at"] is None:
        _links(db, admin, current["pulse_id"])
        _kiosk(db, admin, current["pulse_id"], teams, org, last_day)


def _plan(db: Store, admin: User, org, teams: pd.DataFrame) -> None:
    """Teams left out of the pulse, and skipping the next round (holidays)."""
    names = dict(zip(teams.team_id.astype(int), teams.team, strict=True))
    left_out = [int(t) for t in org.pulse_excluded_teams.split(",") if t]
    chosen = st.multiselect(
        "Teams left out of the pulse",
        list(names),
        default=[t for t in left_out if t in names],
        format_func=names.get,
        placeholder="None: every team with people is asked",
        help="For teams surveyed another way; their people get no links or codes.",
        key="pulse_left_out",
    )
    left, right = st.columns(2)
    if left.button("Save the teams left out", disabled=sorted(chosen) == sorted(left_out)):
        organization.change_settings(
            db, {"pulse_excluded_teams": ",".join(map(str, chosen))}, now=utc_now(),
            by=admin.user_id,
        )  # fmt: skip
        done(f"Saved: {len(chosen)} team{'s' if len(chosen) != 1 else ''} left out.")
    if right.button("Skip the next round", help="For holidays: it never opens."):
        skipped = pulse.skip_next_round(db, now=utc_now(), by=admin.user_id)
        done(
            f"The round of {skipped:%-d %b %Y} is skipped." if skipped
            else "The next rounds are skipped already."
        )  # fmt: skip


def _participation(db: Store, pulse_id: int, teams: pd.DataFrame, k: int) -> None:
    counts = pulse.participation(db, pulse_id)
    names = dict(zip(teams.team_id, teams.team, strict=True))
    table = pd.DataFrame(
        {
            "Team": [names.get(team_id, "–") for team_id in counts],
            "Answered": [
                f"{c[0]} of {c[1]}" if c else f"fewer than {k} invited: not counted"
                for c in counts.values()
            ],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(
        f"Counts show only for teams with at least {k} people invited, and never who answered."
    )


def _links(db: Store, admin: User, pulse_id: int) -> None:
    st.markdown("**Links for other channels (Slack, Teams)**")
    st.caption(
        "A new link for everyone who has not answered yet, in a CSV. Each replaces the "
        "link sent by e-mail, so send these instead."
    )
    if st.button("Make the links", key="pulse_make_links"):
        base = delivery.public_url()
        rows = pulse.links_for_other_channels(db, pulse_id, base, by=admin.user_id, now=utc_now())
        st.session_state[LINKS_KEY] = pd.DataFrame(rows, columns=["Name", "Email", "Team", "Link"])
    if (links := st.session_state.get(LINKS_KEY)) is not None:
        st.download_button(
            f"Download {len(links)} links (CSV)",
            data=exports.csv_bytes(links),
            file_name="catalyst-pulse-links.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
        )


def _kiosk(db: Store, admin: User, pulse_id: int, teams, org, last_day) -> None:
    st.markdown("**Kiosk codes for people without e-mail**")
    st.caption(
        "One code per person listed without e-mail, on a sheet to print for the team's "
        "notice board. A new sheet ends the unused codes of the last."
    )
    names = dict(zip(teams.team_id.astype(int), teams.team, strict=True))
    team_id = st.selectbox(
        "Team", list(names), format_func=names.get, index=None, key="pulse_kiosk_team",
        placeholder="Choose a team",
    )  # fmt: skip
    if st.button("Make a sheet of codes", disabled=team_id is None, key="pulse_make_codes"):
        try:
            codes = pulse.kiosk_codes(db, pulse_id, team_id, now=utc_now(), by=admin.user_id)
        except pulse.PulseError as problem:
            st.session_state.pop(SHEET_KEY, None)
            st.warning(str(problem), icon=":material/info:")
        else:
            page = kiosk.sheet(org.organization_name, names[team_id], codes,
                               delivery.public_url(), last_day, org.language)  # fmt: skip
            st.session_state[SHEET_KEY] = (names[team_id], len(codes), page)
    if (sheet := st.session_state.get(SHEET_KEY)) is not None:
        team, count, page = sheet
        st.download_button(
            f"Download {count} codes for {plain(team)} (HTML, print it)",
            data=page.encode(),
            file_name="catalyst-pulse-codes.html",
            mime="text/html",
            icon=":material/print:",
            on_click="ignore",
        )
