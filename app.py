"""Catalyst's entry script: page config, who is signed in, and the pages they may use.

Signed out, every known address shows the sign-in page (or first-run setup),
which then returns the visitor to the address they asked for. Signed in,
only the pages of the user's roles are registered; other pages' addresses
show a short "not available" note instead of the page.
"""

import logging
import os
import time
from urllib.parse import urlencode, urlsplit

import streamlit as st

from dashboard import accounts, navigation, ui, views
from dashboard.markdown import plain

started = time.perf_counter()
st.set_page_config(
    page_title="Catalyst",
    page_icon=":material/trending_up:",
    layout="wide",
    # One item of our own keeps the ⋮ menu, and its theme choice, in "minimal" toolbar mode.
    menu_items={"About": "Catalyst: what managers give their teams to make progress."},
)
ui.style()

db = ui.store()
if st.session_state.get("pulse_session") or urlsplit(st.context.url or "").path.endswith("/pulse"):
    # The team pulse's form, for anyone with a link or a code: nothing else is reachable,
    # for the whole session (the address bar shows / once the form is the default page).
    st.session_state["pulse_session"] = True
    pages = [st.Page(views.pulse_form.render, title="Team pulse", default=True),
             st.Page("pages/pulse.py", title="Team pulse", url_path="pulse")]  # fmt: skip
    st.navigation(pages, position="hidden").run()
    st.stop()
if st.query_params.get("mail"):  # a preference link from a message: no sign-in needed
    page = st.Page("pages/mail_preferences.py", title="E-mail from Catalyst", default=True)
    st.navigation([page], position="hidden").run()
    st.stop()
user = ui.current_user()

if user is None:
    with db.reading() as cursor:
        entry = "pages/sign_in.py" if accounts.has_accounts(cursor) else "pages/first_run.py"
    if st.query_params.get("invite"):  # an invitation link: choose a password
        entry = "pages/invitation.py"
    pages = [st.Page(entry, title="Sign in", icon=":material/login:", default=True)]
    pages += [
        st.Page(entry, title=s.title, url_path=s.url_path, visibility="hidden")
        for s in navigation.SCREENS
        if not s.default
    ]
    selected = st.navigation(pages, position="hidden")
    # Back to the page asked for after signing in, with its filters or section.
    asked = {k: v for k, v in st.query_params.to_dict().items() if k != "signin"}
    st.session_state[ui.NEXT_PATH_KEY] = f"/{selected.url_path}" + (
        f"?{urlencode(asked)}" if asked else ""
    )
    if ui.sign_in_with_sso_identity():  # back from the single sign-on provider
        st.stop()
else:
    # One flat list, in the order of navigation.SCREENS: Streamlit's sectioned sidebar
    # puts its section headers inside the <ul> between the <li>s, which screen readers
    # (and axe: list, listitem) take for a broken list.
    pages = [
        st.Page(
            screen.file,
            title=screen.title,
            icon=screen.icon,
            url_path=screen.url_path or None,
            default=screen.default,
        )
        for screen in navigation.screens_for(user.roles)
    ]
    hidden = [
        st.Page(
            lambda screen=screen: ui.not_available(screen, user),
            title=screen.title,
            url_path=screen.url_path,
            visibility="hidden",
        )
        for screen in navigation.SCREENS
        if not navigation.allowed(screen, user.roles)
    ]
    selected = st.navigation(pages + hidden)
    with st.sidebar:
        st.caption(f"Signed in as **{plain(user.display_name)}** · {ui.role_names(user)}")
        signing_out = st.button("Sign out", icon=":material/logout:")
    ui.close_sidebar_after_navigation_on_phones()
    if signing_out:
        ui.sign_out()
        st.stop()

try:
    selected.run()
finally:
    # Slow reruns go to the server log; CATALYST_LOG_RERUNS=1 logs every one (make load).
    took = (time.perf_counter() - started) * 1000
    if took > 1000 or os.environ.get("CATALYST_LOG_RERUNS"):
        logging.getLogger("catalyst").warning("rerun %s %.0f ms", selected.url_path or "home", took)
