"""Configuration: where the database is, and the organization's settings.

Where things come from, first match wins:

* database path: ``--db`` > ``CATALYST_DB`` > ``[catalyst] database`` in
  ``.streamlit/secrets.toml`` > ``data/catalyst.duckdb``; relative paths are
  relative to the directory the command was started in.
* organization settings (group size, cadence, time zone, ...): the
  ``settings`` table, which admins edit; defaults below when unset.
* the secrets file: ``catalyst run --secrets`` > ``CATALYST_SECRETS`` >
  ``.streamlit/secrets.toml`` in the project folder. Its ``[auth]`` section is
  Streamlit's single sign-on configuration.
* trusted proxies (whose ``X-Forwarded-For`` names the client): a deployment
  setting, not an organization one: ``CATALYST_TRUSTED_PROXIES`` (comma-separated)
  > ``[catalyst] trusted_proxies`` in the secrets file > loopback only.

This module is pure: it parses and validates, the store reads and writes.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass, fields
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dashboard.rounds import CADENCES

DEFAULT_DB = Path("data") / "catalyst.duckdb"
DATE_ORDERS = ("month_first", "day_first")
MIN_GROUP_SIZE_FLOOR = 3
IMPORT_LIMITS = ("max_rows", "max_columns", "max_cell_kb", "max_unpacked_mb")
NUMBERS = ("min_group_size", "comment_min_responses", "max_upload_mb", "grace_days",
           "pulse_hour", "pulse_reminder_day", *IMPORT_LIMITS)  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
COMMENT_FLOOR = 10  # DESIGN §3: comments need at least ten people behind them
LANGUAGES = {"en": "English", "de": "Deutsch"}  # what the pulse's respondents can read


def secrets_file(project_dir: Path | None = None) -> Path:
    if os.environ.get("CATALYST_SECRETS"):
        return Path(os.environ["CATALYST_SECRETS"]).expanduser().resolve()
    return (project_dir or Path.cwd()) / ".streamlit" / "secrets.toml"


# Names people know their sign-in by; another provider shows its own name, capitalized.
PROVIDER_LABELS = {"microsoft": "Microsoft", "entra": "Microsoft Entra", "google": "Google",
                   "okta": "Okta", "default": "single sign-on"}  # fmt: skip


def sso_providers(project_dir: Path | None = None) -> dict[str, str]:
    """Single sign-on providers configured in ``[auth]`` (Streamlit's st.login), as
    {name for st.login: label for the button}; empty when there is none. ``[auth]``
    with its own client_id is the one unnamed provider ("default"); ``[auth.NAME]``
    tables are named ones. ``[catalyst.sso_labels] NAME = "Label"`` renames buttons."""
    secrets = read_secrets(project_dir)
    auth = secrets.get("auth", {})
    labels = {**PROVIDER_LABELS, **secrets.get("catalyst", {}).get("sso_labels", {})}
    names = ["default"] if "client_id" in auth else []
    names += [
        name for name, value in auth.items() if isinstance(value, dict) and "client_id" in value
    ]
    return {name: labels.get(name, name.capitalize()) for name in names}


def read_secrets(project_dir: Path | None = None) -> dict:
    """The parsed secrets file, or {} when there is none."""
    path = secrets_file(project_dir)
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


SERVER_SCHEMES = ("postgresql://", "postgres://")  # server mode's URLs (store.is_server)


def database_location(cli_value: str | None = None, *, project_dir: Path | None = None) -> str:
    """The database as configured: a PostgreSQL server's URL (server mode), or a DuckDB
    file's absolute path."""
    configured = str(
        cli_value
        or os.environ.get("CATALYST_DB")
        or read_secrets(project_dir).get("catalyst", {}).get("database")
        or DEFAULT_DB
    )
    if configured.startswith(SERVER_SCHEMES):
        return configured
    return str(Path(configured).expanduser().resolve())


@dataclass(frozen=True)
class SessionPolicy:
    """How long a sign-in lasts: idle timeout and absolute limit."""

    idle: timedelta = timedelta(minutes=30)
    max_age: timedelta = timedelta(hours=12)


def session_policy(project_dir: Path | None = None) -> SessionPolicy:
    """From ``[catalyst]`` ``session_idle_minutes`` / ``session_max_hours`` in secrets."""
    section = read_secrets(project_dir).get("catalyst", {})
    return SessionPolicy(
        idle=timedelta(minutes=float(section.get("session_idle_minutes", 30))),
        max_age=timedelta(hours=float(section.get("session_max_hours", 12))),
    )


class SettingError(ValueError):
    """A setting value that cannot be used; the message says which and why."""


Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# A reverse proxy on the same machine is the usual deployment, and a local peer is
# on the server already; any other address must be listed to be believed.
DEFAULT_TRUSTED_PROXIES = ("127.0.0.1", "::1")


def trusted_proxies(project_dir: Path | None = None) -> tuple[Network, ...]:
    """The proxies whose ``X-Forwarded-For`` names the client (addresses or networks):
    ``CATALYST_TRUSTED_PROXIES`` (comma-separated; empty trusts none) >
    ``[catalyst] trusted_proxies`` in secrets > loopback. SettingError for a bad entry."""
    listed = os.environ.get("CATALYST_TRUSTED_PROXIES")
    if listed is not None:
        entries = listed.split(",")
    else:
        section = read_secrets(project_dir).get("catalyst", {})
        entries = section.get("trusted_proxies", DEFAULT_TRUSTED_PROXIES)
        if isinstance(entries, str):
            raise SettingError('trusted_proxies must be a list, like ["127.0.0.1", "10.0.0.0/8"]')
    return tuple(_network(str(entry)) for entry in entries if str(entry).strip())


def _network(entry: str) -> Network:
    try:
        return ipaddress.ip_network(entry.strip(), strict=False)
    except ValueError:
        raise SettingError(
            f"trusted_proxies: {entry.strip()!r} is not an IP address or network "
            "(like 10.0.0.5 or 10.0.0.0/8)"
        ) from None


@dataclass(frozen=True)
class OrgSettings:
    organization_name: str = "Your organization"
    min_group_size: int = 5
    comment_min_responses: int = 10
    cadence: str = "weekly"
    # How often people are asked; where more often than the cadence, a round holds
    # several answers per person and a cell counts people, not answers (privacy.py).
    survey_frequency: str = "weekly"
    # Days a closed round waits for late exports before it is published (publication.py).
    grace_days: int = 3
    time_zone: str = "UTC"
    date_order: str = "month_first"  # for 11/12/2026 when the file does not say
    manager_notes_visible_to_hr: bool = False
    sso_only: bool = False
    max_upload_mb: int = 200
    # What one file may hold once read (dashboard/ingest/limits.py): the 1.6M-row
    # benchmark and a 646-column LimeSurvey export fit; hostile files do not.
    max_rows: int = 2_000_000
    max_columns: int = 2_000
    max_cell_kb: int = 64
    max_unpacked_mb: int = 1_000  # an .xlsx unpacked, and its sheet written out as text
    language: str = "en"  # the pulse's, for people without a language of their own
    # Catalyst's own pulse (pulse.py): off until an admin switches it on. A round opens on
    # this weekday of its first week at this hour (the organization's zone) and closes
    # when the round ends; people who have not answered are reminded on the round's
    # ``pulse_reminder_day`` (3: its third day; 0: not) and on its last weekday.
    pulse: bool = False
    pulse_weekday: str = "monday"
    pulse_hour: int = 9
    pulse_reminder_day: int = 3
    pulse_excluded_teams: str = ""  # team ids left out of the pulse, comma-separated

    @classmethod
    def from_rows(cls, rows: dict[str, str]) -> OrgSettings:
        """Settings from the table's key/value text; unknown keys are ignored."""
        values = {}
        for field in fields(cls):
            if field.name in rows:
                values[field.name] = parse_setting(field.name, rows[field.name])
        return cls(**values)


def parse_setting(key: str, text: str) -> object:
    """Validate one setting's text value and return it typed."""
    text = text.strip()
    if key in NUMBERS:
        if not text.isdigit():
            raise SettingError(f"{key} must be a whole number, got {text!r}")
        number = int(text)
        if key in IMPORT_LIMITS and number < 1:
            raise SettingError(f"{key} must be at least 1")
        if key == "comment_min_responses" and number < COMMENT_FLOOR:
            raise SettingError(
                f"comment_min_responses must be at least {COMMENT_FLOOR}: fewer people could "
                "be recognised by how they write"
            )
        if key == "grace_days" and number > 60:
            raise SettingError("grace_days must be at most 60")
        if key == "pulse_hour" and number > 23:
            raise SettingError("pulse_hour must be an hour from 0 to 23")
        if key == "pulse_reminder_day" and number > 5:
            raise SettingError("pulse_reminder_day must be a day of the round's first week, 0-5")
        if key == "min_group_size" and number < MIN_GROUP_SIZE_FLOOR:
            raise SettingError(
                f"min_group_size must be at least {MIN_GROUP_SIZE_FLOOR} to protect anonymity"
            )
        return number
    if key in ("cadence", "survey_frequency"):
        if text not in CADENCES:
            raise SettingError(f"{key} must be one of {', '.join(CADENCES)}, got {text!r}")
        return text
    if key == "date_order":
        if text not in DATE_ORDERS:
            raise SettingError(f"date_order must be one of {', '.join(DATE_ORDERS)}")
        return text
    if key == "time_zone":
        try:
            ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingError(
                f"unknown time zone {text!r}; use a name like Europe/Berlin"
            ) from None
        return text
    if key == "pulse_excluded_teams":
        ids = [part.strip() for part in text.split(",") if part.strip()]
        if not all(part.isdigit() for part in ids):
            raise SettingError("pulse_excluded_teams must be team ids separated by commas")
        return ",".join(sorted(ids, key=int))
    if key == "pulse_weekday":
        if text.lower() not in WEEKDAYS:
            raise SettingError(f"pulse_weekday must be one of {', '.join(WEEKDAYS)}")
        return text.lower()
    if key in ("manager_notes_visible_to_hr", "sso_only", "pulse"):
        if text.lower() not in ("true", "false"):
            raise SettingError(f"{key} must be true or false")
        return text.lower() == "true"
    if key == "language":
        if text not in LANGUAGES:
            raise SettingError(f"language must be one of {', '.join(LANGUAGES)}, got {text!r}")
        return text
    if key == "organization_name":
        if not text:
            raise SettingError("organization_name must not be empty")
        return text
    raise SettingError(f"unknown setting {key!r}")
