"""What an import did, row by row, in words people can act on."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

MAX_PROBLEMS_SHOWN = 50  # a refusal lists this many; the report keeps them all

# Messages name what a person can do about a file as "{option:NAME}"; each front end
# says it in its own terms: the command line's flags, the Upload page's controls.
OPTION_WORDS = {
    "map": ('--map "HEADER=key"', 'the column mapping under "Columns and what Catalyst reads '
            'them as"'),
    "team": ("--team", '"Every row belongs to team" under Options'),
    "team_column": ("--team-column HEADER", 'Team in the column mapping under "Columns and what '
                    'Catalyst reads them as"'),
    "team_alias": ('--team-alias "NAME=Team"', 'an alias on the command line (catalyst import '
                   'survey FILE --team-alias "NAME=Team")'),
    "week": ("--week YYYY-MM-DD", '"Every row belongs to the week of" under Options'),
    "scale": ("--scale LOW-HIGH", '"Numbers are on the scale" under Options'),
    "date_order": ("--date-order dmy or mdy", '"Dates like 11/12/2026 are" under Options'),
    "skip_invalid": ("--skip-invalid", '"Import the valid rows and keep a report of the '
                     'others" under Options'),
    "labels": ('--labels "LABEL=1,LABEL=2,…"', '"Answer labels" under Options'),
    "sheet": ("--sheet NAME", "the command line (--sheet NAME), or a workbook with that sheet "
              "first"),
}  # fmt: skip
FRONTS = ("cli", "page")


def worded(text: str, front: str = "cli") -> str:
    """``text`` with each {option:NAME} said as the front end ("cli" or "page") says it."""
    position = FRONTS.index(front)
    return re.sub(
        r"\{option:([a-z_]+)\}",
        lambda found: (
            OPTION_WORDS[found.group(1)][position]
            if found.group(1) in OPTION_WORDS
            else found.group(0)
        ),
        text,
    )


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (row as a spreadsheet shows it, column) and what."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"row {self.row}" if self.row is not None else "",
                f"column {self.column}" if self.column else "",
            )
            if part
        )
        message = worded(self.message)  # the command line's words unless a page asks
        return f"{where}: {message}" if where else message

    def worded(self, front: str) -> Problem:
        return Problem(worded(self.message, front), self.row, self.column)


class ImportRefused(Exception):
    """The file cannot be imported as it is; nothing was written."""

    def __init__(self, problems: list[Problem], report: ImportReport | None = None) -> None:
        self.problems = problems
        self.report = report
        super().__init__("\n".join(str(p) for p in problems[:MAX_PROBLEMS_SHOWN]))


@dataclass
class ImportReport:
    """Every row accounted for: rows_in_file = imported + duplicates + rejected + skipped."""

    kind: str
    file_name: str
    import_id: int | None = None
    rows_in_file: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    skipped: int = 0
    errors: list[Problem] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # decisions made: encoding, date order ...
    already_imported: str | None = None  # when the same file came in before
    rows_with_problems: int = 0  # of the rejected rows, those with a problem of their own
    refused: bool = False  # nothing was imported: every row not skipped counts as rejected

    def worded_notes(self, front: str = "cli") -> list[str]:
        return [worded(note, front) for note in self.notes]

    def refused_whole(self) -> ImportReport:
        """The counts of a refused file: none imported, every row not skipped rejected."""
        if not self.refused:
            self.rows_with_problems = self.rejected
            self.refused = True
        self.imported = self.duplicates = 0
        self.rejected = self.rows_in_file - self.skipped
        return self

    @property
    def reconciles(self) -> bool:
        return self.rows_in_file == self.imported + self.duplicates + self.rejected + self.skipped

    def as_json(self) -> dict:
        data = asdict(self)
        data["errors"] = [
            {"row": p.row, "column": p.column, "message": worded(p.message)} for p in self.errors
        ]
        data["notes"] = self.worded_notes()
        return data

    def summary(self) -> str:
        """One paragraph saying what happened to every row."""
        if self.already_imported:
            return (
                f"{self.file_name} was already imported ({self.already_imported}); nothing changed."
            )
        rows = f"{self.rows_in_file:,} row{'' if self.rows_in_file == 1 else 's'}"
        parts = [f"{rows} in {self.file_name}: {self.imported:,} imported"]
        if self.duplicates:
            parts.append(f"{self.duplicates:,} already stored (duplicates)")
        if self.rejected:
            parts.append(f"{self.rejected:,} rejected")
        if self.skipped:
            parts.append(f"{self.skipped:,} skipped")
        return ", ".join(parts) + "."


def refuse(message: str) -> ImportRefused:
    """A refusal of the whole file, for one reason."""
    return ImportRefused([Problem(message)])
