"""How much one uploaded file may hold once it is read (DESIGN §6: hostile files are
refused before they cost the server memory or minutes).

The sizes are the organization's settings; every check counts what the file really
holds while it is read, whatever the file declares about itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.settings import OrgSettings


@dataclass(frozen=True)
class Limits:
    max_rows: int = OrgSettings.max_rows
    max_columns: int = OrgSettings.max_columns
    max_cell_kb: int = OrgSettings.max_cell_kb
    max_unpacked_mb: int = OrgSettings.max_unpacked_mb

    @classmethod
    def of(cls, org: OrgSettings) -> Limits:
        return cls(org.max_rows, org.max_columns, org.max_cell_kb, org.max_unpacked_mb)

    @property
    def cell_chars(self) -> int:
        return self.max_cell_kb * 1024

    @property
    def unpacked_bytes(self) -> int:
        return self.max_unpacked_mb * 1_000_000

    def too_many_rows(self, what: str = "The file") -> str:
        return (
            f"{what} has more than {self.max_rows:,} rows (the max_rows setting). Split the "
            "export into smaller files, or ask an admin to raise the limit."
        )

    def too_many_columns(self, what: str) -> str:
        return (
            f"{what} has more than {self.max_columns:,} columns (the max_columns setting). "
            "Export only the survey's questions, or ask an admin to raise the limit."
        )

    def cell_too_long(self, where: str, look: str = "") -> str:
        return (
            f"{where} holds more than {self.max_cell_kb:,} KB of text (the max_cell_kb "
            f"setting): no survey answer is that long. {look}Check that this is the survey "
            "export, or ask an admin to raise the limit."
        )

    def too_large_unpacked(self, what: str) -> str:
        return (
            f"{what} holds more than {self.max_unpacked_mb:,} MB once unpacked (the "
            "max_unpacked_mb setting). Save the sheet as CSV and upload that, or ask an admin "
            "to raise the limit."
        )


DEFAULTS = Limits()  # an organization that changed none of the settings
