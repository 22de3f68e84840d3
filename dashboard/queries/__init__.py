"""The read side: parameterized SQL in, plain Python and DataFrames out.

Small lookups take a cursor (``store.reading()`` gives one per script run or
thread). The figures API below takes the Store and a ``Scope``: it computes
the organization's cells once per period and data version, applies the
privacy rules (privacy.py) before anything else, and only then narrows to
what the scope may see. Pages never see a cell that is not shown."""

from dashboard.queries.cells import (
    answers_beyond_people,
    default_period,
    forget_cached,
    latest_week,
    protected_cells,
    raw_counts,
)
from dashboard.queries.figures import (
    benchmark,
    comments,
    department_table,
    departments_figure,
    held_responses,
    participation,
    self_vs_team,
    self_vs_team_all,
    team_changes,
    team_figure,
    team_rounds,
    team_table,
    trends,
)
from dashboard.queries.organization import (
    AUDIT_HEADERS,
    audit_actions,
    audit_log,
    data_versions,
    departments,
    imports_since,
    is_demo,
    manager_names,
    managers,
    meta,
    org_settings,
    organization_counts,
    roster_history,
    roster_now,
    survey_weeks,
    team_id_by_name,
    team_names,
    team_now,
)
from dashboard.queries.publication import (
    first_unpublished_week,
    go_live,
    live_since,
    new_team_results,
    publish_due,
    version_key,
)
from dashboard.queries.publication import state as publication_state
from dashboard.queries.scope import Scope

__all__ = [
    "answers_beyond_people",
    "Scope",
    "first_unpublished_week",
    "imports_since",
    "new_team_results",
    "go_live",
    "live_since",
    "publication_state",
    "publish_due",
    "AUDIT_HEADERS",
    "audit_actions",
    "audit_log",
    "benchmark",
    "comments",
    "data_versions",
    "default_period",
    "department_table",
    "departments",
    "departments_figure",
    "forget_cached",
    "held_responses",
    "is_demo",
    "latest_week",
    "manager_names",
    "managers",
    "meta",
    "org_settings",
    "organization_counts",
    "participation",
    "protected_cells",
    "raw_counts",
    "roster_history",
    "roster_now",
    "self_vs_team",
    "self_vs_team_all",
    "survey_weeks",
    "team_changes",
    "team_figure",
    "team_id_by_name",
    "team_names",
    "team_now",
    "team_rounds",
    "team_table",
    "trends",
    "version_key",
]
