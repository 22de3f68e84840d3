"""Works through the outbox: each due message is taken (``sending``, committed), written,
handed to the server, and marked ``sent`` with an audit line. Exactly once, except for
the crash between the server's 250 OK and the mark (outbox.py says how that is handled).

Invitation and reset codes are made here, when the message goes out, in the same
transaction that marks it taken; a message that then fails drops its code again.
A server that cannot be used makes every message of the batch wait with its reason, longer
after each batch that failed, without using up their attempts; nothing else waits for the
mail server. A refusal of one message (4xx: later; 5xx: failed at once) counts an attempt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage

from dashboard import accounts, queries, store
from dashboard.clock import utc_now
from dashboard.mail import compose, messages, outbox
from dashboard.mail.addresses import check_address
from dashboard.mail.delivery import Connection, Delivery, MessageRefused, ServerProblem
from dashboard.mail.hours import local_time, next_working_start, working_time
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
    """One sender per database (the app's scheduler, or ``catalyst mail send``)."""

    def __init__(self, db: Store, delivery: Delivery) -> None:
        self.db = db
        self.delivery = delivery
        self.outage = 0  # batches in a row the server could not be used: how long to wait

    def recover(self, now: datetime | None = None) -> list[int]:
        """Queue again what was left ``sending`` (a restart, or an error while marking: one
        sender at a time, the scheduler's lock, so nothing else can be in flight) — the one
        case that may repeat a message; each is logged."""
        with self.db.reading() as cursor:  # every batch asks: a read, not the write lock
            if not outbox.counts(cursor)["sending"]:
                return []
        with self.db.transaction() as cursor:
            left = outbox.interrupted(cursor, now or utc_now())
        for message in left:
            log.warning(
                "mail: message %s (%s to %s) was being sent when sending stopped; it is "
                "sent again, and may arrive twice if the server had already accepted it",
                message.message_id,
                message.kind,
                message.recipient,
            )
        return [message.message_id for message in left]

    def send_due(self, now: datetime | None = None, limit: int = 100) -> Report:
        """Send the messages due now (at most ``limit``), over one connection. Reminders
        and digests due outside working time wait for it."""
        now = now or utc_now()
        self.recover(now)
        with self.db.reading() as cursor:
            due = outbox.due(cursor, now, limit)
            time_zone = queries.org_settings(cursor).time_zone
        report = Report()
        if not working_time(local_time(now, time_zone)):
            later = [m for m, kind in due if kind in outbox.WORKING_TIME_ONLY]
            if later:
                with self.db.transaction() as cursor:
                    outbox.postpone(cursor, later, next_working_start(now, time_zone))
            due = [(m, kind) for m, kind in due if m not in set(later)]
        if not due:
            return report
        waiting = [m for m, _ in due]
        try:
            with Connection(self.delivery) as connection:
                self.outage = 0
                for message_id, _ in due:
                    waiting.remove(message_id)
                    try:
                        self._one(message_id, connection, now, report)
                    except ServerProblem:
                        waiting.insert(0, message_id)
                        raise
                    except Exception:  # left `sending`: the next batch queues it again
                        log.exception("mail: message %s could not be marked", message_id)
        except ServerProblem as trouble:
            self._wait(waiting, str(trouble), now, report)
        return report

    def _one(self, message_id: int, connection: Connection, now: datetime, report: Report):
        code = None
        with self.db.transaction() as cursor:
            message = outbox.take(cursor, message_id)
            if message is None:
                return
            if message.kind in CODE_KINDS and message.user_id is not None:
                code = accounts.new_code(
                    cursor,
                    message.user_id,
                    now=now,
                    by=message.payload.get("by"),
                    replace=not message.payload.get("asked"),
                )
        try:
            email = self._write(message, now, code)
        except compose.Nothing as reason:
            with self.db.transaction() as cursor:
                outbox.cancel(cursor, message.message_id, str(reason))
                if code:
                    accounts.drop_code(cursor, code)
            report.cancelled.append(message.message_id)
            return
        except Exception as trouble:  # a fault of ours: trying again would not mend it
            log.exception("mail: could not write message %s", message.message_id)
            reason = f"could not write the message: {trouble}"
            self._failed(message, reason, True, code, now, report)
            return
        try:
            connection.send(email, f"{message.message_id:06d}-{message.kind}")
        except MessageRefused as refusal:
            self._failed(message, str(refusal), refusal.permanent, code, now, report)
            return
        except ServerProblem:
            with self.db.transaction() as cursor:
                outbox.release(cursor, message.message_id)
                if code:
                    accounts.drop_code(cursor, code)
            raise
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
        log.info("mail: sent message %s (%s to %s)", message.message_id, message.kind, email["To"])
        report.sent.append(message.message_id)

    def _write(self, message: Message, now: datetime, code: str | None) -> EmailMessage:
        with self.db.reading() as cursor:
            organization = queries.org_settings(cursor).organization_name
        name, address = compose.recipient(self.db, message)
        return messages.envelope(
            self.delivery,
            compose.letter(self.db, self.delivery, message, name, now=now, code=code),
            organization,
            (name, address),
            reference=f"{message.message_id}.{message.created_at:%Y%m%d%H%M%S}",
            preference_links=compose.preference_links(self.db, self.delivery, message),
            sent=now.replace(tzinfo=UTC),
        )

    def _wait(self, message_ids: list[int], reason: str, now: datetime, report: Report) -> None:
        """The server cannot be used: every message waits, its attempts untouched (an
        outage is nobody's message's fault), longer after each batch that failed."""
        self.outage += 1
        log.warning("mail: %s", reason)
        with self.db.transaction() as cursor:
            outbox.postpone(cursor, message_ids, now + outbox.backoff(self.outage), reason)
        report.retrying.extend(message_ids)

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
