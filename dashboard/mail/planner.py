"""What Catalyst writes on its own, and when: check-in reminders and the weekly digests.
``plan`` runs every minute in the app's scheduler; it queues what is due and only that,
each message under a ``once_key`` so planning again never queues it twice.

The rules, in the organization's time zone:

* **Working time only**: Monday to Friday, 8:00 to 18:00. Nothing is planned at weekends
  or at night; what falls due then waits for the next working hour.
* **Check-in reminders** follow what the app shows (checkins.due_week): from Monday to
  Wednesday, last week's check-in if it is still missing; from Thursday, this week's. At
  most one per manager per calendar week, to managers who can sign in, have reminders
  on and are not paused (four reminders in a row left unanswered, outbox.paused_managers;
  their next check-in resumes them).
* **A manager's digest** when a round of their team's results is shown for the first time
  (published in the last week, not withdrawn): one per team and round.
* **HR's digest**: once a calendar week, in the first working hour the app runs (Monday
  morning when it runs then), to HR people with digests on.

The sender keeps to working time too: a reminder or digest that falls due outside it (a
retry, a restart) waits for the next working hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dashboard import accounts, checkins, pulse, queries, rounds
from dashboard.mail import outbox, preferences
from dashboard.mail.hours import local_time, working_time
from dashboard.store import Store

NEWS_FOR = timedelta(days=7)  # results published longer ago are not news any more
PAUSED_AFTER = 4  # reminders in a row left unanswered


@dataclass(frozen=True)
class Planned:
    reminders: int = 0
    manager_digests: int = 0
    hr_digests: int = 0
    pulse: int = 0  # pulse invitations and reminders

    def __bool__(self) -> bool:
        return bool(self.reminders or self.manager_digests or self.hr_digests or self.pulse)


def calendar_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def keep_time(db: Store, now: datetime) -> int | None:
    """What happens on time whether or not mail is set up: pulse rounds open and close,
    then due rounds are published. The open pulse round's id, if any."""
    pulse_id = pulse.keep_time(db, now)
    queries.publish_due(db, now)
    return pulse_id


def plan(db: Store, now: datetime) -> Planned:
    """Open and close pulse rounds, publish what fell due (no page needs to be open for
    that; a round closes before it can be published), then queue the reminders and
    digests due at ``now``."""
    pulse_id = keep_time(db, now)
    with db.reading() as cursor:
        org = queries.org_settings(cursor)
        local = local_time(now, org.time_zone)
    pulse_mail = _pulse_mail(db, org, pulse_id, now) if pulse_id is not None else []
    if not working_time(local):
        with db.transaction() as cursor:
            queued = outbox.enqueue_new(
                cursor, [m for m in pulse_mail if m[0] != "pulse_reminder"], now=now
            )
        return Planned(pulse=queued.get("pulse_invitation", 0))
    with db.reading() as cursor:
        today = local.date()
        week = checkins.due_week(today)
        missing = checkins.missing_in_week(cursor, week)
        managers = accounts.mail_recipients(cursor, "manager")
        hr = accounts.mail_recipients(cursor, "hr")
        no_reminders = preferences.turned_off(cursor, "reminders") | set(
            outbox.paused_managers(cursor, PAUSED_AFTER).user_id
        )
        no_digests = preferences.turned_off(cursor, "digests")
        news = queries.new_team_results(cursor, now - NEWS_FOR)
    this_week = calendar_week(today)
    reminded = managers[
        managers.user_id.isin(set(missing.manager_id)) & ~managers.user_id.isin(no_reminders)
    ]
    late = week < rounds.week_of(today)
    planned = [
        ("checkin_reminder", person.user_id, person.email,
         {"week": week.isoformat(), "late": late}, f"reminder:{person.user_id}:{this_week}")
        for person in reminded.itertuples()
    ]  # fmt: skip
    emails = dict(zip(managers.user_id, managers.email, strict=True))
    for result in news[news.manager_id.isin(set(emails) - no_digests)].itertuples():
        manager_id = int(result.manager_id)
        payload = {"team_id": int(result.team_id), "cadence": result.cadence,
                   "last_week": result.last_week.date().isoformat()}  # fmt: skip
        key = f"digest:{manager_id}:{result.team_id}:{result.round_id}"
        planned.append(("manager_digest", manager_id, emails[manager_id], payload, key))
    planned += [
        ("hr_digest", person.user_id, person.email, {}, f"hr_digest:{person.user_id}:{this_week}")
        for person in hr[~hr.user_id.isin(no_digests)].itertuples()
    ]
    with db.transaction() as cursor:
        queued = outbox.enqueue_new(cursor, planned + pulse_mail, now=now)
    return Planned(
        reminders=queued.get("checkin_reminder", 0),
        manager_digests=queued.get("manager_digest", 0),
        hr_digests=queued.get("hr_digest", 0),
        pulse=queued.get("pulse_invitation", 0) + queued.get("pulse_reminder", 0),
    )


def _pulse_mail(db: Store, org, pulse_id: int, now: datetime) -> list:
    """The open round's invitations (at once), and its reminders to who has not answered
    once a reminder time has passed (the latest passed only; working time is the sender's
    to keep)."""
    invited = pulse.people_invited(db, pulse_id)
    planned = [
        ("pulse_invitation", None, email, {"pulse_id": pulse_id, "person_id": person_id},
         f"pulse:{pulse_id}:{person_id}")
        for person_id, email in invited
    ]  # fmt: skip
    when = pulse.schedule(org, local_time(now, org.time_zone).date())
    passed = [i for i, at in enumerate(when.reminders) if at <= now]
    if passed:
        waiting = set(pulse.not_answered(db, pulse_id))
        planned += [
            ("pulse_reminder", None, email, {"pulse_id": pulse_id, "person_id": person_id},
             f"pulse_reminder:{pulse_id}:{person_id}:{passed[-1]}")
            for person_id, email in invited
            if person_id in waiting
        ]  # fmt: skip
    return planned
