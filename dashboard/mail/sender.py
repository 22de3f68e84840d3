"""Works through the outbox: each due message is taken (``sending``, committed), written,
handed to the server, and marked ``sent`` with an audit line. Exactly once, except for
the crash between the server's 250 OK and the mark (outbox.py says how that is handled).

Invitation and reset codes are made here, when the message goes out, in the same
transaction that marks it taken; a message that then fails drops its code again.
A server that cannot be used fails every message of the batch with its reason (they
wait and are tried again later); nothing else waits for the mail server.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dashboard import accounts, queries, store
from dashboard.clock import utc_now
from dashboard.mail import compose, messages, outbox
from dashboard.mail.addresses import check_address
from dashboard.mail.delivery import Connection, Delivery, MessageRefused, ServerProblem
from dashboard.mail.outbox import Message
from dashboard.store import Store

log = logging.getLogger("catalyst.mail")

CODE_KINDS = ("invitation", "password_reset")  # their links are as good as a password


@dataclass
class Report:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [f"{len(self.sent)} sent"]
        for name in ("retrying", "failed", "cancelled"):
            if getattr(self, name):
                parts.append(f"{len(getattr(self, name))} {name}")
        return ", ".join(parts)


class Sender:
    def __init__(self, db: Store, delivery: Delivery) -> None:
        self.db = db
        self.delivery = delivery

    def recover(self, now: datetime | None = None) -> list[int]:
        """Queue again what a stopped sender left ``sending`` (the one case that may
        repeat a message); each is logged."""
        with self.db.transaction() as cursor:
            left = outbox.interrupted(cursor, now or utc_now())
        for message in left:
            log.warning(
                "mail: message %s (%s to %s) was being sent when Catalyst stopped; it is "
                "sent again, and may arrive twice if the server had already accepted it",
                message.message_id,
                message.kind,
                message.recipient,
            )
        return [message.message_id for message in left]

    def send_due(self, now: datetime | None = None, limit: int = 100) -> Report:
        """Send the messages due now (at most ``limit``), over one connection."""
        now = now or utc_now()
        with self.db.reading() as cursor:
            due = outbox.due(cursor, now, limit)
        report = Report()
        if not due:
            return report
        with ExitStack() as stack:
            connection, problem = None, None
            for message_id in due:
                if connection is None and problem is None:
                    try:
                        connection = stack.enter_context(Connection(self.delivery))
                    except ServerProblem as trouble:
                        problem = str(trouble)
                        log.warning("mail: %s", problem)
                problem = self._one(message_id, connection, problem, now, report) or problem
        return report

    def _one(
        self,
        message_id: int,
        connection: Connection | None,
        problem: str | None,
        now: datetime,
        report: Report,
    ) -> str | None:
        """Send one message; the server's problem when the server cannot be used (the rest
        of the batch then waits with the same reason)."""
        code = None
        with self.db.transaction() as cursor:
            message = outbox.take(cursor, message_id)
            if message is None:
                return
            if problem is None and message.kind in CODE_KINDS and message.user_id is not None:
                by = message.payload.get("by")
                code = accounts.new_code(cursor, message.user_id, now=now, by=by)
        if problem is not None:
            self._failed(message, problem, False, code, now, report)
            return
        try:
            with self.db.reading() as cursor:
                organization = queries.org_settings(cursor).organization_name
            name, address = compose.recipient(self.db, message)
            letter = compose.letter(self.db, self.delivery, message, name, now=now, code=code)
            email = messages.envelope(
                self.delivery,
                letter,
                organization,
                (name, address),
                reference=f"{message.message_id}.{message.created_at:%Y%m%d%H%M%S}",
                preference_links=compose.preference_links(self.db, self.delivery, message),
                sent=now.replace(tzinfo=UTC),
            )
        except compose.Nothing as reason:
            with self.db.transaction() as cursor:
                outbox.cancel(cursor, message.message_id, str(reason))
                if code:
                    accounts.drop_code(cursor, code)
            report.cancelled.append(message.message_id)
            return
        except Exception as trouble:  # a fault of ours must not stop the other messages
            log.exception("mail: could not write message %s", message.message_id)
            self._failed(
                message, f"could not write the message: {trouble}", False, code, now, report
            )
            return
        try:
            connection.send(email, f"{message.message_id:06d}-{message.kind}")
        except MessageRefused as refusal:
            self._failed(message, str(refusal), refusal.permanent, code, now, report)
            return
        except ServerProblem as trouble:
            self._failed(message, str(trouble), False, code, now, report)
            return str(trouble)
        with self.db.transaction() as cursor:
            outbox.mark_sent(cursor, message.message_id, now)
            store.record_audit(
                cursor,
                "mail.sent",
                f"{outbox.KINDS[message.kind]} to {message.recipient} (message "
                f"{message.message_id})",
                at=now,
                actor="catalyst mail",
            )
        log.info("mail: sent message %s (%s to %s)", message.message_id, message.kind, address)
        report.sent.append(message.message_id)

    def _failed(
        self,
        message: Message,
        reason: str,
        permanent: bool,
        code: str | None,
        now: datetime,
        report: Report,
    ) -> None:
        with self.db.transaction() as cursor:
            stopped = outbox.mark_failed(cursor, message, reason, now=now, permanent=permanent)
            if code:
                accounts.drop_code(cursor, code)
            if stopped:
                store.record_audit(
                    cursor,
                    "mail.failed",
                    f"{outbox.KINDS[message.kind]} to {message.recipient} (message "
                    f"{message.message_id}): {reason}",
                    at=now,
                    actor="catalyst mail",
                )
        (report.failed if stopped else report.retrying).append(message.message_id)


def send_test(delivery: Delivery, address: str, organization: str = "Catalyst") -> None:
    """A test message straight to ``address`` (not through the outbox: whoever asks waits
    for the server's answer). MailError, ServerProblem or MessageRefused say why not."""
    check_address(address)
    email = messages.envelope(
        delivery,
        messages.test_message(organization),
        organization,
        (None, address),
        reference=f"test.{utc_now():%Y%m%d%H%M%S%f}",
        sent=utc_now().replace(tzinfo=UTC),
    )
    with Connection(delivery) as connection:
        connection.send(email, f"test-{utc_now():%Y%m%d-%H%M%S}")
