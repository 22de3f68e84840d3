"""HR uploads a Google Forms export in a real browser, sees what happened, and undoes it."""

from __future__ import annotations

import pytest
from browser import ROOT, open_signed_in, screenshot, settle
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
MAIN = "[data-testid='stMain']"


def google_forms_export(folder) -> str:
    """The Google Forms sample of our questions, with the demo organization's teams."""
    text = (ROOT / "tests" / "data" / "samples" / "google_forms_example.csv").read_text()
    for sample, demo in (
        ("Sales East", "Mobile"),
        ("Sales West", "Logistics"),
        ("Support", "Platform"),
    ):
        text = text.replace(sample, demo)
    path = folder / "Weekly pulse (Responses).csv"
    path.write_text(text)
    return str(path)


def test_hr_uploads_a_google_forms_export_and_undoes_it(demo_server, page, tmp_path):
    open_signed_in(page, f"{demo_server.url}/upload", "hr@example.com", height=2000)
    main = page.locator(MAIN)
    main.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        google_forms_export(tmp_path)
    )
    expect(main).to_contain_text("Recognised as a Google Forms export", timeout=30_000)
    expect(main).to_contain_text("The first rows, as they will be stored")
    screenshot(page, "upload-preview")

    main.get_by_role("button", name="Import", exact=True).click()
    expect(main).to_contain_text(
        "9 rows in Weekly pulse (Responses).csv: 9 imported.", timeout=30_000
    )
    expect(main).to_contain_text("Not stored: Email Address (personal data).")
    screenshot(page, "upload-imported")

    main.get_by_role("tab", name="History").click()
    history = main.locator("[data-testid='stTabPanel']").filter(has_text="Undo an import")
    expect(history).to_contain_text("Weekly pulse (Responses).csv")
    history.locator("[data-testid='stSelectbox']").click()
    page.get_by_role("option", name="Weekly pulse (Responses).csv").click()
    settle(page)
    history.get_by_text("Yes, remove the").click()
    settle(page)
    history.get_by_role("button", name="Undo import").click()
    expect(history).to_contain_text("undone: 9 rows removed.", timeout=30_000)
    settle(page)
    choice = history.locator("[data-testid='stSelectbox']")
    shown = choice.locator("input").first.input_value()  # what the box displays as chosen
    assert "Weekly pulse" not in shown, shown  # the browser dropped the undone pick
    choice.click()
    offered = [option.inner_text() for option in page.get_by_role("option").all()]
    assert offered and not any("Weekly pulse" in name for name in offered), offered
    page.keyboard.press("Escape")
    screenshot(page, "upload-undone")
