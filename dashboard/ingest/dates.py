"""Reading the dates exports contain, in SQL, without guessing silently.

ISO dates (2026-11-24, with or without time) are read as they are; year-first
slashed dates (Google Forms' own CSV: 2025/07/31 11:59:34 am EEST) too;
dotted dates (24.11.2026) are day first. Slashed dates are the trouble:
11/12/2026 is 11 December or 12 November. The order comes from, in turn: the
import's own choice (--date-order), the file itself (a first number above 12
means day first, a second one above 12 month first; AM/PM times are an
American export, month first), and else the organization's date_order
setting (month first unless an admin changes it). Each file is decided on its
own, and the import says how it read the dates.

Two-digit years are 20yy (Excel writes m/d/yy). A time may end in a zone: an
offset (+01:00, -0500, Z, GMT+2) or an abbreviation (CET, EEST, PST); a column
whose header says UTC (Typeform's "Submit Date (UTC)") or that its tool
documents as UTC (KoboToolbox's _submission_time) holds UTC times. Zoned times
are converted to the organization's zone; times without one are its local
time already. Every date is checked to lie between 2000 and tomorrow.
"""

from __future__ import annotations

from dashboard.ingest.report import refuse

ISO = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f", "%Y/%m/%d %I:%M:%S %p",
    "%Y/%m/%d %I:%M %p", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
)  # fmt: skip
# Two-digit years first: %Y would read "26" as the year 26.
DOTTED = (
    "%d.%m.%y %H:%M:%S", "%d.%m.%y %H:%M", "%d.%m.%y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
)  # fmt: skip
_SLASHED = (
    "{a}/{b}/%y %I:%M:%S %p", "{a}/{b}/%y %I:%M %p", "{a}/{b}/%y %H:%M:%S", "{a}/{b}/%y %H:%M",
    "{a}/{b}/%y", "{a}/{b}/%Y %I:%M:%S %p", "{a}/{b}/%Y %I:%M %p", "{a}/{b}/%Y %H:%M:%S",
    "{a}/{b}/%Y %H:%M", "{a}/{b}/%Y",
)  # fmt: skip
SLASHED = {
    "month_first": tuple(f.format(a="%m", b="%d") for f in _SLASHED),
    "day_first": tuple(f.format(a="%d", b="%m") for f in _SLASHED),
}
SLASH = r"^([0-9]{1,2})/([0-9]{1,2})/[0-9]{2,4}"
# A time, then a zone: "… 11:59:34 am EEST", "…T08:15:02Z", "… 09:15 +01:00", "… GMT+2".
ZONED = (
    r"^(.*[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?)\s*"
    r"(Z|[+-][0-9]{2}:?[0-9]{2}|(?:UTC|GMT)(?:\s*[+-][0-9]{1,2}(?::?[0-9]{2})?)?|[A-Z]{3,5})$"
)
# Abbreviations survey tools print, in minutes from UTC. Where one stands for several
# zones, the reading of the tools' largest markets: CST is US Central, IST India.
ZONE_OFFSETS = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120,
    "MET": 60, "MEST": 120, "EET": 120, "EEST": 180, "MSK": 180, "TRT": 180, "GST": 240,
    "IST": 330, "PKT": 300, "ICT": 420, "WIB": 420, "SGT": 480, "HKT": 480, "AWST": 480,
    "PHT": 480, "JST": 540, "KST": 540, "ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660,
    "NZST": 720, "NZDT": 780, "SAST": 120, "WAT": 60, "CAT": 120, "EAT": 180,
    "NST": -210, "NDT": -150, "AST": -240, "ADT": -180, "EST": -300, "EDT": -240,
    "CST": -360, "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420,
    "AKST": -540, "AKDT": -480, "HST": -600, "BRT": -180, "ART": -180,
}  # fmt: skip
EARLIEST_YEAR = 2000


def _formats(formats: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{f}'" for f in formats) + "]"


def _body(column: str) -> str:
    return f"coalesce(nullif(regexp_extract({column}, '{ZONED}', 1), ''), {column})"


def _zone(column: str) -> str:
    return f"nullif(regexp_extract({column}, '{ZONED}', 2), '')"


def zone_sql(column: str) -> str:
    """The zone a date text ends in (offset or abbreviation), or NULL. Compute it once per
    row into a column: plain ISO times, most of a large file, skip the regex."""
    return (
        f"(CASE WHEN length({column}) <= 19 AND TRY_CAST({column} AS TIMESTAMP) IS NOT NULL "
        f"THEN NULL ELSE {_zone(column)} END)"
    )


def wall_sql(column: str, order: str) -> str:
    """The date and time a text column shows, zone left aside; NULL when unreadable."""
    body = _body(column)
    # Plain ISO times ("2026-11-24 14:05:00", 19 characters at most) skip the regexes.
    return (
        f"(CASE WHEN length({column}) <= 19 AND TRY_CAST({column} AS TIMESTAMP) IS NOT NULL "
        f"THEN TRY_CAST({column} AS TIMESTAMP) "
        f"WHEN regexp_matches({body}, '^[0-9]{{4}}[-/]') "
        f"THEN try_strptime(replace({body}, ',', '.'), {_formats(ISO)}) "
        f"WHEN regexp_matches({body}, '^[0-9]{{1,2}}[.][0-9]{{1,2}}[.]') "
        f"THEN try_strptime({body}, {_formats(DOTTED)}) "
        f"WHEN regexp_matches({body}, '{SLASH}') "
        f"THEN try_strptime({body}, {_formats(SLASHED[order])}) END)"
    )


def offset_sql(zone: str) -> str:
    """Minutes east of UTC a zone (``zone_sql``'s column) says; NULL without a zone or for
    an unknown one."""
    signed = (
        f"(CASE WHEN contains({zone}, '-') THEN -1 ELSE 1 END) * ("
        f"60 * TRY_CAST(regexp_extract({zone}, '([0-9]{{1,2}}):?([0-9]{{2}})?$', 1) AS INT) "
        f"+ coalesce(TRY_CAST(regexp_extract({zone}, '[0-9]{{1,2}}:?([0-9]{{2}})$', 1) AS INT), 0))"
    )
    named = " ".join(f"WHEN '{name}' THEN {minutes}" for name, minutes in ZONE_OFFSETS.items())
    return (
        f"(CASE WHEN {zone} IS NULL THEN NULL "
        f"WHEN regexp_matches({zone}, '[0-9]') THEN {signed} "
        f"ELSE (CASE {zone} {named} END) END)"
    )


def _utc(wall: str, offset: str, stated_zone: str | None) -> str:
    """The UTC time of a wall time, from its own offset or else the zone the file states;
    NULL when the file says neither."""
    stated = (
        f"timezone('UTC', timezone('{_zone_name(stated_zone)}', {wall}))" if stated_zone else "NULL"
    )
    return (
        f"(CASE WHEN {offset} IS NOT NULL THEN {wall} - to_minutes(CAST({offset} AS BIGINT)) "
        f"ELSE {stated} END)"
    )


def _zone_name(zone: str) -> str:
    return zone.replace("'", "")


def local_sql(wall: str, offset: str, time_zone: str, stated_zone: str | None = None) -> str:
    """The organization's local time of a wall time: converted where the text has a zone
    or the file states one, else the wall time itself (already local)."""
    utc = _utc(wall, offset, stated_zone)
    return (
        f"(CASE WHEN {utc} IS NULL THEN {wall} "
        f"ELSE timezone('{_zone_name(time_zone)}', timezone('UTC', {utc})) END)"
    )


def instant_sql(wall: str, offset: str, stated_zone: str | None = None) -> str:
    """The UTC instant the file gives (it names a zone or an offset) as text, else NULL:
    part of a response's fingerprint, independent of settings."""
    return f"strftime({_utc(wall, offset, stated_zone)}, '%Y-%m-%d %H:%M:%SZ')"


def timestamp_sql(column: str, order: str, time_zone: str) -> str:
    """The local TIMESTAMP of a date text column, NULL when unreadable."""
    return local_sql(wall_sql(column, order), offset_sql(zone_sql(column)), time_zone)


def problem_sql(
    text: str, wall: str, zone: str, offset: str, local: str, tomorrow: str, lenient: bool
) -> str:
    """Why a date cannot be used, or NULL. ``lenient``: the import gave a week for every
    row, which stands in for missing or unreadable dates."""
    shown = f"'\"' || {text} || '\"'"
    fallback = f"WHEN {wall} IS NULL THEN NULL" if lenient else ""
    return f"""(CASE
        WHEN coalesce({text}, '') = '' THEN {"NULL" if lenient else "'no date given'"}
        {fallback}
        WHEN {wall} IS NULL THEN {shown} || ' is not a date Catalyst can read (use 2026-11-24, '
            || '2026-11-24 14:05 or the export''s own format)'
        WHEN {zone} IS NOT NULL AND {offset} IS NULL THEN {shown} || ' ends in "'
            || {zone} || '", a time zone Catalyst does not know: write the time with an '
            || 'offset such as +01:00'
        WHEN year({wall}) < {EARLIEST_YEAR} THEN 'the date ' || {shown} || ' is before '
            || '{EARLIEST_YEAR}: check the year (two-digit years are read as 20yy)'
        WHEN CAST({local} AS DATE) > {tomorrow} THEN 'the date ' || {shown}
            || ' is after tomorrow'
    END)"""


def choose_order(
    cursor, stated: str | None, setting: str, notes: list[str], *, table: str, column: str
) -> str:
    """Day or month first for the slashed dates in ``table``.``column`` (see module doc)."""
    if stated:
        return stated
    first, second = (
        f"TRY_CAST(regexp_extract({column}, '{SLASH}', {part}) AS INT)" for part in (1, 2)
    )
    first_big, second_big, slashed, clock_12 = cursor.execute(
        f"SELECT count(*) FILTER (WHERE {first} > 12), count(*) FILTER (WHERE {second} > 12), "  # noqa: S608
        f"count(*) FILTER (WHERE regexp_matches({column}, '{SLASH}')), "
        f"count(*) FILTER (WHERE regexp_matches({column}, '{SLASH}.*[0-9] ?[AaPp]\\.?[Mm]')) "
        f"FROM {table} WHERE TRY_CAST({column} AS TIMESTAMP) IS NULL"  # ISO times need no order
    ).fetchall()[0]
    if not slashed:
        return setting  # no slashed dates: the order does not matter
    if first_big and second_big:
        raise refuse(
            "The dates mix day-first and month-first writing (some start with a day above 12, "
            "others have one in second place). Fix the dates in the file and import again."
        )
    if first_big or second_big:
        order = "day_first" if first_big else "month_first"
        notes.append(f"Dates read {_words(order)}: some can only be read that way.")
    elif clock_12:
        order = "month_first"
        notes.append(f"Dates read {_words(order)}: AM/PM times come from American exports.")
    else:
        order = setting
        notes.append(
            f"Dates like 11/12/2026 read {_words(order)}, the organization's date-order "
            "setting; use {option:date_order} to read them otherwise."
        )
    return order


def _words(order: str) -> str:
    return "day first (24/11/2026)" if order == "day_first" else "month first (11/24/2026)"
