"""The Admin page through AppTest on the small demo: people and invitations, roster
edits, settings, the audit log and backups, without a terminal."""

from __future__ import annotations

from datetime import datetime

import pytest
from app_helpers import after_redirect, offered_files, sign_in, text_input
from fixtures import as_if_never_published
from streamlit.testing.v1 import AppTest

from dashboard import accounts, queries
from dashboard.markdown import plain
from dashboard.store import Store

NOW = datetime(2026, 11, 24, 9, 0)


@pytest.fixture
def admin(app_on, demo_path):
    def start(section: str = "People") -> AppTest:
        app = after_redirect(sign_in(app_on(demo_path), "admin@example.com"))
        app.switch_page("pages/admin.py")
        app.query_params["section"] = section
        app.run()
        assert not app.exception, app.exception
        return app

    return start


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def audit(path, action: str) -> list[str]:
    with Store(path) as db, db.reading() as cursor:
        rows = cursor.execute(
            "SELECT detail FROM audit_log WHERE action = ? ORDER BY audit_id", [action]
        ).fetchall()
    return [detail for (detail,) in rows]


def test_adding_a_person_shows_their_invitation_link_once(admin, demo_path):
    app = admin()
    text_input(app, "Email").input("ada.lovelace@example.com")
    text_input(app, "Name").input("Ada Lovelace")
    app.multiselect[0].set_value(["manager", "hr"])
    button(app, "Add and invite").click().run()
    assert not app.exception and not app.error
    assert app.caption[0].value == "Ada Lovelace · ada.lovelace@example.com"
    link = app.code[0].value
    assert link.startswith("http") and "/?invite=" in link
    assert "not shown again" in app.markdown[0].value
    code = link.split("invite=")[1]
    with Store(demo_path) as db:
        assert accounts.invited_user(db, code, now=NOW).roles == {"manager", "hr"}
    assert audit(demo_path, "user.add") == ["ada.lovelace@example.com roles=hr,manager"]
    assert app.success[0].value == plain(
        "Added Ada Lovelace (ada.lovelace@example.com) as Manager and HR. "
        "Send them the invitation link below."
    )
    button(app, "Done: I have sent them").click().run()
    assert not app.code  # gone for good


def test_a_new_manager_gets_an_existing_team_from_today(admin, demo_path):
    with Store(demo_path) as db, db.reading() as cursor:
        platform = queries.team_id_by_name(cursor, "Platform")
        facts_before = len(queries.roster_history(cursor, platform))
    app = admin()
    text_input(app, "Email").input("grace@example.com")
    text_input(app, "Name").input("Grace Hopper")
    app.selectbox(key="admin_add_team").set_value(platform)
    button(app, "Add and invite").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    message = app.success[0].value
    assert message.startswith(plain("Added Grace Hopper (grace@example.com) as Manager; "))
    assert plain("they manage Platform from 27 Nov 2026 (until then ") in message
    with Store(demo_path) as db, db.reading() as cursor:
        history = queries.roster_history(cursor, platform)
    assert len(history) == facts_before + 1  # a new fact; the earlier ones stay
    assert history.manager_email.iloc[0] == "grace@example.com"
    assert history.manager_email.iloc[1] != "grace@example.com"
    assert audit(demo_path, "user.add") == [f"grace@example.com roles=manager team_id={platform}"]


def test_a_live_invitation_is_not_offered_again_at_once(admin, demo_path):
    with Store(demo_path) as db:
        ada = accounts.add_user(db, "ada@example.com", {"manager"}, display_name="Ada", now=NOW)
        accounts.invite(db, [ada], now=NOW)  # works until 8 Dec; the test clock says 27 Nov
    app = admin()
    assert not any(b.label.startswith("Invite") for b in app.button)  # nobody else waits
    assert "1 more has an invitation that still works" in app.caption[0].value
    status = app.dataframe[0].value.set_index("Email").loc["ada@example.com", "Status"]
    assert status == "invited, link works until 8 Dec 2026"
    app.selectbox(key="admin_person").set_value(ada).run()
    assert any("link that works until 8 Dec 2026" in c.value for c in app.caption)
    assert not any(b.label.startswith("New invitation") for b in app.button)
    app.checkbox(key=f"replace_{ada}").check().run()
    button(app, "New invitation link").click().run()
    assert len(app.code) == 1 and len(audit(demo_path, "user.invite")) == 2


def test_inviting_everyone_without_a_password_at_once(admin, demo_path):
    with Store(demo_path) as db:
        for i in range(3):
            accounts.add_user(db, f"new{i}@example.com", {"manager"}, display_name=None, now=NOW)
    app = admin()
    assert "3 people have no password yet" in app.caption[0].value
    button(app, "Invite all 3 of them").click().run()
    assert len(app.code) == 3 and all("/?invite=" in c.value for c in app.code)
    assert [b.label for b in app.get("download_button")] == ["Download (CSV)"]
    assert len(audit(demo_path, "user.invite")) == 3


def test_deactivating_and_changing_roles_from_the_page(admin, demo_path):
    app = admin()
    with Store(demo_path) as db:
        hr = accounts.find_user(db._connection.cursor(), "hr@example.com").user_id
    app.selectbox(key="admin_person").set_value(hr).run()
    app.multiselect[1].set_value(["hr", "manager"])
    app.toggle[0].set_value(False)
    button(app, "Save changes").click().run()
    assert not app.exception
    assert app.success[0].value == plain("Priya Raman: roles, deactivated: signed out everywhere.")
    with Store(demo_path) as db, db.reading() as cursor:
        user = accounts.find_user(cursor, "hr@example.com")
    assert user.roles == {"hr", "manager"} and not user.active


def test_the_last_admin_is_told_why_they_cannot_drop_the_role(admin, demo_path):
    app = admin()
    with Store(demo_path) as db:
        me = accounts.find_user(db._connection.cursor(), "admin@example.com").user_id
    app.selectbox(key="admin_person").set_value(me).run()
    app.multiselect[1].set_value(["hr"])
    button(app, "Save changes").click().run()
    assert "only active admin" in app.error[0].value
    with Store(demo_path) as db, db.reading() as cursor:
        assert "admin" in accounts.find_user(cursor, "admin@example.com").roles


def test_a_reorg_moves_a_team_to_another_department_from_a_date(admin, demo_path):
    app = admin("Roster")
    with Store(demo_path) as db, db.reading() as cursor:
        platform = queries.team_id_by_name(cursor, "Platform")
    app.selectbox(key="admin_team").set_value(platform).run()
    assert app.markdown[0].value == "**Platform: its history**"
    app.selectbox[1].set_value("Operations")
    app.date_input[0].set_value(datetime(2026, 12, 7).date())
    button(app, "Save").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert app.success[0].value == plain(
        "Platform: department Engineering → Operations from 7 Dec 2026."
    )
    with Store(demo_path) as db, db.reading() as cursor:
        history = queries.roster_history(cursor, platform)
    assert history.department.tolist()[:2] == ["Operations", "Engineering"]
    assert audit(demo_path, "import.roster") == [
        "import #2 Admin page: Platform: department Engineering → Operations from 7 Dec 2026."
    ]


def test_a_new_team_without_its_facts_is_refused_field_by_field(admin, demo_path):
    app = admin("Roster")
    app.selectbox(key="admin_team").set_value(0).run()
    text_input(app, "Team").input("Moonshots")
    button(app, "Save").click().run()
    assert [e.value for e in app.error] == [
        "department is empty",
        "manager name is empty",
        "manager email is empty",
    ]
    with Store(demo_path) as db, db.reading() as cursor:
        assert queries.team_id_by_name(cursor, "Moonshots") is None


def test_changing_the_minimum_group_size_without_a_terminal(admin, demo_path):
    app = admin("Settings")
    app.number_input[0].set_value(7)
    app.toggle[0].set_value(True)
    button(app, "Save settings").click().run()
    assert not app.exception
    assert app.success[0].value == plain(
        "Saved: Minimum group size, HR sees managers' check-in notes."
    )
    with Store(demo_path) as db, db.reading() as cursor:
        org = queries.org_settings(cursor)
    assert (org.min_group_size, org.manager_notes_visible_to_hr) == (7, True)
    assert audit(demo_path, "settings.change") == [
        "min_group_size: 5 → 7; manager_notes_visible_to_hr: False → true"
    ]


def test_the_audit_log_shows_and_filters_what_happened(admin, demo_path):
    app = admin("Audit log")
    lines = app.dataframe[0].value
    assert "sign_in.success" in set(lines.Action)
    app.selectbox(key="audit_kind").set_value("sign_in").run()
    assert set(app.dataframe[0].value.Action) <= {"sign_in.success", "sign_in.failure"}
    app.text_input(key="audit_who").input("nobody-here").run()
    assert app.dataframe[0].value.empty
    assert offered_files(app) == ["Download (CSV)"]


def test_the_backup_section_offers_the_database(admin):
    app = admin("Backup")
    assert offered_files(app) == ["Download a backup"]
    assert "To restore: stop Catalyst" in app.markdown[0].value


def test_an_admin_raises_a_file_limit_that_a_refusal_named(admin, demo_path):
    """A refusal says "ask an admin to raise the limit": the limit is on the page."""
    app = admin("Settings")
    rows = next(n for n in app.number_input if n.label == "Most rows in a file")
    rows.set_value(3_000_000)
    button(app, "Save settings").click().run()
    assert not app.exception
    assert app.success[0].value == plain("Saved: Most rows in a file.")
    with Store(demo_path) as db, db.reading() as cursor:
        assert queries.org_settings(cursor).max_rows == 3_000_000


def test_an_admin_takes_the_organization_live_when_it_is_set_up(admin, demo_path):
    as_if_never_published(demo_path)
    app = admin("Settings")
    assert "Being set up" in app.info[0].value
    assert button(app, "Go live").disabled
    app.checkbox[0].check().run()
    button(app, "Go live").click().run()
    assert not app.exception
    assert app.success[0].value == plain(
        "Live: every closed round is published (73 results of teams and pools)."
    )
    assert any("Live since" in box.value for box in app.success)
    with Store(demo_path) as db, db.reading() as cursor:
        assert queries.live_since(cursor) is not None
        (rounds,) = cursor.execute("SELECT count(*) FROM published_rounds").fetchone()
    assert rounds == 7  # the demo's eight weeks but the open one
    # Once when the demo was built, once now.
    assert (
        audit(demo_path, "organization.live")
        == ["went live: closed rounds published (73 cells)"] * 2
    )
