"""The team pulse's form: no sign-in, no navigation, no other page. Opened by a personal
link (/pulse?t=…) or a kiosk code typed here; every word from the message catalog in the
person's language (or the organization's). ``render`` is the page: app.py serves it
at /pulse and, for the rest of that session, at / (where Streamlit moves the address)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import pulse, pulse_text, queries, ui
from dashboard.clock import utc_now
from dashboard.settings import OrgSettings

DONE_KEY, CODE_KEY, TOKEN_KEY = "pulse_done", "pulse_code", "pulse_token"
LANGUAGE_KEY = "pulse_language"


def render() -> None:
    db = ui.store()
    with db.reading() as cursor:
        org = queries.org_settings(cursor)
    # A code just typed, else the token this session opened, else the link's.
    typed = st.session_state.pop(CODE_KEY, None)
    token = typed or st.session_state.get(TOKEN_KEY) or st.query_params.get("t") or ""
    now, client = utc_now(), ui.client()
    wait = pulse.wait_before_trying(db, client, now) if token else None
    place = pulse.invited(db, token, now=now) if token and not wait else None
    if place is not None:
        st.session_state[TOKEN_KEY] = token
    elif token and not wait and not st.session_state.get(DONE_KEY):
        pulse.record_wrong(db, client, now)  # said once; the next run starts afresh
        st.session_state.pop(TOKEN_KEY, None)
        st.query_params.pop("t", None)
    language = pulse_text.language_of(
        place.language if place else st.session_state.get(LANGUAGE_KEY), org.language
    )
    _ = pulse_text.translator(language)
    left, middle, right = st.columns([1, 6, 1])
    with middle:
        st.title(_("Your team's pulse"))
        if done := st.session_state.get(DONE_KEY):
            _thanks(_, org, done, language)
        elif wait:
            minutes = max(1, round(wait.total_seconds() / 60))
            st.error(_("Too many wrong codes from here: try again in {minutes} min.",
                       minutes=minutes))  # fmt: skip
        elif place is None:
            _code_entry(_, bool(token))
        else:
            _form(_, org, token, place, language)


def _thanks(_, org: OrgSettings, last_day: date, language: str) -> None:
    st.success(_("Thank you!"), icon=":material/favorite:")
    shown = pulse_text.day(last_day, language)
    st.write(
        _(
            "Your answers are in. Your team's results appear once this round has closed and "
            "at least {count} people have answered, in the week after {date}.",
            count=org.min_group_size,
            date=shown,
        )
    )


def _code_entry(_, refused: bool) -> None:
    """For people without a link: the code from their team's printed sheet."""
    if refused:
        st.error(_(pulse.GONE))
    with st.form("kiosk_code"):
        code = st.text_input(_("Enter the code from your team's sheet"), max_chars=24)
        if st.form_submit_button(_("Open the form"), type="primary"):
            st.session_state[CODE_KEY] = code.strip()
            st.rerun()


def _form(_, org: OrgSettings, token: str, place: pulse.Invited, language: str) -> None:
    st.caption(_("{team} · about a minute", team=place.team))
    st.markdown(f"**{_('How much do you agree, thinking about this week?')}**")
    st.caption(_("1 = strongly disagree, 5 = strongly agree"))
    scale = " · ".join(f"{n}: {_(words)}" for n, words in enumerate(pulse_text.SCALE, start=1))
    with st.form("pulse_answers"):
        answers = {
            key: st.radio(
                _(statement), [1, 2, 3, 4, 5], index=None, horizontal=True, help=scale,
                key=f"pulse_{key}",
            )
            for key, statement in pulse_text.statements()
        }  # fmt: skip
        comment = st.text_area(
            _("Anything else you want to say? (optional)"), max_chars=1000, height=90
        )
        small_win = st.text_input(
            _("One small win this week (optional)"),
            max_chars=280,
            placeholder=_("Something that moved forward, however small"),
            help=_("Shared with your team's progress log, without your name."),
        )
        st.caption(
            _(
                "Your comment and small win are shown to your manager only when at least "
                "{count} people of your team answered, without your name or a date.",
                count=org.comment_min_responses,
            )
        )
        sent = st.form_submit_button(_("Send my answers"), type="primary", width="stretch")
    st.caption(
        _("Catalyst knows whether you answered, to remind you, but never which answers are yours.")
    )
    if not sent:
        return
    missing = sum(value is None for value in answers.values())
    if missing:
        st.error(_("Answer every statement to send: {missing} still open.", missing=missing))
        return
    try:
        pulse.submit(ui.store(), token, answers, comment, now=utc_now(), small_win=small_win)
    except pulse.PulseError:
        st.error(_(pulse.GONE))
        return
    st.session_state[DONE_KEY] = pulse.last_day(place.closes_at, org.time_zone)
    st.session_state[LANGUAGE_KEY] = language
    st.rerun()
