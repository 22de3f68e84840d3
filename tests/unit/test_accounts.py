"""Passwords and users."""

from datetime import date, datetime

import pytest

from dashboard import accounts
from dashboard.accounts import AccountError
from dashboard.demo import DEMO_PASSWORD

# Store-level: every test here runs on a DuckDB file and on PostgreSQL (server mode).
pytestmark = pytest.mark.both_engines


def test_a_password_verifies_and_a_wrong_one_does_not():
    stored = accounts.hash_password("correct horse battery")
    assert accounts.verify_password(stored, "correct horse battery")
    assert not accounts.verify_password(stored, "correct horse batterY")
    assert not accounts.verify_password(None, "correct horse battery")
    assert not accounts.verify_password("not-a-hash", "correct horse battery")


def test_hashes_are_argon2id_with_owasp_parameters_and_salted():
    first = accounts.hash_password("correct horse battery")
    second = accounts.hash_password("correct horse battery")
    assert first.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert first != second  # a fresh salt every time
    assert not accounts.needs_rehash(first)


def test_the_demo_hash_is_reproducible_and_verifies():
    salt = b"0123456789abcdef"
    stored = accounts.hash_password_with_salt(DEMO_PASSWORD, salt)
    assert stored == accounts.hash_password_with_salt(DEMO_PASSWORD, salt)
    assert accounts.verify_password(stored, DEMO_PASSWORD)


def test_short_passwords_are_refused_saying_how_long_they_must_be():
    with pytest.raises(AccountError, match="at least 12"):
        accounts.check_password("short")


@pytest.mark.parametrize("text", ["", "ada", "ada@", "ada@example", "a b@example.com"])
def test_malformed_emails_are_refused(text):
    with pytest.raises(AccountError, match="not an email address"):
        accounts.check_email(text)


def test_emails_are_compared_without_case_or_spaces():
    assert accounts.check_email("  Ada.Lovelace@Example.COM ") == "ada.lovelace@example.com"
    assert accounts.display_name_from_email("ada.lovelace@example.com") == "Ada Lovelace"


def test_a_user_can_hold_several_roles_and_an_email_only_once(empty_store):
    now = datetime(2026, 11, 24, 9)
    with empty_store.transaction() as cursor:
        accounts.create_user(
            cursor, "Pat@Example.com", {"hr", "manager"}, password_hash=None, now=now
        )
    with empty_store.reading() as cursor:
        user = accounts.find_user(cursor, "pat@example.com")
    assert user.roles == {"hr", "manager"}
    assert user.display_name == "Pat"
    with pytest.raises(AccountError, match="already exists"), empty_store.transaction() as cursor:
        accounts.create_user(cursor, "PAT@example.com", {"admin"}, password_hash=None, now=now)


def test_unknown_roles_are_refused(empty_store):
    with pytest.raises(AccountError, match="roles must be among"):
        with empty_store.transaction() as cursor:
            accounts.create_user(
                cursor, "x@example.com", {"owner"}, password_hash=None, now=datetime(2026, 1, 1)
            )


def test_assigning_a_team_keeps_its_earlier_manager_in_history(demo_store):
    with demo_store.reading() as cursor:
        team_id, first_manager, department = cursor.execute(
            "SELECT team_id, manager_id, department_id FROM team_history "
            "WHERE valid_to IS NULL ORDER BY team_id DESC LIMIT 1"
        ).fetchall()[0]
    with demo_store.transaction() as cursor:
        new_id = accounts.create_user(
            cursor,
            "new.lead@example.com",
            {"manager"},
            password_hash=None,
            now=datetime(2026, 11, 24),
        )
        accounts.assign_team(
            cursor, team_id, new_id, date(2026, 11, 24), now=datetime(2026, 11, 24)
        )
    with demo_store.reading() as cursor:
        history = cursor.execute(
            "SELECT manager_id, department_id, valid_to FROM team_history "
            "WHERE team_id = ? ORDER BY valid_from",
            [team_id],
        ).fetchall()
    assert history == [(first_manager, department, date(2026, 11, 24)), (new_id, department, None)]
