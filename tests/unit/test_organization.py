"""Changing the organization's settings: the one write the Admin page and the command
line share."""

from __future__ import annotations

from datetime import datetime

import pytest
from fixtures import database_snapshot

from dashboard import organization

NOW = datetime(2026, 11, 24, 9)


def test_values_are_checked_together_and_a_bad_one_stores_nothing(demo_store):
    before = database_snapshot(demo_store)
    with pytest.raises(organization.SettingsRefused) as refused:
        organization.change_settings(
            demo_store, {"min_group_size": "2", "cadence": "monthly"}, now=NOW, by=1
        )
    assert refused.value.problems == {
        "min_group_size": "min_group_size must be at least 3 to protect anonymity"
    }
    assert database_snapshot(demo_store) == before


def test_changed_values_are_stored_with_one_audit_line(demo_store):
    changed = organization.change_settings(
        demo_store, {"min_group_size": "6", "cadence": "weekly"}, now=NOW, by=1
    )
    assert changed == {"min_group_size": (5, "6")}  # the cadence was weekly already
    assert organization.current(demo_store).min_group_size == 6
    with demo_store.reading() as cursor:
        lines = cursor.execute(
            "SELECT detail, user_id FROM audit_log WHERE action = 'settings.change'"
        ).fetchall()
    assert lines == [("min_group_size: 5 → 6", 1)]
