"""Long work (an import, the demo, the benchmark) says what it is doing, one line per
step: the command line prints each on stderr, the Upload page moves its progress bar."""

from __future__ import annotations

from collections.abc import Callable

Steps = Callable[[str], None]


def quietly(step: str) -> None:
    """Say nothing: work run where nobody watches (tests, background)."""
