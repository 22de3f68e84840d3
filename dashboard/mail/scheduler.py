"""The scheduler: a thread in the app's process (a DuckDB file has one owner: the
server), started by ``catalyst run``. It needs no page open. Without mail set up it
only keeps time (pulse rounds open and close, rounds are published); with mail it also
plans and sends messages.

Why a small loop and not a scheduling library: everything that must happen is already
in the database with its time (the outbox's ``due_at``; the planner's rules are checked
against the clock), so a library's job store would keep a second copy of the same
times, and a restart would have to reconcile the two. The loop wakes every few seconds,
sends what is due, and once a minute asks the planner what has fallen due. A restart
loses nothing: each batch starts by queueing again what was left half-sent.
"""

from __future__ import annotations

import logging
import threading
import time

from dashboard import store
from dashboard.clock import utc_now
from dashboard.mail import planner
from dashboard.mail.delivery import Delivery
from dashboard.mail.sender import Sender

log = logging.getLogger("catalyst.mail")

SEND_EVERY = 5.0  # seconds between looks at the outbox
PLAN_EVERY = 60.0  # seconds between plannings


class Scheduler(threading.Thread):
    def __init__(self, location: str, delivery: Delivery | None) -> None:
        super().__init__(name="catalyst-mail", daemon=True)
        self.location = location
        self.delivery = delivery
        self.stopping = threading.Event()

    def run(self) -> None:
        global _running
        _running = self.delivery is not None
        sender, planned_at = None, None
        while not self.stopping.is_set():
            try:
                db = store.shared(self.location)
                # Every server runs a scheduler; one at a time plans and sends (on a
                # file, the one process): no message is taken twice, and what one
                # server left `sending` when it stopped is queued again by the next.
                with db.exclusive("scheduler") as ours:
                    if ours:
                        sender, planned_at = self._round(db, sender, planned_at)
            except Exception:  # the loop must outlive any one fault; the next round retries
                log.exception("mail: the scheduler's round failed")
            self.stopping.wait(SEND_EVERY)

    def _round(self, db, sender: Sender | None, planned_at: float | None):
        if planned_at is None or time.monotonic() - planned_at >= PLAN_EVERY:
            planned_at = time.monotonic()
            if self.delivery is None:
                planner.keep_time(db, utc_now())
            elif planned := planner.plan(db, utc_now()):
                log.info("mail: planned %s", planned)
        if self.delivery is not None:
            sender = sender or Sender(db, self.delivery)
            report = sender.send_due()
            if report.sent or report.retrying or report.failed:
                log.info("mail: %s", report)
        return sender, planned_at

    def stop(self) -> None:
        self.stopping.set()


_running = False


def running() -> bool:
    """Whether this process sends mail (Admin warns when messages wait and nothing does)."""
    return _running


def start(location: str, delivery: Delivery | None) -> Scheduler:
    scheduler = Scheduler(location, delivery)
    scheduler.start()
    return scheduler
