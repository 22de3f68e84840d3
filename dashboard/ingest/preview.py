"""What importing a survey file would do, without doing it (the Upload page's preview):
the same opening and checking as the import, on the same options, then a report, the
columns as read and the first rows as they would be stored."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard.catalysts import item_label
from dashboard.ingest import mapping
from dashboard.ingest.columns import ColumnMap, ordered_items
from dashboard.ingest.layouts import Layout
from dashboard.ingest.report import ImportRefused, ImportReport, Problem
from dashboard.ingest.survey import SurveyFile, SurveyOptions, opened_file
from dashboard.ingest.text import Source
from dashboard.store import Store


@dataclass
class SurveyPreview:
    """What importing a file would do, without doing it (the Upload page's preview)."""

    report: ImportReport
    layout: Layout | None = None
    columns: pd.DataFrame | None = None  # each column of the file and what it is read as
    sample: pd.DataFrame | None = None  # the first rows as they would be stored
    problems: list[Problem] = field(default_factory=list)  # why it would be refused
    suggestions: dict[str, str] = field(default_factory=dict)  # unmapped header -> catalyst

    @property
    def can_import(self) -> bool:
        return not self.problems


def preview_survey(
    db: Store, source: Source, options: SurveyOptions | None = None, rows: int = 10
) -> SurveyPreview:
    """Read and check a file as ``import_survey`` would; report instead of writing."""
    options = options or SurveyOptions()
    try:
        with opened_file(db, source, options) as opened:
            preview = SurveyPreview(opened.report, opened.text.layout)
            try:
                opened.stage(options)
                preview.problems = opened.refusal(options)
                preview.sample = _sample(opened, rows)
            except ImportRefused as refusal:
                preview.problems = refusal.problems
            preview.columns = _column_roles(opened.text.layout, opened.columns)
            unmapped = mapping.answer_like(
                opened.cursor, opened.text.layout, opened.columns.unused_indexes
            )
            preview.suggestions = {h: mapping.suggest(h) for h in unmapped}
            if opened.earlier:
                preview.report.already_imported = opened.earlier["when"]
            return preview
    except ImportRefused as refusal:
        return SurveyPreview(
            ImportReport(kind="survey", file_name=source.name), problems=refusal.problems
        )


def _sample(opened: SurveyFile, rows: int) -> pd.DataFrame:
    items = ordered_items(opened.columns)
    frame = opened.cursor.execute(
        f"SELECT row_number AS row, tm.name AS team, submitted_at, week, "  # noqa: S608
        f"{', '.join(items)}, comment, skip_reason AS skipped FROM typed "
        "LEFT JOIN teams tm USING (team_id) ORDER BY ordinal LIMIT ?",
        [rows],
    ).df()
    frame["week"] = frame["week"].dt.date
    return frame.rename(columns={k: item_label(k) for k in items})


def _column_roles(layout: Layout, columns: ColumnMap) -> pd.DataFrame:
    roles = {index: item_label(key) for key, index in columns.items.items()}
    for index, what in (
        (columns.team, "team"),
        (columns.time, "date"),
        (columns.comment, "comment"),
        (columns.response_id, "response id (hashed)"),
        (columns.status, "survey tool's status"),
        (columns.finished, "survey tool's finished flag"),
    ):
        if index is not None:
            roles.setdefault(index, what)
    dropped = {
        name.rsplit(" (", 1)[0]: name.rsplit(" (", 1)[1].rstrip(")") for name in columns.dropped
    }
    return pd.DataFrame(
        [
            {
                "column": column.header or f"column {column.index + 1}",
                "read as": roles.get(column.index) or dropped.get(column.header, "not used"),
            }
            for column in layout.columns
        ]
    )
