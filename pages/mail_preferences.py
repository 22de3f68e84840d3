"""What Catalyst e-mails me: opened from the link at the foot of a reminder or digest,
signed for one person, no sign-in needed. Each switch is saved as it is clicked."""

import streamlit as st

from dashboard import ui
from dashboard.clock import utc_now
from dashboard.mail import preferences
from dashboard.markdown import plain

HELP = {
    "reminders": "At most one a week, on a working day, while your check-in is still open.",
    "digests": "Managers: when new results of your team can be shown. HR: the week in short.",
}
db = ui.store()
person = preferences.person_of(db, st.query_params.get("mail") or "")

left, middle, right = st.columns([1, 2, 1])
with middle:
    st.title("E-mail from Catalyst")
    if person is None:
        st.error(
            "This link is not valid (it may have been cut short by your mail program). "
            "Open it again from the message, or sign in and ask your admin.",
            icon=":material/link_off:",
        )
        st.link_button("Go to sign in", "/")
        st.stop()
    user, wanted = person
    st.write(f"For **{plain(user.display_name)}** ({plain(user.email)}).")

    def save() -> None:
        choice = preferences.Preferences(
            reminders=st.session_state["mail_reminders"], digests=st.session_state["mail_digests"]
        )
        if preferences.save(db, user.user_id, choice, now=utc_now()):
            st.toast("Saved.", icon=":material/check_circle:")

    for topic, label in preferences.TOPICS.items():
        st.toggle(
            label,
            value=getattr(wanted, topic),
            key=f"mail_{topic}",
            on_change=save,
            help=HELP[topic],
        )
    st.caption(
        "Invitations and password resets always come: they are how you get in. Each switch "
        "is saved when you click it."
    )
