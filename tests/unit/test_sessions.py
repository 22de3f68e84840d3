"""Sign-in, throttling, sessions, tickets and first-run setup, on real databases."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher

from dashboard import accounts
from dashboard.accounts import SIGN_IN_FAILED, AccountError
from dashboard.demo import DEMO_PASSWORD
from dashboard.settings import SessionPolicy

# Store-level: every test here runs on a DuckDB file and on PostgreSQL (server mode).
pytestmark = pytest.mark.both_engines

NOW = datetime(2026, 11, 24, 9, 0)
POLICY = SessionPolicy()
CLIENT = "192.0.2.10"  # where sign-ins come from unless a test says otherwise
BROWSER = "the pre-session cookie of the browser that signed in"


def attempt(db, email="hr@example.com", password=DEMO_PASSWORD, at=NOW, client=CLIENT):
    return accounts.sign_in(db, email, password, client=client, now=at)


def test_the_right_password_signs_in_and_the_session_knows_the_user(demo_store):
    result = attempt(demo_store)
    assert result.token and result.message == ""
    user = accounts.session_user(demo_store, result.token, now=NOW, policy=POLICY)
    assert (user.email, user.roles) == ("hr@example.com", {"hr"})


def test_email_case_and_spaces_do_not_matter(demo_store):
    assert attempt(demo_store, email="  HR@Example.com ").token


@pytest.mark.parametrize(
    ("email", "password"),
    [("hr@example.com", "wrong password"), ("nobody@example.com", DEMO_PASSWORD)],
    ids=["wrong password", "unknown email"],
)
def test_every_failure_gets_the_same_generic_message(demo_store, email, password):
    result = attempt(demo_store, email, password)
    assert result.token is None
    assert result.message == SIGN_IN_FAILED


def test_a_deactivated_user_cannot_sign_in_and_is_told_nothing_more(demo_store):
    with demo_store.transaction() as cursor:
        cursor.execute("UPDATE users SET active = false WHERE email = 'hr@example.com'")
    result = attempt(demo_store)
    assert result.token is None and result.message == SIGN_IN_FAILED


def test_sign_ins_are_audited(demo_store):
    attempt(demo_store)
    attempt(demo_store, password="nope")
    with demo_store.reading() as cursor:
        actions = cursor.execute(
            "SELECT action FROM audit_log WHERE action LIKE 'sign_in%' ORDER BY audit_id"
        ).fetchall()
    assert actions == [("sign_in.success",), ("sign_in.failure",)]


def fail(db, times, email="hr@example.com", start=NOW, every=timedelta(seconds=5), client=CLIENT):
    results = []
    for i in range(times):
        results.append(attempt(db, email, "wrong password", at=start + i * every, client=client))
    return results


def test_five_failures_then_each_attempt_waits_twice_as_long(demo_store):
    results = fail(demo_store, 5)
    assert [r.wait for r in results[:4]] == [timedelta(0)] * 4
    fifth = NOW + 4 * timedelta(seconds=5)
    assert results[4].wait == timedelta(minutes=1)
    assert (
        results[4].message == SIGN_IN_FAILED + " Too many failed attempts: try again in 1 minute."
    )

    # Within the wait even the right password is refused, and the wait does not grow.
    early = attempt(demo_store, at=fifth + timedelta(seconds=30))
    assert early.token is None
    assert early.wait == timedelta(seconds=30)
    assert "try again in 1 minute" in early.message

    sixth = attempt(demo_store, password="still wrong", at=fifth + timedelta(minutes=1))
    assert sixth.wait == timedelta(minutes=2)
    assert "try again in 2 minutes" in sixth.message


def test_an_attacker_waiting_out_every_delay_meets_doubling_waits_capped_at_15_minutes(demo_store):
    at, waits = NOW, []
    for _ in range(11):
        result = attempt(demo_store, password="guess", at=at)
        waits.append(result.wait)
        at += result.wait or timedelta(seconds=1)
    assert [w.total_seconds() / 60 for w in waits] == [0, 0, 0, 0, 1, 2, 4, 8, 15, 15, 15]


def test_a_streak_ends_after_fifteen_quiet_minutes_once_the_wait_is_over(demo_store):
    *_, fifth = fail(demo_store, 5)
    quiet_again = NOW + timedelta(seconds=20) + fifth.wait + timedelta(minutes=15, seconds=1)
    assert attempt(demo_store, password="typo", at=quiet_again).wait == timedelta(0)


def test_five_failures_spread_over_more_than_fifteen_minutes_do_not_throttle(demo_store):
    results = fail(demo_store, 6, every=timedelta(minutes=4))
    assert all(r.wait == timedelta(0) for r in results)


def test_throttling_applies_to_unknown_emails_too_and_is_per_email(demo_store):
    assert fail(demo_store, 5, email="ghost@example.com")[-1].wait == timedelta(minutes=1)
    assert attempt(demo_store, at=NOW + timedelta(seconds=30)).token  # HR is not affected


def test_after_the_wait_the_right_password_works_and_clears_the_count(demo_store):
    fail(demo_store, 5)
    later = NOW + timedelta(minutes=2)
    assert attempt(demo_store, at=later).token
    assert attempt(demo_store, password="typo", at=later + timedelta(seconds=1)).wait == timedelta(
        0
    )


def test_a_wrong_password_from_one_client_does_not_lock_out_another(demo_store):
    """An attacker who fails once whenever each wait ends would, counted per email,
    keep HR waiting for good; counted per client, HR elsewhere signs in throughout."""
    attacker, at = "203.0.113.66", NOW
    for _ in range(12):  # about two hours of waiting out every delay
        failed = attempt(demo_store, password="guess", at=at, client=attacker)
        assert failed.token is None
        if failed.wait:
            assert attempt(demo_store, at=at, client=attacker).wait  # the attacker waits...
            assert attempt(demo_store, at=at + timedelta(seconds=1)).token  # ...HR does not
        at += failed.wait or timedelta(seconds=1)
    assert failed.wait == accounts.THROTTLE_CAP


def test_one_client_failing_across_many_accounts_is_throttled(demo_store):
    spraying = "198.51.100.7"
    for i in range(accounts.CLIENT_FREE_FAILURES):
        result = attempt(
            demo_store,
            f"person{i}@example.com",
            "Winter2026!",
            NOW + timedelta(seconds=i),
            spraying,
        )
    assert result.wait == timedelta(minutes=1)
    later = NOW + timedelta(seconds=30)
    assert attempt(demo_store, at=later, client=spraying).wait  # even the right password waits
    assert attempt(demo_store, at=later).token  # everyone else signs in


def test_signing_in_to_ones_own_account_buys_no_more_guesses_at_others(demo_store):
    at = NOW
    for i in range(accounts.CLIENT_FREE_FAILURES - 1):
        attempt(demo_store, f"person{i}@example.com", "guess", at=at)
        at += timedelta(seconds=1)
    assert attempt(demo_store, "manager@example.com", at=at).token
    assert attempt(demo_store, "person99@example.com", "guess", at=at).wait == timedelta(minutes=1)


def test_a_throttled_client_costs_no_password_hash(demo_store, monkeypatch):
    """Random emails each cost an argon2 hash until the client must wait; then an
    attempt is refused with the wait before any hashing, and writes nothing."""
    hashed = []
    for name in ("hash", "verify"):
        real = getattr(PasswordHasher, name)
        monkeypatch.setattr(
            PasswordHasher,
            name,
            lambda self, *args, real=real, name=name: hashed.append(name) or real(self, *args),
        )
    for i in range(accounts.CLIENT_FREE_FAILURES):
        attempt(demo_store, f"random{i}@example.org", "guess", at=NOW)
    assert len(hashed) >= accounts.CLIENT_FREE_FAILURES  # the decoy check costs a hash
    before, rows = len(hashed), table_sizes(demo_store)

    refused = attempt(demo_store, "random-next@example.org", "guess", at=NOW)

    assert refused.token is None and "try again in 1 minute" in refused.message
    assert len(hashed) == before
    assert table_sizes(demo_store) == rows


def table_sizes(db) -> tuple[int, int]:
    with db.reading() as cursor:
        return cursor.execute(
            "SELECT (SELECT count(*) FROM sign_in_attempts), (SELECT count(*) FROM audit_log)"
        ).fetchone()


def test_attempts_older_than_a_day_are_pruned_as_new_ones_are_written(demo_store):
    fail(demo_store, 3)
    attempt(demo_store, at=NOW + timedelta(days=1, minutes=1))
    with demo_store.reading() as cursor:
        kept = cursor.execute("SELECT outcome, attempted_at FROM sign_in_attempts").fetchall()
    assert kept == [("success", NOW + timedelta(days=1, minutes=1))]


def test_refused_attempts_store_no_rows(demo_store):
    fail(demo_store, 5)
    rows = table_sizes(demo_store)
    for second in range(30):
        assert attempt(demo_store, at=NOW + timedelta(seconds=30 + second)).wait
    assert table_sizes(demo_store) == rows


def test_an_idle_session_ends_after_thirty_minutes(demo_store):
    token = attempt(demo_store).token
    assert accounts.session_user(demo_store, token, now=NOW + timedelta(minutes=29), policy=POLICY)
    # Each interaction moves the idle clock on...
    assert accounts.session_user(demo_store, token, now=NOW + timedelta(minutes=58), policy=POLICY)
    # ...and a gap longer than 30 minutes ends it for good.
    gone = NOW + timedelta(minutes=89)
    assert accounts.session_user(demo_store, token, now=gone, policy=POLICY) is None
    assert accounts.session_user(demo_store, token, now=gone, policy=POLICY) is None


def test_no_session_lasts_longer_than_twelve_hours(demo_store):
    token = attempt(demo_store).token
    at = NOW
    while at < NOW + timedelta(hours=11, minutes=50):
        at += timedelta(minutes=20)
        assert accounts.session_user(demo_store, token, now=at, policy=POLICY)
    at = NOW + timedelta(hours=12, minutes=1)
    assert accounts.session_user(demo_store, token, now=at, policy=POLICY) is None


def test_deactivation_and_role_changes_apply_at_the_next_interaction(demo_store):
    token = attempt(demo_store).token
    with demo_store.transaction() as cursor:
        cursor.execute(
            "INSERT INTO user_roles SELECT user_id, 'manager' FROM users "
            "WHERE email = 'hr@example.com'"
        )
    user = accounts.session_user(demo_store, token, now=NOW, policy=POLICY)
    assert user.roles == {"hr", "manager"}
    with demo_store.transaction() as cursor:
        cursor.execute("UPDATE users SET active = false WHERE email = 'hr@example.com'")
    assert accounts.session_user(demo_store, token, now=NOW, policy=POLICY) is None


def test_signing_out_ends_the_session_on_the_server(demo_store):
    token = attempt(demo_store).token
    accounts.end_session(demo_store, token, now=NOW)
    assert accounts.session_user(demo_store, token, now=NOW, policy=POLICY) is None


def test_a_ticket_works_once_and_gives_the_session_a_new_token(demo_store):
    token = attempt(demo_store).token
    ticket = accounts.issue_ticket(demo_store, token, "/overview", browser=BROWSER, now=NOW)
    new_token, next_path = accounts.redeem_ticket(demo_store, ticket, browser=BROWSER, now=NOW)
    assert next_path == "/overview"
    assert new_token != token
    assert accounts.session_user(demo_store, new_token, now=NOW, policy=POLICY).email == (
        "hr@example.com"
    )
    assert accounts.session_user(demo_store, token, now=NOW, policy=POLICY) is None
    assert accounts.redeem_ticket(demo_store, ticket, browser=BROWSER, now=NOW) is None


def test_a_ticket_expires_after_a_minute(demo_store):
    token = attempt(demo_store).token
    ticket = accounts.issue_ticket(demo_store, token, "/", browser=BROWSER, now=NOW)
    later = NOW + timedelta(seconds=61)
    assert accounts.redeem_ticket(demo_store, ticket, browser=BROWSER, now=later) is None


def test_a_ticket_from_another_browser_does_not_sign_in(demo_store):
    """Login CSRF: an attacker's ticket link, opened in a victim's browser (which has a
    pre-session cookie of its own, or none), signs nobody in, and is used up."""
    attackers = attempt(demo_store, "manager@example.com").token
    ticket = accounts.issue_ticket(demo_store, attackers, "/", browser=BROWSER, now=NOW)
    assert accounts.redeem_ticket(demo_store, ticket, browser="the victim's", now=NOW) is None
    assert accounts.redeem_ticket(demo_store, ticket, browser=BROWSER, now=NOW) is None

    ticket = accounts.issue_ticket(demo_store, attackers, "/", browser=BROWSER, now=NOW)
    assert accounts.redeem_ticket(demo_store, ticket, browser=None, now=NOW) is None


def test_a_ticket_issued_to_a_browser_without_its_cookie_opens_nothing(demo_store):
    token = attempt(demo_store).token
    ticket = accounts.issue_ticket(demo_store, token, "/", browser=None, now=NOW)
    assert accounts.redeem_ticket(demo_store, ticket, browser=None, now=NOW) is None
    assert accounts.redeem_ticket(demo_store, ticket, browser="", now=NOW) is None


def test_a_made_up_ticket_gets_nothing(demo_store):
    assert accounts.redeem_ticket(demo_store, "made-up", browser=BROWSER, now=NOW) is None


def test_a_hash_with_old_parameters_is_upgraded_at_sign_in(demo_store):
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024).hash(DEMO_PASSWORD)
    with demo_store.transaction() as cursor:
        cursor.execute("UPDATE users SET password_hash = ? WHERE email = 'hr@example.com'", [weak])
    assert attempt(demo_store).token
    with demo_store.reading() as cursor:
        stored = cursor.execute(
            "SELECT password_hash FROM users WHERE email = 'hr@example.com'"
        ).fetchall()[0][0]
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def first_admin(db, code, **overrides):
    values = dict(
        email="ada@example.com", name="Ada Admin", password="a long enough password", client=CLIENT
    )
    values.update(overrides)
    return accounts.create_first_admin(db, code=code, now=NOW, **values)


def test_the_setup_code_creates_the_first_admin_once(empty_store):
    code = accounts.new_setup_code(empty_store, now=NOW)
    result = first_admin(empty_store, code.lower().replace("-", " "))
    assert result.token
    assert result.user.roles == {"admin"} and result.user.display_name == "Ada Admin"
    with empty_store.reading() as cursor:
        assert not accounts.has_setup_code(cursor)
    with pytest.raises(AccountError, match="already has accounts"):
        first_admin(empty_store, code, email="eve@example.com")


def test_a_wrong_setup_code_is_refused_and_throttled(empty_store):
    accounts.new_setup_code(empty_store, now=NOW)
    results = [first_admin(empty_store, "AAAA-BBBB-CCCC") for _ in range(5)]
    assert all(r.token is None for r in results)
    assert results[-1].wait == timedelta(minutes=1)
    with empty_store.reading() as cursor:
        assert not accounts.has_accounts(cursor)


def test_a_stranger_guessing_the_setup_code_does_not_lock_out_the_real_one(
    empty_store, monkeypatch
):
    code = accounts.new_setup_code(empty_store, now=NOW)
    hashed = []
    real = PasswordHasher.hash
    monkeypatch.setattr(PasswordHasher, "hash", lambda *a: hashed.append(1) or real(*a))
    stranger = [first_admin(empty_store, "AAAA-BBBB-CCCC", client="203.0.113.9") for _ in range(6)]
    assert stranger[-1].token is None and stranger[-1].wait
    assert not hashed  # a wrong code is refused before the password is hashed

    assert first_admin(empty_store, code).token  # from the console holder's own browser


def test_the_first_admin_signs_in_and_out_on_either_engine(empty_store):
    db = empty_store
    first_admin(db, accounts.new_setup_code(db, now=NOW))
    wrong = attempt(db, "ada@example.com", "not the password")
    assert wrong.token is None and wrong.message == SIGN_IN_FAILED
    signed_in = attempt(db, "ada@example.com", "a long enough password")
    user = accounts.session_user(db, signed_in.token, now=NOW, policy=POLICY)
    assert (user.email, user.display_name, user.roles) == (
        "ada@example.com",
        "Ada Admin",
        {"admin"},
    )
    later = NOW + POLICY.idle + timedelta(minutes=1)  # idle too long: the session ends
    assert accounts.session_user(db, signed_in.token, now=later, policy=POLICY) is None
    again = attempt(db, "ada@example.com", "a long enough password", at=later)
    accounts.end_session(db, again.token, now=later)
    assert accounts.session_user(db, again.token, now=later, policy=POLICY) is None


def test_first_admin_details_are_checked_before_anything_is_written(empty_store):
    code = accounts.new_setup_code(empty_store, now=NOW)
    with pytest.raises(AccountError, match="at least 12"):
        first_admin(empty_store, code, password="short")
    with pytest.raises(AccountError, match="not an email"):
        first_admin(empty_store, code, email="ada")
    with empty_store.reading() as cursor:
        assert not accounts.has_accounts(cursor) and accounts.has_setup_code(cursor)
