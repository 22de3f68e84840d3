"""What each person wants to receive, and the signed links that change it without a
sign-in.

Reminders and digests can be turned off; invitations and password resets cannot (they
are how a person gets in). A preference link carries the person's id and an HMAC of it
under a key kept in the database (``meta.mail_link_key``): it can be forged by nobody
without the database, it cannot be turned into anyone else's link, and all it can do is
change what that person receives. It does not expire: the footer of a message from last
year still works.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

import duckdb

from dashboard import accounts, store
from dashboard.accounts import User
from dashboard.store import Store

ONE_CLICK_PATH = "/mail/off"  # the POST route of server.py behind List-Unsubscribe
TOPICS = {"reminders": "Check-in reminders", "digests": "Weekly digests"}
# The preference that governs each kind of message; kinds not listed always go out.
TOPIC_OF = {"checkin_reminder": "reminders", "manager_digest": "digests", "hr_digest": "digests"}


@dataclass(frozen=True)
class Preferences:
    reminders: bool = True
    digests: bool = True

    def wants(self, kind: str) -> bool:
        topic = TOPIC_OF.get(kind)
        return topic is None or getattr(self, topic)


def of(cursor: duckdb.DuckDBPyConnection, user_id: int) -> Preferences:
    rows = cursor.execute(
        "SELECT reminders, digests FROM mail_preferences WHERE user_id = ?", [user_id]
    ).fetchall()
    return Preferences(*rows[0]) if rows else Preferences()


def turned_off(cursor: duckdb.DuckDBPyConnection, topic: str) -> set[int]:
    """Everyone who turned ``topic`` off."""
    assert topic in TOPICS
    rows = cursor.execute(
        f"SELECT user_id FROM mail_preferences WHERE NOT {topic}"  # noqa: S608 - allow-list
    ).fetchall()
    return {int(user_id) for (user_id,) in rows}


def change(
    cursor: duckdb.DuckDBPyConnection, user_id: int, wanted: Preferences, *, now: datetime
) -> bool:
    """Store a person's choice, with an audit line; False when nothing changed."""
    if of(cursor, user_id) == wanted:
        return False
    cursor.execute(
        "INSERT INTO mail_preferences VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
        "reminders = excluded.reminders, digests = excluded.digests, "
        "changed_at = excluded.changed_at",
        [user_id, wanted.reminders, wanted.digests, now],
    )
    said = ", ".join(f"{TOPICS[t].lower()} {'on' if getattr(wanted, t) else 'off'}" for t in TOPICS)
    store.record_audit(cursor, "mail.preferences", said, at=now, user_id=user_id)
    return True


def save(db: Store, user_id: int, wanted: Preferences, *, now: datetime) -> bool:
    with db.transaction() as cursor:
        return change(cursor, user_id, wanted, now=now)


def person_of(db: Store, token: str) -> tuple[User, Preferences] | None:
    """Whose preference link this is, with what they receive now; None for a link not
    signed here or of an account that is gone."""
    with db.reading() as cursor:
        user_id = user_of(cursor, token)
        user = accounts.user_by_id(cursor, user_id) if user_id is not None else None
        return (user, of(cursor, user_id)) if user is not None else None


def turn_off_everything(db: Store, token: str, *, now: datetime) -> bool:
    """The mail client's one-click unsubscribe (RFC 8058): reminders and digests off.
    False for a link not signed here."""
    with db.transaction() as cursor:
        user_id = user_of(cursor, token)
        if user_id is None:
            return False
        change(cursor, user_id, Preferences(reminders=False, digests=False), now=now)
        return True


_TOKEN = re.compile(r"[0-9]{1,9}\.[0-9a-f]{32}", re.ASCII)


def _key(cursor: duckdb.DuckDBPyConnection) -> bytes:
    (key,) = cursor.execute("SELECT value FROM meta WHERE key = 'mail_link_key'").fetchone()
    return key.encode()


def link_token(cursor: duckdb.DuckDBPyConnection, user_id: int) -> str:
    """``<user id>.<signature>`` for the person's preference link."""
    signature = hmac.new(_key(cursor), f"preferences:{user_id}".encode(), hashlib.sha256)
    return f"{user_id}.{signature.hexdigest()[:32]}"


def user_of(cursor: duckdb.DuckDBPyConnection, token: str) -> int | None:
    """Whose link this is, or None when it was not signed here."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    user_id = int(token.partition(".")[0])
    expected = link_token(cursor, user_id).encode()
    return user_id if hmac.compare_digest(expected, token.encode()) else None
