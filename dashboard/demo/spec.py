"""What a demo is made of: its size, seed and day, and the accounts everyone can try."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DEMO_PASSWORD = "catalyst-demo"


ADMIN_EMAIL = "admin@example.com"


HR_EMAIL = "hr@example.com"


MANAGER_EMAIL = "manager@example.com"


ORGANIZATION_NAME = "Harbor & Pine (demo)"


@dataclass(frozen=True)
class DemoSpec:
    teams: int = 40
    weeks: int = 26
    seed: int = 7
    today: date | None = None

    def __post_init__(self) -> None:
        if self.teams < 3:
            raise ValueError("the demo needs at least 3 teams")
        if self.weeks < 2:
            raise ValueError("the demo needs at least 2 weeks")
