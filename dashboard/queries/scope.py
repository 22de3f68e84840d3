"""Whose data a read may see: a manager's own teams for the weeks they led them, HR's
departments (all, or some)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Scope:
    """What a caller may see; pages build it from the signed-in user, never from input.

    * a manager: the teams they managed, only for the time they managed them;
    * HR: every department, or only ``departments``.
    """

    manager_id: int | None = None
    departments: frozenset[int] | None = None

    @classmethod
    def manager(cls, user_id: int) -> Scope:
        return cls(manager_id=user_id)

    @classmethod
    def hr(cls, departments: frozenset[int] | None = None) -> Scope:
        return cls(departments=departments)

    def limit(self, cells: pd.DataFrame) -> pd.DataFrame:
        """Only the cells of this scope (a manager never gets a pool: it is not theirs)."""
        if self.manager_id is not None:
            cells = cells[(cells.kind == "team") & (cells.manager_id == self.manager_id)]
        if self.departments is not None:
            cells = cells[cells.department_id.isin(self.departments)]
        return cells
