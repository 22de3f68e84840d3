"""Choose a password from an invitation link: a first sign-in, or a reset."""

import streamlit as st

from dashboard import accounts, ui
from dashboard.clock import utc_now

db = ui.store()
code = st.query_params.get("invite") or ""
invited = accounts.invited_user(db, code, now=utc_now()) if code else None

left, middle, right = st.columns([1, 2, 1])
with middle:
    st.title("Welcome to Catalyst")
    if invited is None:
        st.error(
            "This invitation link has expired or was already used. Ask your admin for a new "
            "one, or sign in if you have set your password.",
            icon=":material/link_off:",
        )
        st.link_button("Go to sign in", "/")
        st.stop()
    st.write(
        f"Hello {invited.display_name}. Choose a password for **{invited.email}**: at least "
        f"{accounts.MIN_PASSWORD_LENGTH} characters, not a common one. A few unrelated words "
        "make a strong password that is easy to remember."
    )
    with st.form("invitation"):
        password = st.text_input("New password", type="password", autocomplete="new-password")
        again = st.text_input("Repeat it", type="password", autocomplete="new-password")
        submitted = st.form_submit_button("Set password and sign in", type="primary")
    if submitted:
        if password != again:
            st.error("The two passwords differ. Type the same one twice.", icon=":material/error:")
            st.stop()
        try:
            token = accounts.accept_invitation(db, code, password, now=utc_now())
        except accounts.AccountError as problem:
            st.error(str(problem), icon=":material/error:")
            st.stop()
        st.session_state[ui.NEXT_PATH_KEY] = "/"
        ui.complete_sign_in(token)
