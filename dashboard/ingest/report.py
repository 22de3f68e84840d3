"""What an import did, row by row, in words people can act on."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

MAX_PROBLEMS_SHOWN = 50  # a refusal lists this many; the report keeps them all


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (row as a spreadsheet shows it, column) and what."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = ", ".join(
            part for part in (
                f"row {self.row}" if self.row is not None else "",
                f"column {self.column}" if self.column else "",
            ) if part
        )  # fmt: skip
        return f"{where}: {self.message}" if where else self.message


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

    @property
    def reconciles(self) -> bool:
        return self.rows_in_file == self.imported + self.duplicates + self.rejected + self.skipped

    def as_json(self) -> dict:
        data = asdict(self)
        data["errors"] = [
            {"row": p.row, "column": p.column, "message": p.message} for p in self.errors
        ]
        return data

    def summary(self) -> str:
        """One paragraph saying what happened to every row."""
        if self.already_imported:
            return (
                f"{self.file_name} was already imported ({self.already_imported}); nothing changed."
            )
        parts = [f"{self.rows_in_file:,} rows in {self.file_name}: {self.imported:,} imported"]
        if self.duplicates:
            parts.append(f"{self.duplicates:,} already stored (duplicates)")
        if self.rejected:
            parts.append(f"{self.rejected:,} rejected")
        if self.skipped:
            parts.append(f"{self.skipped:,} skipped")
        return ", ".join(parts) + "."
