"""Running the organization: passwords, invitations, roles, deactivation, roster
edits, settings, the audit log, backups, and the `catalyst user` / `backup` commands.
Real database files throughout."""

from __future__ import annotations

import io
import sys
from datetime import date, datetime, timedelta

import pytest
from fixtures import HeldDatabase, database_snapshot
from test_cli import run_cli

from dashboard import accounts, ingest, queries, store
from dashboard.accounts import AccountError
from dashboard.cli import main
from dashboard.demo import DEMO_PASSWORD
from dashboard.settings import SessionPolicy
from dashboard.store import Store

NOW = datetime(2026, 11, 24, 9, 0)
CLIENT = "192.0.2.10"  # the address every sign-in here comes from
POLICY = SessionPolicy(idle=timedelta(hours=1), max_age=timedelta(hours=12))
GOOD = "plum orbit canvas ladder"


def user_id(db: Store, email: str) -> int:
    with db.reading() as cursor:
        return accounts.find_user(cursor, email).user_id


def audit_actions(db: Store) -> list[str]:
    with db.reading() as cursor:
        rows = cursor.execute("SELECT action FROM audit_log ORDER BY audit_id").fetchall()
    return [action for (action,) in rows]


@pytest.mark.parametrize(
    ("password", "email", "reason"),
    [
        ("short one", None, "use at least 12"),
        ("Password2024", None, "too easy to guess"),
        ("qwertyuiop123", None, "too easy to guess"),
        ("aaaaaaaaaaaaaaaa", None, "too easy to guess"),
        ("ada.lovelace-rocks", "ada.lovelace@example.com", "“ada.lovelace”, part of your"),
    ],
)
def test_weak_passwords_are_refused_saying_why(password, email, reason):
    with pytest.raises(AccountError, match=reason):
        accounts.check_password(password, email)


@pytest.mark.parametrize(
    ("password", "part"),
    [
        ("my LOVELACE rules ok", "lovelace"),  # a piece of the email, any case
        ("countess ADA of maths", "ada"),  # a 3-letter piece is enough
        ("byron king of the hill", "king"),  # a name part that is not in the email
        ("a.lovelace.42 forever", "lovelace"),
    ],
)
def test_a_password_with_part_of_the_name_or_email_is_refused_naming_it(password, part):
    with pytest.raises(AccountError, match=f"contains “{part}”.*Avoid your name"):
        accounts.check_password(password, "ada.lovelace42@example.com", "Ada King-Noel")


def test_short_name_pieces_do_not_count_and_strangers_pass():
    accounts.check_password("plum orbit canvas ladder", "ada.lovelace@example.com", "Ada King")
    accounts.check_password("jo is not a word here", "jo.li@example.com", "Jo Li")
    assert accounts.personal_parts("ada.lovelace@x.org", "Ada King") == [
        "ada.lovelace", "lovelace", "king", "ada"
    ]  # fmt: skip


def test_an_invitation_refuses_a_password_with_the_persons_name(demo_store):
    grace = accounts.add_user(
        demo_store, "g.hopper@example.com", {"manager"}, display_name="Grace Hopper", now=NOW
    )
    (code,) = accounts.invite(demo_store, [grace], now=NOW).values()
    with pytest.raises(AccountError, match="“grace”"):
        accounts.accept_invitation(demo_store, code, "amazing grace sings", now=NOW)


def test_an_invitation_sets_the_password_once_and_signs_in(demo_store):
    """A long uncommon passphrase is accepted, and works; a common one is refused."""
    ada = accounts.add_user(demo_store, "ada@example.com", {"manager"}, display_name="Ada", now=NOW)
    (code,) = accounts.invite(demo_store, [ada], now=NOW).values()
    with demo_store.reading() as cursor:  # only the code's hash is kept
        assert cursor.execute("SELECT code_hash FROM invitations").fetchall() == [
            (accounts.digest(code),)
        ]
    assert accounts.invited_user(demo_store, code, now=NOW).email == "ada@example.com"
    with pytest.raises(AccountError, match="too easy to guess"):
        accounts.accept_invitation(demo_store, code, "password2024", now=NOW)
    token = accounts.accept_invitation(demo_store, code, GOOD, now=NOW)
    assert accounts.session_user(demo_store, token, now=NOW, policy=POLICY).user_id == ada
    assert accounts.sign_in(demo_store, "ada@example.com", GOOD, client=CLIENT, now=NOW).token
    with pytest.raises(AccountError, match="expired or was already used"):
        accounts.accept_invitation(demo_store, code, "another fine passphrase", now=NOW)
    with demo_store.reading() as cursor:
        assert cursor.execute("SELECT count(*) FROM invitations").fetchone() == (0,)  # used up
    assert "user.password_set" in audit_actions(demo_store)


def test_an_invitation_expires_is_replaced_by_a_new_one_and_dies_with_the_account(demo_store):
    hr = user_id(demo_store, "hr@example.com")
    (first,) = accounts.invite(demo_store, [hr], now=NOW).values()
    assert accounts.invited_user(demo_store, first, now=NOW + timedelta(days=15)) is None
    (second,) = accounts.invite(demo_store, [hr], now=NOW).values()
    assert accounts.invited_user(demo_store, first, now=NOW) is None  # replaced
    assert accounts.invited_user(demo_store, second, now=NOW) is not None
    accounts.set_active(demo_store, hr, False, now=NOW)
    assert accounts.invited_user(demo_store, second, now=NOW) is None


def test_a_reset_invitation_replaces_the_old_password(demo_store):
    hr = user_id(demo_store, "hr@example.com")
    (code,) = accounts.invite(demo_store, [hr], now=NOW).values()
    accounts.accept_invitation(demo_store, code, GOOD, now=NOW)
    assert not accounts.sign_in(
        demo_store, "hr@example.com", DEMO_PASSWORD, client=CLIENT, now=NOW
    ).token
    assert accounts.sign_in(demo_store, "hr@example.com", GOOD, client=CLIENT, now=NOW).token


def test_deactivating_ends_every_session_at_once(demo_store):
    token = accounts.sign_in(
        demo_store, "hr@example.com", DEMO_PASSWORD, client=CLIENT, now=NOW
    ).token
    admin = user_id(demo_store, "admin@example.com")
    accounts.set_active(demo_store, user_id(demo_store, "hr@example.com"), False, now=NOW, by=admin)
    assert accounts.session_user(demo_store, token, now=NOW, policy=POLICY) is None
    assert not accounts.sign_in(
        demo_store, "hr@example.com", DEMO_PASSWORD, client=CLIENT, now=NOW
    ).token
    assert "user.deactivate" in audit_actions(demo_store)


def test_the_last_admin_cannot_be_removed_and_nobody_deactivates_themselves(demo_store):
    admin = user_id(demo_store, "admin@example.com")
    with pytest.raises(AccountError, match="only active admin"):
        accounts.set_roles(demo_store, admin, {"hr"}, now=NOW)
    with pytest.raises(AccountError, match="cannot deactivate yourself"):
        accounts.set_active(demo_store, admin, False, now=NOW, by=admin)
    hr = user_id(demo_store, "hr@example.com")
    accounts.set_roles(demo_store, hr, {"hr", "admin", "manager"}, now=NOW, by=admin)
    accounts.set_roles(demo_store, admin, {"hr"}, now=NOW, by=hr)  # now there is another
    with demo_store.reading() as cursor:
        assert accounts.find_user(cursor, "hr@example.com").roles == {"hr", "admin", "manager"}


def test_an_hr_user_is_limited_to_departments_and_freed_again(demo_store):
    hr = user_id(demo_store, "hr@example.com")
    with demo_store.reading() as cursor:
        first = int(queries.departments(cursor).department_id.iloc[0])
    accounts.set_hr_departments(demo_store, hr, {first}, now=NOW)
    with demo_store.reading() as cursor:
        assert accounts.hr_departments(cursor, hr) == {first}
    accounts.set_hr_departments(demo_store, hr, set(), now=NOW)
    with demo_store.reading() as cursor:
        assert accounts.hr_departments(cursor, hr) is None


def test_a_roster_edit_moves_a_team_from_a_date_and_keeps_history(demo_store):
    fields = {
        "team": "Platform",
        "department": "Research",
        "headcount": "11",
        "manager_email": "manager@example.com",
        "manager_name": "Jordan Blake",
        "effective_from": "2026-12-07",
    }
    plan = ingest.plan_edit(demo_store, fields, today=date(2026, 11, 24))
    assert ingest.describe(plan) == [
        "New departments: Research.",
        "Platform: department Engineering → Research, headcount 9 → 11 from 7 Dec 2026.",
    ]
    ingest.apply_roster(demo_store, plan, now=NOW, actor="admin page")
    with demo_store.reading() as cursor:
        team = queries.team_id_by_name(cursor, "Platform")
        history = queries.roster_history(cursor, team)
    assert list(history.department[:2]) == ["Research", "Engineering"]
    assert history["from"].iloc[0].date() == date(2026, 12, 7)


def test_a_bad_roster_edit_names_the_field_and_changes_nothing(demo_store):
    before = database_snapshot(demo_store)
    fields = {
        "team": "Platform",
        "department": "Engineering",
        "headcount": "lots",
        "manager_email": "not an email",
        "manager_name": "X",
    }
    with pytest.raises(ingest.ImportRefused) as refused:
        ingest.plan_edit(demo_store, fields, today=date(2026, 11, 24))
    assert {p.column for p in refused.value.problems} == {"manager_email", "headcount"}
    assert database_snapshot(demo_store) == before


def test_settings_are_saved_with_their_audit_line(demo_store):
    with demo_store.transaction() as cursor:
        store.save_settings(cursor, {"min_group_size": "7"}, by=1, at=NOW)
        store.record_audit(cursor, "settings.change", "min_group_size: 5 → 7", at=NOW, user_id=1)
    with demo_store.reading() as cursor:
        assert queries.org_settings(cursor).min_group_size == 7
        log = queries.audit_log(cursor, first=NOW.date(), last=NOW.date(), action="settings")
    assert log.detail.tolist() == ["min_group_size: 5 → 7"]


def test_the_audit_log_filters_by_kind_person_and_days(demo_store):
    accounts.sign_in(demo_store, "hr@example.com", "wrong password!", client=CLIENT, now=NOW)
    accounts.sign_in(
        demo_store, "hr@example.com", DEMO_PASSWORD, client=CLIENT, now=NOW + timedelta(days=2)
    )
    with demo_store.reading() as cursor:
        signs = queries.audit_log(
            cursor,
            first=NOW.date(),
            last=NOW.date() + timedelta(days=2),
            action="sign_in",
            who="HR@",
        )
        first_day = queries.audit_log(cursor, first=NOW.date(), last=NOW.date(), action="sign_in")
        kinds = queries.audit_actions(cursor)
    assert signs.action.tolist() == ["sign_in.success", "sign_in.failure"]  # newest first
    assert set(signs.who) == {"hr@example.com"}
    assert first_day.action.tolist() == ["sign_in.failure"]
    assert "sign_in" in kinds


def test_a_backup_is_a_complete_database_that_restores(demo_store, tmp_path):
    if demo_store.server:  # PostgreSQL's own tools back it up; Catalyst says how
        with pytest.raises(store.StoreError, match="back it up with pg_dump"):
            demo_store.backup(tmp_path / "backup.duckdb")
        return
    accounts.sign_in(demo_store, "hr@example.com", DEMO_PASSWORD, client=CLIENT, now=NOW)
    copy = demo_store.backup(tmp_path / "backup.duckdb")
    with pytest.raises(store.StoreError, match="exists already"):
        demo_store.backup(copy)
    before = database_snapshot(demo_store)
    with Store(copy) as restored:  # restoring is opening the copy in place of the original
        assert database_snapshot(restored) == before
        assert restored.schema_version == store.SCHEMA_VERSION
        assert accounts.sign_in(
            restored, "hr@example.com", DEMO_PASSWORD, client=CLIENT, now=NOW
        ).token
        with restored.transaction() as cursor:  # sequences carry on after the copied ids
            accounts.create_user(cursor, "new@example.com", {"hr"}, password_hash=None, now=NOW)


def test_user_commands_list_invite_set_role_and_deactivate(demo_path, capsys, monkeypatch):
    db = ["--db", str(demo_path)]
    assert main(["user", "set-role", "hr@example.com", "--role", "hr", "--role", "admin", *db]) == 0
    assert (
        main(["user", "invite", "manager@example.com", "--base-url", "https://c.example/", *db])
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "email,link"
    assert out[1].startswith("manager@example.com,https://c.example/?invite=")
    code = out[1].split("invite=")[1]
    assert main(["user", "deactivate", "manager@example.com", *db]) == 0
    assert main(["user", "list", "--json", *db]) == 0
    listed = {u["email"]: u for u in __import__("json").loads(capsys.readouterr().out)}
    assert listed["hr@example.com"]["roles"] == "admin, hr"
    assert listed["manager@example.com"]["active"] is False
    with Store(demo_path) as store_:
        assert accounts.invited_user(store_, code, now=NOW) is None
    assert main(["user", "deactivate", "nobody@example.com", *db]) == 1
    assert "No account for nobody@example.com" in capsys.readouterr().err


def test_backup_command_and_its_refusals(demo_path, tmp_path):
    target = tmp_path / "copy.duckdb"
    assert run_cli("backup", str(target), "--db", str(demo_path)).returncode == 0
    again = run_cli("backup", str(target), "--db", str(demo_path))
    assert again.returncode == 1 and "exists already" in again.stderr
    with HeldDatabase(demo_path):
        held = run_cli("backup", str(tmp_path / "other.duckdb"), "--db", str(demo_path))
    assert held.returncode == 1 and "Stop the app" in held.stderr
    assert "Traceback" not in held.stderr


def test_user_add_refuses_a_common_password(demo_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("password12345\n"))
    assert main(["user", "add", "ada@example.com", "--role", "hr", "--db", str(demo_path)]) == 1
    assert "too easy to guess" in capsys.readouterr().err
