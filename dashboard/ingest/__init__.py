"""Files in: read -> detect layout -> map columns -> normalize -> validate -> write."""

from dashboard.ingest.history import import_history, undo_import, undo_withdraws
from dashboard.ingest.people import PeoplePlan, apply_people, describe_people, plan_people
from dashboard.ingest.preview import SurveyPreview, preview_survey
from dashboard.ingest.report import ImportRefused, ImportReport, Problem
from dashboard.ingest.roster import RosterPlan, apply_roster, describe, plan_edit, plan_roster
from dashboard.ingest.survey import SurveyOptions, import_survey
from dashboard.ingest.text import Source
from dashboard.ingest.wins import WinsOptions, import_wins

__all__ = [
    "ImportRefused",
    "ImportReport",
    "PeoplePlan",
    "Problem",
    "WinsOptions",
    "RosterPlan",
    "Source",
    "SurveyOptions",
    "SurveyPreview",
    "apply_people",
    "apply_roster",
    "describe",
    "describe_people",
    "import_history",
    "import_wins",
    "import_survey",
    "plan_edit",
    "plan_people",
    "plan_roster",
    "preview_survey",
    "undo_import",
    "undo_withdraws",
]
