"""HR's Upload page through AppTest: preview, mapping, refusal report, import, undo."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from app_helpers import after_redirect, sign_in
from fixtures import SAMPLES, TEMPLATE_HEADER

from dashboard import accounts, queries
from dashboard.catalysts import ITEM_KEYS, item_label
from dashboard.clock import utc_now
from dashboard.markdown import plain
from dashboard.store import Store
from dashboard.views.upload import SAMPLE_HEADERS

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
    assert list(sample["Team"][:3]) == ["Platform", "Mobile", "Logistics"]
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
    ).set_value("clear_goals").run()  # a choice applies at once: no "Check again" button
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
    assert app.success[0].value == "1 row in roster.csv: 1 imported."


def test_people_are_previewed_applied_and_listed_on_the_admin_roster(
    upload_page, demo_path, app_on
):
    upload_page.get("segmented_control")[0].set_value("people").run()
    assert "whoever is missing leaves their team" in upload_page.info[0].value
    text = (
        "email,name,team\nada@example.com,Ada Lovelace,Platform\nbo@example.com,Bo Berg,Platform\n"
    )
    app = upload(upload_page, "people.csv", text.encode(), kind="people")
    changes = " ".join(m.value for m in app.markdown)
    assert (
        plain("Join from 27 Nov 2026: ada@example.com to Platform, bo@example.com to Platform.")
        in changes
    )
    assert plain("Platform: headcount") in changes and plain("→ 2 from 27 Nov 2026") in changes
    button(app, "Apply the people").click()
    app.run()
    assert app.success[0].value == "2 rows in people.csv: 2 imported."
    admin = after_redirect(sign_in(app_on(demo_path), "admin@example.com"))
    admin.switch_page("pages/admin.py")
    admin.query_params["section"] = "Roster"
    admin.run()
    with Store(demo_path) as db, db.reading() as cursor:
        platform = queries.team_id_by_name(cursor, "Platform")
    admin.selectbox(key="admin_team").set_value(platform).run()
    assert not admin.exception
    assert "**Platform: 2 people today**" in [m.value for m in admin.markdown]
    people = next(d.value for d in admin.dataframe if "Email" in d.value.columns)
    assert list(people.Email) == ["ada@example.com", "bo@example.com"]


def test_wins_and_setbacks_file(upload_page, demo_path):
    upload_page.get("segmented_control")[0].set_value("progress").run()
    app = upload(
        upload_page, "p.csv", b"team,week,wins,setbacks\nPlatform,2026-11-16,2,1\n", kind="progress"
    )
    button(app, "Import wins and setbacks").click()
    app.run()
    assert app.success[0].value == "1 row in p.csv: 1 imported."


# ---- the preview is what gets stored -------------------------------------------------------

UNMAPPED = (
    "team,submitted_at,Clear goals,Q9 I decide how I do my work,Q10 lunch was good,Notes,"
    "Your name\n"
    + "\n".join(
        f"{team},2026-11-1{i} 1{i}:00,{1 + i % 5},{2 + i % 4},{3 + i % 3},note {i},Person {i}"
        for i, team in enumerate(["Platform", "Mobile", "Logistics", "Platform"])
    )
    + "\n"
)
ITEM_LABELS = {item_label(k): k for k in ITEM_KEYS}


def read_as(app) -> dict[str, str]:
    table = next(d.value for d in app.dataframe if "Read as" in d.value.columns)
    return dict(zip(table["Column"], table["Read as"], strict=True))


def sample(app) -> pd.DataFrame:
    """The preview's sample under the names the responses are stored with."""
    shown = next(d.value for d in app.dataframe if "Submitted at" in d.value.columns)
    return shown.rename(columns={v: k for k, v in SAMPLE_HEADERS.items()})


def latest_import(path) -> pd.DataFrame:
    """The responses of the newest import, as stored, in file order (dates increase)."""
    with Store(path) as db, db.reading() as cursor:
        return cursor.execute(
            f"SELECT tm.name AS team, submitted_at, week, {', '.join(ITEM_KEYS)}, comment "  # noqa: S608
            "FROM survey_responses JOIN teams tm USING (team_id) "
            "WHERE import_id = (SELECT max(import_id) FROM imports) ORDER BY submitted_at"
        ).df()


def assert_stored_as_previewed(columns: dict[str, str], shown: pd.DataFrame, stored) -> None:
    items = {ITEM_LABELS[role] for role in columns.values() if role in ITEM_LABELS}
    assert {k for k in ITEM_KEYS if stored[k].notna().any()} == items  # no more, no less
    assert {k for k in ITEM_KEYS if stored[k].isna().all()} == set(ITEM_KEYS) - items
    assert len(stored) == len(shown)
    assert list(stored.team) == list(shown.team)
    assert list(stored.submitted_at.astype(str)) == list(shown.submitted_at.astype(str))
    assert list(stored.week.astype(str).str[:10]) == list(shown.week.astype(str))
    for key in items:
        assert list(stored[key]) == list(shown[item_label(key)]), key
    if "comment" in columns.values():
        assert list(stored.comment) == list(shown.comment)
    else:
        assert stored.comment.isna().all()


def test_columns_shown_not_used_are_not_imported(upload_page, demo_path):
    app = upload(upload_page, "unmapped.csv", UNMAPPED.encode())
    columns = read_as(app)
    assert columns["Q9 I decide how I do my work"] == "not used"
    assert columns["Q10 lunch was good"] == "not used"
    mapping = next(e for e in app.expander if e.label.startswith("Columns and what"))
    assert mapping.proto.expanded  # answer-like columns are unmapped: open, not hidden
    assert all(s.value in ("ignore", "") for s in app.selectbox if s.key.startswith("map-"))
    assert "Looks like answers" in app.selectbox(key=map_key(app, "D")).help  # Q9
    assert "Looks like answers" not in app.selectbox(key=map_key(app, "F")).help  # Notes
    shown = sample(app)
    button(app, "Import").click()
    app.run()
    assert app.success[0].value == "4 rows in unmapped.csv: 4 imported."
    stored = latest_import(demo_path)
    assert_stored_as_previewed(columns, shown, stored)
    assert stored.autonomy.isna().all()  # Q9 resembles autonomy, but was shown "not used"


def test_every_choice_on_the_page_is_previewed_then_stored(upload_page, demo_path):
    app = upload(upload_page, "unmapped.csv", UNMAPPED.encode())
    choose = {"D": "autonomy", "F": "comment"}  # Q9 and the free-text Notes
    for letter, role in choose.items():
        app.selectbox(key=map_key(app, letter)).set_value(role).run()
    app.get("segmented_control")[1].set_value("all").run()  # recognised columns too
    app.selectbox(key=map_key(app, "C")).set_value("ignore").run()  # Clear goals: not used
    columns = read_as(app)
    assert columns["Q9 I decide how I do my work"] == "Autonomy"
    assert columns["Notes"] == "comment"
    assert columns["Clear goals"] == "not used"
    personal = app.selectbox(key=map_key(app, "G"))  # "Your name": never a comment
    assert "comment" not in personal.options and "Comment" not in personal.options
    shown = sample(app)
    button(app, "Import").click()
    app.run()
    stored = latest_import(demo_path)
    assert_stored_as_previewed(columns, shown, stored)
    assert list(stored.comment) == [f"note {i}" for i in range(4)]
    assert stored.clear_goals.isna().all()


def test_an_option_changed_by_the_import_click_is_previewed_first(upload_page, demo_path):
    app = upload(upload_page, "week.csv", (TEMPLATE_HEADER + "\n" + DEMO_ROWS + "\n").encode())
    key = next(t.key for t in app.text_input if t.label == "Answer labels")
    app.text_input(key=key).input("Not useful=1,Very useful=5")
    button(app, "Import").click()  # both reach the server in one run, as in a browser
    app.run()
    assert "check the preview above and click Import again" in app.warning[0].value
    assert len(imports(demo_path)) == 1  # nothing imported with options nobody saw
    button(app, "Import").click()
    app.run()
    assert app.success[0].value == "9 rows in week.csv: 9 imported."


def test_answer_labels_are_asked_for_in_full_and_given_under_options(upload_page, demo_path):
    words = ["Not useful", "Somewhat useful", "Neutral", "Useful", "Very useful"]
    text = "team,submitted_at,Clear goals\n" + "".join(
        f"Platform,2026-11-1{i} 09:00,{words[i]}\n" for i in range(5)
    )
    app = upload(upload_page, "labels.csv", text.encode())
    refusal = app.error[0].value  # a column's problem says what to do, uncut
    assert "Column C (Clear goals)" in refusal and '"Answer labels" under Options' in refusal
    assert "--labels" not in refusal
    field = next(t for t in app.text_input if t.label == "Answer labels")
    field.input(",".join(f"{w}={n}" for n, w in enumerate(words, 1))).run()
    assert not app.error
    button(app, "Import").click()
    app.run()
    assert list(latest_import(demo_path).clear_goals) == [1.0, 2.0, 3.0, 4.0, 5.0]


def map_key(app, letter: str) -> str:
    return next(
        s.key for s in app.selectbox if s.key.startswith("map-") and s.label.startswith(letter)
    )


def test_any_column_of_a_wide_file_can_be_mapped(upload_page):
    headers = [f"Q{n} something we asked" for n in range(1, 46)]
    text = "team,submitted_at," + ",".join(headers) + "\n"
    text += "".join(f"Platform,2026-11-1{i}," + ",".join("3" * 45) + "\n" for i in range(3))
    app = upload(upload_page, "wide.csv", text.encode())
    listed = [s for s in app.selectbox if s.key.startswith("map-")]
    assert len(listed) == 24  # capped, and said so
    assert any("The first 24 of 45 columns" in c.value for c in app.caption)
    app.text_input(key=next(t.key for t in app.text_input if t.label == "Find a column")).input(
        "Q45"
    ).run()
    (last,) = [s for s in app.selectbox if s.key.startswith("map-")]
    assert last.label == "AU · Q45 something we asked"
    last.set_value("clear_goals").run()
    assert read_as(app)["Q45 something we asked"] == "Clear goals"
    assert not app.error


# ---- page words, and file-borne text as plain text ----------------------------------------

PAYLOADS = (
    "[Click to verify your account](https://evil.example)",
    "![x](https://evil.example/x.png)",
    "$$x$$",
)


def rendered_markdown(app) -> list[str]:
    """Every text Streamlit renders as Markdown: bodies, labels, help and progress texts."""
    texts = []
    for node in [*app.main, *app.sidebar]:
        proto = getattr(node, "proto", None)
        for field in ("body", "label", "help", "text", "placeholder"):
            value = getattr(proto, field, None) if proto is not None else None
            if isinstance(value, str) and value:
                texts.append(value)
    return texts


def assert_nothing_live(app) -> None:
    for text in rendered_markdown(app):
        assert not re.search(r"(?<!\\)\]\(", text), text  # a link or an image
        assert not re.search(r"(?<!\\)!\[", text), text
        assert not re.search(r"(?<!\\)\$", text), text  # maths
        assert "https://evil" not in text, text  # a bare address becomes a link


def test_headers_and_file_names_are_shown_as_typed_never_as_markdown(upload_page, demo_path):
    name = " ".join(PAYLOADS) + ".csv"
    text = (
        "team,submitted_at,clear_goals,"
        + ",".join(f'"{p}"' for p in PAYLOADS)
        + "\n"
        + "".join(f"Platform,2026-11-1{i} 10:00,4,3,4,5\n" for i in range(3))
    )
    app = upload(upload_page, name, text.encode())
    labels = [s.label for s in app.selectbox if s.key.startswith("map-")]
    for payload in PAYLOADS:
        assert any(plain(payload) in label for label in labels), (payload, labels)
    assert any("look like answers" in c.value for c in app.caption)  # named, escaped
    assert_nothing_live(app)
    button(app, "Import").click()
    app.run()
    assert app.success[0].value == f"3 rows in {plain(name)}: 3 imported."
    assert_nothing_live(app)
    latest = max(app.selectbox(key="undo-choice").options)
    app.selectbox(key="undo-choice").set_value(int(latest.split()[0][1:])).run()
    assert plain(name) in app.checkbox(key="undo-confirm").label
    assert_nothing_live(app)


def test_messages_name_the_page_controls_not_command_line_flags(upload_page):
    text = "Team,When did you answer,How was lunch\n" + "".join(
        f"Platform,someday,{1 + i}\n" for i in range(3)
    )
    app = upload(upload_page, "odd.csv", text.encode())
    shown = rendered_markdown(app) + [
        str(v) for d in app.dataframe for v in d.value.astype(str).to_numpy().ravel()
    ]
    assert any('"Columns and what Catalyst reads them as"' in t for t in shown)
    for text in shown:
        assert "{option:" not in text and "--map" not in text and "--week" not in text, text


# ---- where to start, and the history -------------------------------------------------------

ROSTER = (
    "team,department,manager_name,manager_email,headcount\n"
    "Platform,Engineering,Ann Park,ann.park@example.com,9\n"
)


def test_the_next_step_follows_what_is_stored(app_on, tmp_path):
    path = tmp_path / "new.duckdb"
    with Store(path) as db, db.transaction() as cursor:
        accounts.create_user(
            cursor,
            "hr@corp.example",
            {"hr"},
            now=utc_now(),
            password_hash=accounts.hash_password("a long enough password"),
        )
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
    assert (
        config["When (UTC)"]["type_config"]["format"]
        == config["Undone (UTC)"]["type_config"]["format"]
    )
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
