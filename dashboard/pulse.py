"""Catalyst's own pulse: rounds, one-time links and kiosk codes, answers kept apart from
people. No Streamlit here.

Anonymity by design, and why each part is so:

* An invitation row says who may answer (a person, or a kiosk code linked to nobody) and
  whether it was used — never when, never which answer. Catalyst can remind those who
  did not answer; it cannot tell what anyone said.
* Using a token and storing the answer are two transactions, and the answer row holds a
  random id, the round and the team: no token, no person, no time.
* Answers wait in ``pulse_waiting`` and reach ``survey_responses`` in shuffled batches,
  when at least k are waiting (the minimum group size) and at the round's close. A batch
  is an import like a survey export, its responses dated the round's first week. So
  neither row order, transaction ids nor two backups minutes apart line an answer up
  with a person. What remains (README, "The pulse"): someone watching the running
  process or the web server's logs, and someone holding k−1 links who answers with
  known answers.
* Results then follow the publication rules like any survey data: nothing of an open
  round shows, and later changes come in groups of at least k.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from dashboard import accounts, clock, queries, rounds, store
from dashboard.catalysts import ITEM_KEYS
from dashboard.settings import WEEKDAYS, OrgSettings
from dashboard.store import Store

GONE = "This link or code has been used already, or its round has closed."


class PulseError(ValueError):
    """An answer that cannot be taken; the message is safe to show to anyone."""


@dataclass(frozen=True)
class Invited:
    """What a valid token opens: a round's form for a team."""

    pulse_id: int
    team_id: int
    team: str
    closes_at: datetime
    language: str | None  # the person's, when the token is a personal link


@dataclass(frozen=True)
class Schedule:
    """One round of the pulse, in naive UTC: when it opens, when people are reminded, when
    it closes (the end of the round's last Sunday in the organization's zone)."""

    round_start: date
    week: date  # its first week: every answer is dated by it
    opens_at: datetime
    reminders: tuple[datetime, ...]
    closes_at: datetime


def schedule(org: OrgSettings, today: date) -> Schedule:
    """The round that holds ``today`` (the organization's date), by its settings."""
    round_start = rounds.round_of(rounds.week_of(today), org.cadence)
    weeks = rounds.weeks_in(round_start, org.cadence)
    opening = weeks[0] + timedelta(days=WEEKDAYS.index(org.pulse_weekday))

    def at(day: date, hour: int) -> datetime:
        return clock.local_midnight_in_utc(day, org.time_zone) + timedelta(hours=hour)

    reminders = []
    if org.pulse_reminder_day:  # its n-th day, counted from the day it opens
        reminders.append(at(opening + timedelta(days=org.pulse_reminder_day - 1), 10))
    last_weekday = weeks[-1] + timedelta(days=4)  # the Friday of its last week
    reminders.append(at(last_weekday, 10))
    return Schedule(
        round_start,
        weeks[0],
        at(opening, org.pulse_hour),
        tuple(sorted({r for r in reminders if r > at(opening, org.pulse_hour)})),
        at(weeks[-1] + timedelta(weeks=1), 0),
    )


def last_day(closes_at: datetime, time_zone: str) -> date:
    """The round's last day where the organization is (it closes at the next midnight)."""
    return clock.local_date(closes_at - timedelta(seconds=1), time_zone)


def keep_time(db: Store, now: datetime) -> int | None:
    """Open the round that is due, close those that ended (their waiting answers go in);
    the open round's id, if any. Runs every minute in the app's scheduler."""
    with db.reading() as cursor:
        org = queries.org_settings(cursor)
        ended = cursor.execute(
            "SELECT pulse_id FROM pulse_rounds WHERE closed_at IS NULL AND closes_at <= ?", [now]
        ).fetchall()
    for (pulse_id,) in ended:
        close_round(db, pulse_id, now=now)
    if not org.pulse:
        return None
    due = schedule(org, clock.local_date(now, org.time_zone))
    with db.reading() as cursor:
        found = cursor.execute(
            "SELECT pulse_id, closed_at IS NULL FROM pulse_rounds WHERE round_start = ?",
            [due.round_start],
        ).fetchall()
    if found:
        return int(found[0][0]) if found[0][1] else None
    if now < due.opens_at:
        return None
    excluded = frozenset(int(t) for t in org.pulse_excluded_teams.split(",") if t)
    return open_round(
        db,
        round_start=due.round_start,
        week=due.week,
        closes_at=due.closes_at,
        now=now,
        excluded=excluded,
    )


def skip_next_round(db: Store, *, now: datetime, by: int | None = None) -> date | None:
    """Skip the next round whose opening is ahead (holidays): it is recorded as closed
    with nobody invited, so it never opens. The round skipped, or None when the next two
    are skipped already."""
    with db.reading() as cursor:
        org = queries.org_settings(cursor)
        taken = {r for (r,) in cursor.execute("SELECT round_start FROM pulse_rounds").fetchall()}
    day = clock.local_date(now, org.time_zone)
    for _ in range(3):
        due = schedule(org, day)
        if due.opens_at > now and due.round_start not in taken:
            with db.transaction() as cursor:
                cursor.execute(
                    "INSERT INTO pulse_rounds (round_start, week, closes_at, closed_at) "
                    "VALUES (?, ?, ?, ?)",
                    [due.round_start, due.week, due.closes_at, now],
                )
                store.record_audit(
                    cursor, "pulse.skip", f"round of {due.round_start}", at=now, user_id=by
                )
            return due.round_start
        day = rounds.weeks_in(due.round_start, org.cadence)[-1] + timedelta(weeks=1)
    return None


def open_round(
    db: Store,
    *,
    round_start: date,
    week: date,
    closes_at: datetime,
    now: datetime,
    excluded: frozenset[int] = frozenset(),
) -> int:
    """A new round: one invitation per person with e-mail in a team on ``week`` (teams
    ``excluded`` left out). Links are made when they are sent (``issue_link``); people
    without e-mail get kiosk codes (``kiosk_codes``)."""
    with db.transaction() as cursor:
        (pulse_id,) = cursor.execute(
            "INSERT INTO pulse_rounds (round_start, week, closes_at) VALUES (?, ?, ?) "
            "RETURNING pulse_id",
            [round_start, week, closes_at],
        ).fetchall()[0]
        cursor.execute(
            "INSERT INTO pulse_invitations (pulse_id, team_id, person_id) "
            "SELECT $1, m.team_id, m.person_id FROM membership_history m "
            "JOIN people p USING (person_id) WHERE m.team_id IS NOT NULL "
            "AND p.email IS NOT NULL AND m.valid_from <= $2 "
            "AND (m.valid_to IS NULL OR m.valid_to > $2) "
            "AND m.team_id NOT IN (SELECT unnest($3::INTEGER[]))",
            [pulse_id, week, sorted(excluded)],
        )
        store.record_audit(cursor, "pulse.open", f"round of {round_start}", at=now)
    return int(pulse_id)


def issue_link(db: Store, pulse_id: int, person_id: int) -> str:
    """A fresh one-time token for the person's link, replacing any earlier one; only its
    hash is stored. Refused once they have answered (nobody answers twice)."""
    token = secrets.token_urlsafe(24)
    with db.transaction() as cursor:
        rows = cursor.execute(
            "UPDATE pulse_invitations SET token_hash = ? WHERE pulse_id = ? AND person_id = ? "
            "AND NOT used RETURNING team_id",
            [accounts.digest(token), pulse_id, person_id],
        ).fetchall()
    if not rows:
        raise PulseError("This person has answered this round already, or is not invited.")
    return token


def kiosk_codes(
    db: Store, pulse_id: int, team_id: int, *, now: datetime, by: int | None = None
) -> list[str]:
    """A sheet of one-time codes for the team's people without e-mail, linked to nobody:
    one per such person, less the codes of an earlier sheet already used, so nobody has
    two ways to answer and the round takes no more answers than it has people. A new
    sheet ends the unused codes of the last. Codes are short enough to type (10
    characters of an alphabet without look-alikes)."""
    with db.transaction() as cursor:
        (week,) = cursor.execute(
            "SELECT week FROM pulse_rounds WHERE pulse_id = ?", [pulse_id]
        ).fetchone()
        (count,) = cursor.execute(
            "SELECT count(*) FROM membership_history m JOIN people p USING (person_id) "
            "WHERE p.email IS NULL AND m.team_id = $1 AND m.valid_from <= $2 "
            "AND (m.valid_to IS NULL OR m.valid_to > $2)",
            [team_id, week],
        ).fetchone()
        cursor.execute(
            "DELETE FROM pulse_invitations WHERE pulse_id = ? AND team_id = ? "
            "AND person_id IS NULL AND NOT used",
            [pulse_id, team_id],
        )
        (used,) = cursor.execute(
            "SELECT count(*) FROM pulse_invitations WHERE pulse_id = ? AND team_id = ? "
            "AND person_id IS NULL",
            [pulse_id, team_id],
        ).fetchone()
        codes = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
                 for _ in range(max(0, count - used))]  # fmt: skip
        if not codes:
            raise PulseError(
                "Nobody in this team needs a code: everyone without e-mail has answered "
                "with a code already." if count else
                "This team has nobody without e-mail. List such people in the people file "
                "with the email cell empty (Upload → People); everyone else gets a link."
            )  # fmt: skip
        hashes = pd.DataFrame({"token_hash": [accounts.digest(_typed(c)) for c in codes]})
        with store.registered(cursor, "kiosk_hashes", hashes):
            cursor.execute(
                "INSERT INTO pulse_invitations (pulse_id, team_id, person_id, token_hash) "
                "SELECT ?, ?, NULL, token_hash FROM kiosk_hashes",
                [pulse_id, team_id],
            )
        store.record_audit(
            cursor, "pulse.kiosk_codes", f"{len(codes)} codes for team {team_id}", at=now,
            user_id=by,
        )  # fmt: skip
    return codes


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _typed(code: str) -> str:
    """A kiosk code as typed: case and spaces or dashes do not matter."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def invited(db: Store, token: str, *, now: datetime) -> Invited | None:
    """What the token opens while it is unused and its round open; None otherwise (the
    same for a token that never existed)."""
    with db.reading() as cursor:
        rows = cursor.execute(
            "SELECT i.pulse_id, i.team_id, t.name, r.closes_at, p.language "
            "FROM pulse_invitations i JOIN pulse_rounds r USING (pulse_id) "
            "JOIN teams t USING (team_id) LEFT JOIN people p USING (person_id) "
            "WHERE i.token_hash IN (?, ?) AND NOT i.used AND r.closed_at IS NULL "
            "AND r.closes_at > ?",
            [accounts.digest(token), accounts.digest(_typed(token)), now],
        ).fetchall()
    return Invited(*rows[0]) if rows else None


WRONG_FREE = 20  # wrong tokens or codes from one client before it must wait


def wait_before_trying(db: Store, client: str, now: datetime) -> timedelta:
    """How long a client that typed wrong codes must wait (1, 2, 4 … minutes after
    WRONG_FREE of them, as for sign-in). Kept apart from sign-in's counts: a kiosk on a
    shared address must not slow anyone's sign-in, nor the other way round."""
    with db.reading() as cursor:
        failures = cursor.execute(
            "SELECT attempted_at FROM sign_in_attempts WHERE client = ? AND outcome = 'failure' "
            "AND attempted_at > ? ORDER BY attempted_at",
            [_throttle_key(client), now - accounts.ATTEMPTS_KEPT],
        ).fetchall()
    return accounts.throttle_delay([at for (at,) in failures], now, free=WRONG_FREE)


def record_wrong(db: Store, client: str, now: datetime) -> None:
    with db.transaction() as cursor:
        accounts.record_attempt(cursor, _throttle_key(client), "pulse", "failure", now)


def _throttle_key(client: str) -> str:
    return f"pulse {client}"


def submit(
    db: Store,
    token: str,
    answers: dict[str, int],
    comment: str | None,
    *,
    now: datetime,
    small_win: str | None = None,
) -> Invited:
    """Take one answer: the token is used up (one transaction), then the answer waits for
    its batch (another), then a batch goes in if one is due. PulseError when the token
    cannot be used (the same message whatever the reason). The comment and the small win
    are free text kept with the answer, shown only under the comment rules."""
    unknown = set(answers) - set(ITEM_KEYS)
    if unknown or any(not 1 <= int(v) <= 5 for v in answers.values()):
        raise PulseError("Answer each statement on the scale from 1 to 5.")
    place = invited(db, token, now=now)
    if place is None:
        raise PulseError(GONE)
    with db.transaction() as cursor:
        used = cursor.execute(
            "UPDATE pulse_invitations SET used = true WHERE token_hash IN (?, ?) AND NOT used "
            "AND pulse_id IN (SELECT pulse_id FROM pulse_rounds WHERE closed_at IS NULL "
            "AND closes_at > ?) RETURNING pulse_id",
            [accounts.digest(token), accounts.digest(_typed(token)), now],
        ).fetchall()
    if not used:  # used a moment ago, in another tab
        raise PulseError(GONE)
    columns = ", ".join(answers)
    with db.transaction() as cursor:
        cursor.execute(
            f"INSERT INTO pulse_waiting (answer_id, pulse_id, team_id, {columns}, comment, "  # noqa: S608 - allow-listed keys
            f"small_win) VALUES (gen_random_uuid(), ?, ?, {', '.join('?' * len(answers))}, ?, ?)",
            [place.pulse_id, place.team_id, *answers.values(), _text(comment), _text(small_win)],
        )
    flush(db, place.pulse_id, now=now)
    return place


def _text(words: str | None) -> str | None:
    return (words or "").strip() or None


def flush(db: Store, pulse_id: int, *, now: datetime, closing: bool = False) -> int:
    """Move the round's waiting answers into survey_responses, shuffled, when at least k
    wait (or whatever waits when the round closes); how many went in."""
    with db.transaction() as cursor:
        k = queries.org_settings(cursor).min_group_size
        (waiting,) = cursor.execute(
            "SELECT count(*) FROM pulse_waiting WHERE pulse_id = ?", [pulse_id]
        ).fetchone()
        if not waiting or (waiting < k and not closing):
            return 0
        (week,) = cursor.execute(
            "SELECT week FROM pulse_rounds WHERE pulse_id = ?", [pulse_id]
        ).fetchone()
        (import_id,) = cursor.execute(
            "INSERT INTO imports (kind, file_name, layout, imported_at, rows_in_file, imported) "
            "VALUES ('survey', ?, 'pulse', ?, ?, ?) RETURNING import_id",
            [f"Catalyst pulse, week of {week:%-d %b %Y}", now, waiting, waiting],
        ).fetchall()[0]
        items = ", ".join(ITEM_KEYS)
        cursor.execute(
            f"INSERT INTO survey_responses (import_id, team_id, submitted_at, week, fingerprint, "  # noqa: S608
            f"{items}, comment, small_win) SELECT ?, team_id, ?::TIMESTAMP, ?, "
            # A random key: nothing in it leads back to the answer or its person.
            f"md5_number(CAST(gen_random_uuid() AS VARCHAR)), {items}, "
            f"comment, small_win FROM pulse_waiting WHERE pulse_id = ? ORDER BY random()",
            [import_id, week, week, pulse_id],
        )
        cursor.execute(
            "CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT team_id, ?::DATE AS week "
            "FROM pulse_waiting WHERE pulse_id = ?",
            [week, pulse_id],
        )
        cursor.execute("DELETE FROM pulse_waiting WHERE pulse_id = ?", [pulse_id])
        store.rebuild_response_summary(cursor, "touched")
        store.bump_data_version(cursor, "survey")
        store.record_audit(cursor, "pulse.batch", f"import #{import_id}: {waiting} answers", at=now)
    return int(waiting)


def close_round(db: Store, pulse_id: int, *, now: datetime) -> int:
    """Close the round (no token works any more) and let every waiting answer in. Its
    survey round is published only after this (publication waits for an open pulse)."""
    with db.transaction() as cursor:
        cursor.execute(
            "UPDATE pulse_rounds SET closed_at = ? WHERE pulse_id = ? AND closed_at IS NULL",
            [now, pulse_id],
        )
        store.bump_data_version(cursor, "survey")
    return flush(db, pulse_id, now=now, closing=True)


def participation(db: Store, pulse_id: int) -> dict[int, tuple[int, int] | None]:
    """Per team: (answered, invited) — None where fewer than k were invited, so a count
    never concerns fewer than k people. While the round is open the same rule holds:
    a team of k or more shows how many answered so far, never who."""
    with db.reading() as cursor:
        k = queries.org_settings(cursor).min_group_size
        rows = cursor.execute(
            "SELECT team_id, count(*) FILTER (WHERE used), count(*) FROM pulse_invitations "
            "WHERE pulse_id = ? GROUP BY team_id",
            [pulse_id],
        ).fetchall()
    return {int(t): ((int(a), int(n)) if n >= k else None) for t, a, n in rows}


def current_round(db: Store) -> dict | None:
    """The newest round: pulse_id, round_start, week, closes_at, closed_at."""
    with db.reading() as cursor:
        rows = cursor.execute(
            "SELECT pulse_id, round_start, week, closes_at, closed_at FROM pulse_rounds "
            "ORDER BY round_start DESC LIMIT 1"
        ).fetchall()
    keys = ("pulse_id", "round_start", "week", "closes_at", "closed_at")
    return dict(zip(keys, rows[0], strict=True)) if rows else None


def links_for_other_channels(db: Store, pulse_id: int, base_url: str, *, by: int | None,
                             now: datetime) -> list[tuple[str, str, str, str]]:  # fmt: skip
    """(name, email, team, link) for everyone who has not answered, for Slack or Teams.
    Each link is new and replaces the one sent by e-mail; audited."""
    with db.reading() as cursor:
        rows = cursor.execute(
            "SELECT i.person_id, p.name, p.email, t.name FROM pulse_invitations i "
            "JOIN people p USING (person_id) JOIN teams t USING (team_id) "
            "WHERE i.pulse_id = ? AND NOT i.used ORDER BY t.name, p.name",
            [pulse_id],
        ).fetchall()
    links = [(name, email, team, f"{base_url}/pulse?t={issue_link(db, pulse_id, person)}")
             for person, name, email, team in rows]  # fmt: skip
    with db.transaction() as cursor:
        store.record_audit(
            cursor, "pulse.links", f"{len(links)} links, round {pulse_id}", at=now, user_id=by
        )
    return links


def people_invited(db: Store, pulse_id: int) -> list[tuple[int, str]]:
    """(person_id, email) of everyone with a personal link in the round."""
    with db.reading() as cursor:
        rows = cursor.execute(
            "SELECT i.person_id, p.email FROM pulse_invitations i JOIN people p USING (person_id) "
            "WHERE i.pulse_id = ? ORDER BY i.person_id",
            [pulse_id],
        ).fetchall()
    return [(int(person_id), email) for person_id, email in rows]


def not_answered(db: Store, pulse_id: int) -> list[int]:
    """The people of the round who have not answered: whom a reminder goes to."""
    with db.reading() as cursor:
        rows = cursor.execute(
            "SELECT person_id FROM pulse_invitations WHERE pulse_id = ? "
            "AND person_id IS NOT NULL AND NOT used ORDER BY person_id",
            [pulse_id],
        ).fetchall()
    return [int(person_id) for (person_id,) in rows]
