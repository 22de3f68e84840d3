"""HR's Upload page through AppTest: preview, mapping, refusal report, import, undo."""

from __future__ import annotations

import json

import pytest
from app_helpers import after_redirect, sign_in
from fixtures import SAMPLES, TEMPLATE_HEADER

from dashboard import accounts
from dashboard.clock import utc_now
from dashboard.markdown import plain
from dashboard.store import Store

DEMO_ROWS = "\n".join(
    f"{team},2026-11-1{i % 3} 10:00,{1 + i % 5},4,4,4,4,4,4,"
    for i, team in enumerate(["Platform", "Mobile", "Logistics"] * 3)
)


@pytest.fixture
def upload_page(app_on, demo_path):
    app = after_redirect(sign_in(app_on(demo_path), "hr@example.com"))
    app.switch_page("pages/upload.py").run()
    assert not app.exception, app.exception
    return app


def upload(app, name: str, data: bytes, kind: str = "survey"):
    app.get("file_uploader")[0].set_value((name, data, "text/csv"))
    app.run()
    assert not app.exception, app.exception
    return app


def button(app, label: str):
    return next(b for b in app.button if b.label == label)


def imports(path) -> list:
    with Store(path) as db, db.reading() as cursor:
        return cursor.execute(
            "SELECT kind, imported, undone_at IS NULL FROM imports ORDER BY import_id"
        ).fetchall()


def test_the_page_offers_templates_and_says_where_to_start(upload_page):
    assert upload_page.title[0].value == "Upload"
    hint = upload_page.info[0].value  # the demo has teams and responses: no "roster first"
    assert "rows already stored are recognised" in hint and "roster first" not in hint
    labels = {b.label for b in upload_page.get("download_button")}
    assert {"CSV", "Excel", "Question list", "Roster (CSV)", "Wins and setbacks (CSV)"} <= labels


def test_a_survey_file_is_previewed_then_imported_and_undone(upload_page, demo_path):
    app = upload(upload_page, "week.csv", (TEMPLATE_HEADER + "\n" + DEMO_ROWS + "\n").encode())
    assert any("Recognised as a Catalyst template export" in c.value for c in app.caption)
    sample = app.dataframe[1].value
    assert list(sample["team"][:3]) == ["Platform", "Mobile", "Logistics"]
    assert "9 rows:" in " ".join(m.value for m in app.markdown)
    button(app, "Import").click()
    app.run()
    assert app.success[0].value == "9 rows in week.csv: 9 imported."
    assert imports(demo_path)[-1] == ("survey", 9, True)

    with Store(demo_path) as db, db.reading() as cursor:
        (latest,) = cursor.execute("SELECT max(import_id) FROM imports").fetchall()[0]
    app.selectbox(key="undo-choice").set_value(latest).run()
    assert button(app, "Undo import").disabled
    app.checkbox(key="undo-confirm").check().run()
    button(app, "Undo import").click()
    app.run()
    assert any(s.value.endswith("undone: 9 rows removed.") for s in app.success)
    assert imports(demo_path)[-1] == ("survey", 9, False)


def test_a_refused_file_lists_problems_offers_the_report_and_cannot_be_imported(
    upload_page, demo_path
):
    app = upload(upload_page, "g.csv", (SAMPLES / "google_forms_example.csv").read_bytes())
    assert app.error[0].value.startswith("10 problems found.")
    assert "Download the validation report (CSV)" in {b.label for b in app.get("download_button")}
    assert button(app, "Import").disabled
    assert len(imports(demo_path)) == 1  # only the demo's own


def test_unrecognised_columns_are_mapped_on_the_page_and_remembered(upload_page, demo_path):
    text = (
        "team,submitted_at,Q7 goals clear to me\n"
        + "\n".join(f"Platform,2026-11-1{i},{3 + i % 2}" for i in range(3))
        + "\n"
    )
    app = upload(upload_page, "q.csv", text.encode())
    assert app.error[0].value.startswith("1 problem found.")
    app.selectbox(
        key=next(s.key for s in app.selectbox if s.key and s.key.startswith("map-"))
    ).set_value("clear_goals")
    button(app, "Check again with this mapping").click()
    app.run()
    assert not app.error
    button(app, "Import").click()
    app.run()
    assert app.success[0].value == "3 rows in q.csv: 3 imported."
    with Store(demo_path) as db, db.reading() as cursor:
        assert cursor.execute("SELECT role FROM column_mappings").fetchall() == [("clear_goals",)]


def test_a_roster_is_previewed_before_it_is_applied(upload_page, demo_path):
    upload_page.get("segmented_control")[0].set_value("roster").run()
    text = "team,department,manager_name,manager_email,headcount\nPlatform,Engineering,Ann Park,ann.park@example.com,9\n"
    app = upload(upload_page, "roster.csv", text.encode(), kind="roster")
    changes = " ".join(m.value for m in app.markdown)
    assert plain("Platform: manager Jordan Blake → Ann Park from") in changes
    assert (
        plain("New manager accounts (no password yet): ann.park@example.com (Ann Park).") in changes
    )
    button(app, "Apply the roster").click()
    app.run()
    assert app.success[0].value == "1 rows in roster.csv: 1 imported."


def test_wins_and_setbacks_file(upload_page, demo_path):
    upload_page.get("segmented_control")[0].set_value("progress").run()
    app = upload(
        upload_page, "p.csv", b"team,week,wins,setbacks\nPlatform,2026-11-16,2,1\n", kind="progress"
    )
    button(app, "Import wins and setbacks").click()
    app.run()
    assert app.success[0].value == "1 rows in p.csv: 1 imported."


# ---- where to start, and the history -------------------------------------------------------

ROSTER = (
    "team,department,manager_name,manager_email,headcount\n"
    "Platform,Engineering,Ann Park,ann.park@example.com,9\n"
)


def test_the_next_step_follows_what_is_stored(app_on, tmp_path):
    path = tmp_path / "new.duckdb"
    with Store(path) as db, db.transaction() as cursor:
        accounts.create_user(cursor, "hr@corp.example", {"hr"}, now=utc_now(),
                             password_hash=accounts.hash_password("a long enough password"))  # fmt: skip
    app = after_redirect(sign_in(app_on(path), "hr@corp.example", "a long enough password"))
    app.switch_page("pages/upload.py").run()
    assert "import the roster first" in app.info[0].value  # no teams yet
    app.get("segmented_control")[0].set_value("roster").run()
    assert "download the roster template" in app.info[0].value
    app = upload(app, "roster.csv", ROSTER.encode())
    button(app, "Apply the roster").click()
    app.run()
    app.get("segmented_control")[0].set_value("survey").run()
    hint = app.info[0].value  # teams, but no survey responses yet
    assert "drop your first survey export" in hint and "roster first" not in hint
    app = upload(
        app, "week.csv", f"{TEMPLATE_HEADER}\nPlatform,2026-11-16 10:00,{'4,' * 7}\n".encode()
    )
    button(app, "Import").click()
    app.run()
    app.get("file_uploader")[0].set_value(None).run()
    assert "rows already stored are recognised" in app.info[0].value


def test_the_history_offers_only_what_can_be_undone_and_shows_the_state_first(
    upload_page, demo_path
):
    app = upload(upload_page, "week.csv", (TEMPLATE_HEADER + "\n" + DEMO_ROWS + "\n").encode())
    button(app, "Import").click()
    app.run()
    history = next(d for d in app.dataframe if "State" in d.value.columns)
    assert list(history.value.columns[:3]) == ["#", "State", "When (UTC)"]  # visible at 1280 px
    assert list(history.value["State"]) == ["Stored", "Stored"]
    config = json.loads(history.proto.columns)
    for count in ("Rows", "Imported", "Duplicates", "Rejected", "Skipped"):
        assert config[count]["type_config"]["format"] == "localized", count  # 7,618
    assert config["When (UTC)"]["type_config"]["format"] == config["Undone (UTC)"][
        "type_config"
    ]["format"]  # fmt: skip
    choice = app.selectbox(key="undo-choice")
    newest = max(int(label.split()[0][1:]) for label in choice.options)
    choice.set_value(newest).run()
    app.checkbox(key="undo-confirm").check().run()
    button(app, "Undo import").click()
    app.run()
    choice = app.selectbox(key="undo-choice")
    assert choice.value is None and choice.proto.set_value  # the browser's pick is reset too
    assert not any(label.startswith(f"#{newest} ") for label in choice.options)
    assert len(choice.options) == 1  # the demo's own import is left
    history = next(d for d in app.dataframe if "State" in d.value.columns)
    assert list(history.value["State"]) == ["Undone", "Stored"]
    assert not [c for c in app.checkbox if c.key == "undo-confirm"]  # nothing chosen
