"""Files in: read -> detect layout -> map columns -> normalize -> validate -> write."""

from dashboard.ingest.history import import_history, undo_import
from dashboard.ingest.report import ImportRefused, ImportReport, Problem
from dashboard.ingest.roster import RosterPlan, apply_roster, describe, plan_roster
from dashboard.ingest.survey import SurveyOptions, import_survey
from dashboard.ingest.text import Source

__all__ = [
    "ImportRefused", "ImportReport", "Problem", "RosterPlan", "Source", "SurveyOptions",
    "apply_roster", "describe", "import_history", "import_survey", "plan_roster", "undo_import",
]  # fmt: skip
