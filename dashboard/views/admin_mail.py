"""Admin → Mail: where mail goes (never the password), a test message, the outbox with
a retry for what failed, and the managers whose reminders are paused."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import queries, settings, store
from dashboard.accounts import User
from dashboard.clock import utc_now
from dashboard.mail import delivery, outbox, scheduler, sender
from dashboard.mail.addresses import MailError
from dashboard.markdown import plain
from dashboard.store import Store
from dashboard.views.admin import done

STATE_LABELS = {"queued": "Waiting", "sending": "Being sent", "sent": "Sent",
                "failed": "Failed", "cancelled": "Cancelled"}  # fmt: skip
SETUP = """[catalyst.smtp]
host = "smtp.example.com"
port = 587
security = "starttls"      # or "tls" (port 465)
user = "catalyst@example.com"
password = "…"
sender = "catalyst@example.com"
sender_name = "Catalyst"
reply_to = "hr@example.com"  # optional

[catalyst]
public_url = "https://catalyst.example.com"  # for links in messages"""


def mail(db: Store, admin: User) -> None:
    way = configured_or_explain()
    if way is not None:
        with db.reading() as cursor:
            waiting = outbox.counts(cursor)["queued"]
        if waiting and not scheduler.running():
            st.warning(
                f"{waiting} message{'s wait' if waiting != 1 else ' waits'}, but this Catalyst "
                "does not send mail: mail was set up after it started, or it was not started "
                "with `catalyst run`. Restart it with `catalyst run` to send them.",
                icon=":material/schedule_send:",
            )
        st.dataframe(
            pd.DataFrame(way.describe().items(), columns=["Setting", "Value"]),
            hide_index=True,
            width="stretch",
        )
        _test_message(db, admin, way)
    _outbox(db)
    _paused(db)


def configured_or_explain() -> delivery.Delivery | None:
    """The delivery, or None after saying how to set one up (or what is wrong with it)."""
    try:
        way = delivery.configured()
    except settings.SettingError as problem:
        st.error(f"Mail cannot be sent: {problem}", icon=":material/error:")
        return None
    if way is None:
        st.info(
            "Mail is not set up, so Catalyst sends nothing: invitation links are copied by "
            "hand (People). To send invitations, password resets, check-in reminders and "
            "digests, add this to the secrets file and restart Catalyst:",
            icon=":material/mail:",
        )
        st.code(SETUP, language="toml")
    return way


def _test_message(db: Store, admin: User, way: delivery.Delivery) -> None:
    with st.form("mail_test"):
        address = st.text_input("Send a test message to", value=admin.email)
        if st.form_submit_button("Send a test message", icon=":material/send:"):
            with db.reading() as cursor:
                organization = queries.org_settings(cursor).organization_name
            try:
                sender.send_test(way, address.strip(), organization)
            except (MailError, delivery.ServerProblem, delivery.MessageRefused) as problem:
                st.error(f"Not sent: {plain(str(problem))}", icon=":material/error:")
                outcome = f"to {address.strip()}: not sent: {problem}"
            else:
                st.success(f"Sent to {plain(address.strip())}.", icon=":material/check_circle:")
                outcome = f"to {address.strip()}: sent"
            with db.transaction() as cursor:
                store.record_audit(
                    cursor, "mail.test", outcome, at=utc_now(), user_id=admin.user_id
                )


def _outbox(db: Store) -> None:
    st.subheader("Outbox")
    with db.reading() as cursor:
        counts = outbox.counts(cursor)
    tiles = st.columns(len(STATE_LABELS))
    for tile, (state, label) in zip(tiles, STATE_LABELS.items(), strict=True):
        tile.metric(label, f"{counts[state]:,}")
    choices = ["all", *STATE_LABELS]
    state = st.segmented_control(
        "Show",
        choices,
        default="failed" if counts["failed"] else "all",
        format_func=lambda s: "All" if s == "all" else STATE_LABELS[s],
        key="outbox_state",
    )
    with db.reading() as cursor:
        messages = outbox.listing(cursor, None if state in (None, "all") else state)
    if not len(messages):
        st.caption("No messages here.")
        return
    table = pd.DataFrame(
        {
            "#": messages.message_id,
            "Kind": messages.kind.map(outbox.KINDS),
            "To": messages.recipient,
            "State": messages.state.map(STATE_LABELS),
            "Queued (UTC)": messages.created_at,
            "Due / sent (UTC)": messages.sent_at.fillna(messages.due_at),
            "Attempts": messages.attempts,
            "Why": messages.last_error.fillna(""),
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            column: st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
            for column in ("Queued (UTC)", "Due / sent (UTC)")
        },
    )
    st.caption(f"The newest {len(messages):,} messages.")
    failed = messages[messages.state == "failed"]
    if len(failed):
        chosen = st.multiselect(
            "Failed messages to send again",
            list(failed.message_id),
            default=list(failed.message_id),
            format_func=lambda m: f"#{m} to {failed.set_index('message_id').recipient[m]}",
        )
        if st.button("Retry", icon=":material/refresh:", disabled=not chosen):
            with db.transaction() as cursor:
                again = outbox.retry(cursor, [int(m) for m in chosen], utc_now())
            done(f"{again} message{'s' if again != 1 else ''} queued again.")


def _paused(db: Store) -> None:
    with db.reading() as cursor:
        paused = outbox.paused_managers(cursor)
    if len(paused):
        st.subheader("Reminders paused")
        st.caption(
            "These managers left four check-in reminders in a row unanswered, so Catalyst "
            "stopped reminding them. Their next check-in resumes the reminders."
        )
        st.dataframe(
            pd.DataFrame({"Manager": paused.manager, "Unanswered since the week of": paused.since}),
            hide_index=True,
        )
