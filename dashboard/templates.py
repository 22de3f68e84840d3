"""What HR downloads to start: the survey template, the question list for survey
tools, the roster and people templates. Built from the framework in catalysts.py."""

from __future__ import annotations

import pandas as pd

from dashboard import exports
from dashboard.catalysts import CATALYSTS, ITEM_KEYS, PROGRESS

SCALE = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")


def survey_template() -> pd.DataFrame:
    example = {"team": "Support", "submitted_at": "2026-11-24 14:05", "comment": ""}
    example |= dict.fromkeys(ITEM_KEYS, 4)
    return pd.DataFrame([example], columns=["team", "submitted_at", *ITEM_KEYS, "comment"])


def roster_template() -> pd.DataFrame:
    return pd.DataFrame(
        [["Support", "Customer", "Rae Kim", "rae.kim@example.com", 7, ""]],
        columns=[
            "team",
            "department",
            "manager_name",
            "manager_email",
            "headcount",
            "effective_from",
        ],
    )


def people_template() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ["ada.lovelace@example.com", "Ada Lovelace", "Support", "en", ""],
            ["", "Kai Berg", "Support", "de", ""],
        ],  # no e-mail: answers with a kiosk code
        columns=["email", "name", "team", "language", "effective_from"],
    )


def progress_template() -> pd.DataFrame:
    return pd.DataFrame(
        [["Support", "2026-11-23", 3, 1]], columns=["team", "week", "wins", "setbacks"]
    )


def question_list(teams: list[str]) -> str:
    """How to build the survey in Google Forms or Microsoft Forms so it imports as is."""
    statements = "\n".join(f"  - {c.statement}" for c in CATALYSTS)
    team_choices = "\n".join(f"  - {t}" for t in teams) or "  - (your teams, as on the roster)"
    return f"""Catalyst weekly team survey — questions to build in Google Forms or Microsoft Forms
===================================================================================

1. "Your team" — multiple choice (drop-down), one answer, required.
   Choices, exactly as on the roster:
{team_choices}

2. "Thinking about this week, how much do you agree?" — a grid (Google Forms:
   "Multiple choice grid"; Microsoft Forms: "Likert"). Rows, word for word:
{statements}
  - {PROGRESS.statement}
   Columns: {", ".join(SCALE)}.

3. "Anything else you want to say?" — paragraph, optional. Shown to managers only
   when at least 10 people answered in the same team and week, without dates.

Do not ask for names or emails: Catalyst drops them on import anyway.
Export the responses (Google Forms: Download responses (.csv); Microsoft Forms:
Open in Excel) and upload the file as it comes.
"""


def xlsx(frame: pd.DataFrame) -> bytes:
    return exports.xlsx_bytes(frame, "Responses")
