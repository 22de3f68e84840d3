"""Sign in with email and password. The same answer for every kind of failure."""

import streamlit as st

from dashboard import accounts, demo, queries, settings, ui
from dashboard.clock import utc_now
from dashboard.mail import delivery
from dashboard.mail import invitations as mail_invitations

db = ui.store()
with db.reading() as cursor:
    org = queries.org_settings(cursor)
    is_demo = queries.is_demo(cursor)
providers = settings.sso_providers()
# SSO-only takes effect once a provider is configured, so nobody is locked out by it.
passwords = not (org.sso_only and providers)

left, middle, right = st.columns([1, 2, 1])
with middle:
    st.title("Sign in to Catalyst")
    st.caption(org.organization_name)
    if ui.has_session_cookie() or st.query_params.get("signin") == "expired":
        st.info("Your session has ended. Sign in again to continue.", icon=":material/schedule:")
    for name, label in providers.items():
        if st.button(f"Sign in with {label}", type="primary", width="stretch", key=f"sso_{name}"):
            st.login(None if name == "default" else name)
    if providers and passwords:
        st.caption("Or with your Catalyst password:")
    if not passwords:
        st.caption("Your organization signs in with single sign-on only.")
        st.stop()
    with st.form("sign_in", enter_to_submit=True):
        email = st.text_input("Email", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button(
            "Sign in", type="primary" if not providers else "secondary"
        )
    if submitted:
        result = accounts.sign_in(db, email, password, client=ui.client(), now=utc_now())
        if result.token:
            ui.complete_sign_in(result.token)
            st.stop()
        st.error(result.message, icon=":material/error:")
    if delivery.is_set_up():
        with st.expander("Forgot your password?"):
            with st.form("reset", enter_to_submit=True):
                address = st.text_input("Your email", autocomplete="email")
                asked = st.form_submit_button("E-mail me a link")
            if asked:
                try:
                    accounts.check_email(address)
                except accounts.AccountError as problem:
                    st.error(str(problem), icon=":material/error:")
                else:
                    mail_invitations.request_reset(db, address, now=utc_now())
                    # The same answer whether or not the address has an account.
                    st.success(
                        "If Catalyst has an account with that address, a link to choose a "
                        f"new password is on its way. It works once, for "
                        f"{accounts.INVITATION_LIFETIME.days} days.",
                        icon=":material/forward_to_inbox:",
                    )

    if is_demo:
        st.info(
            "**This is the demo organization.** Sign in with any of these accounts, "
            f"password `{demo.DEMO_PASSWORD}`:\n\n"
            f"- `{demo.ADMIN_EMAIL}` — admin\n"
            f"- `{demo.HR_EMAIL}` — HR\n"
            f"- `{demo.MANAGER_EMAIL}` — manager of a team with a check-in to make\n"
            "- every demo manager as `firstname.lastname@example.com`",
            icon=":material/science:",
        )
