"""Where configuration comes from, and which values are refused."""

import pytest

from dashboard import settings
from dashboard.settings import OrgSettings, SettingError


def test_database_location_prefers_flag_then_environment_then_secrets_then_default(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CATALYST_DB", raising=False)
    assert settings.database_location() == str(tmp_path / "data" / "catalyst.duckdb")

    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text('[catalyst]\ndatabase = "s.duckdb"\n')
    assert settings.database_location() == str(tmp_path / "s.duckdb")

    monkeypatch.setenv("CATALYST_DB", "env.duckdb")
    assert settings.database_location() == str(tmp_path / "env.duckdb")
    assert settings.database_location("flag.duckdb") == str(tmp_path / "flag.duckdb")
    url = "postgresql://catalyst@db.internal:5432/catalyst"  # server mode: taken as it is
    assert settings.database_location(url) == url


def test_defaults_when_nothing_is_set():
    defaults = OrgSettings.from_rows({})
    assert (defaults.min_group_size, defaults.cadence, defaults.comment_min_responses) == (
        5,
        "weekly",
        10,
    )


def test_stored_text_is_parsed_to_typed_values():
    parsed = OrgSettings.from_rows(
        {"min_group_size": "7", "cadence": "monthly", "sso_only": "TRUE", "unknown": "x"}
    )
    assert (parsed.min_group_size, parsed.cadence, parsed.sso_only) == (7, "monthly", True)


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("min_group_size", "2", "at least 3"),
        ("min_group_size", "five", "whole number"),
        ("cadence", "daily", "weekly, fortnightly, monthly, quarterly"),
        ("time_zone", "Mars/Olympus", "unknown time zone"),
        ("sso_only", "maybe", "true or false"),
    ],
)
def test_unusable_values_are_refused_with_the_reason(key, value, reason):
    with pytest.raises(SettingError, match=reason):
        settings.parse_setting(key, value)
