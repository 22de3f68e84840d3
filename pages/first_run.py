"""First run: create the first admin, proven by the setup code on the server's console."""

import sys

import streamlit as st

from dashboard import accounts, ui
from dashboard.accounts import AccountError
from dashboard.clock import utc_now

db = ui.store()
with db.reading() as cursor:
    code_exists = accounts.has_setup_code(cursor)
if not code_exists:
    # Started some other way than `catalyst run`: issue the code now.
    code = accounts.new_setup_code(db, now=utc_now())
    print(f"Catalyst first-run setup code: {code}", file=sys.stderr, flush=True)

left, middle, right = st.columns([1, 2, 1])
with middle:
    st.title("Welcome to Catalyst")
    st.write(
        "This database has no accounts yet. Create the first admin account; you can add "
        "HR users and managers afterwards."
    )
    with st.form("first_admin"):
        name = st.text_input("Your name")
        email = st.text_input("Email", autocomplete="username")
        password = st.text_input(
            "Password",
            type="password",
            autocomplete="new-password",
            help=f"At least {accounts.MIN_PASSWORD_LENGTH} characters.",
        )
        repeat = st.text_input("Repeat password", type="password", autocomplete="new-password")
        code = st.text_input(
            "Setup code",
            help="Printed on the console where Catalyst was started, like ABCD-EFGH-JKLM.",
        )
        submitted = st.form_submit_button("Create admin account", type="primary")
    if submitted:
        if password != repeat:
            st.error("The two passwords differ. Type the same password twice.")
            st.stop()
        try:
            result = accounts.create_first_admin(
                db,
                code=code,
                email=email,
                name=name,
                password=password,
                client=ui.client(),
                now=utc_now(),
            )
        except AccountError as problem:
            st.error(str(problem), icon=":material/error:")
            st.stop()
        if result.token:
            ui.complete_sign_in(result.token)
            st.stop()
        message = "That setup code is not right. Copy it from the server's console."
        if result.wait:
            message += " " + accounts.wait_message(result.wait)
        st.error(message, icon=":material/error:")
    st.caption("The setup code was printed on the console where Catalyst was started.")
