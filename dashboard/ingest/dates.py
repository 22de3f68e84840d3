"""Reading the dates exports contain, in SQL, without guessing silently.

ISO dates (2026-11-24, with or without time, with or without an offset) are
read as they are; dotted dates (24.11.2026) are day first. Slashed dates are
the trouble: 11/12/2026 is 11 December or 12 November. The order comes from,
in turn: the import's own choice (--date-order), the file itself (a first
number above 12 means day first, a second one above 12 month first; AM/PM
times are an American export, month first), and else the organization's
date_order setting (month first unless an admin changes it). Each file is
decided on its own, and the import says how it read the dates.

Times without an offset are the organization's local time; times with one
are converted to it.
"""

from __future__ import annotations

from dashboard.ingest.report import ImportRefused, Problem

ISO = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
)  # fmt: skip
DOTTED = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d.%m.%y")
_SLASHED = (
    "{a}/{b}/%Y %I:%M:%S %p", "{a}/{b}/%Y %I:%M %p", "{a}/{b}/%Y %H:%M:%S", "{a}/{b}/%Y %H:%M",
    "{a}/{b}/%Y", "{a}/{b}/%y %H:%M", "{a}/{b}/%y",
)  # fmt: skip
SLASHED = {
    "month_first": tuple(f.format(a="%m", b="%d") for f in _SLASHED),
    "day_first": tuple(f.format(a="%d", b="%m") for f in _SLASHED),
}
OFFSET = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+ ?(Z|[+-][0-9]{2}:?[0-9]{2})$"
SLASH = r"^([0-9]{1,2})/([0-9]{1,2})/[0-9]{2,4}"


def _formats(formats: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{f}'" for f in formats) + "]"


def timestamp_sql(column: str, order: str, time_zone: str) -> str:
    """The local TIMESTAMP of a date text column, NULL when unreadable."""
    zone = time_zone.replace("'", "")
    # Plain ISO times ("2026-11-24 14:05:00", 19 characters at most) skip the regexes.
    return (
        f"(CASE WHEN length({column}) <= 19 AND TRY_CAST({column} AS TIMESTAMP) IS NOT NULL "
        f"THEN TRY_CAST({column} AS TIMESTAMP) "
        f"WHEN regexp_matches({column}, '{OFFSET}') "
        f"THEN timezone('{zone}', TRY_CAST({column} AS TIMESTAMPTZ)) "
        f"WHEN regexp_matches({column}, '^[0-9]{{4}}[-/]') "
        f"THEN try_strptime({column}, {_formats(ISO)}) "
        f"WHEN regexp_matches({column}, '^[0-9]{{1,2}}[.][0-9]{{1,2}}[.]') "
        f"THEN try_strptime({column}, {_formats(DOTTED)}) "
        f"WHEN regexp_matches({column}, '{SLASH}') "
        f"THEN try_strptime({column}, {_formats(SLASHED[order])}) END)"
    )


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
        f"count(*) FILTER (WHERE regexp_matches({column}, '{SLASH}.*[0-9] ?[AaPp][Mm]$')) "
        f"FROM {table} WHERE TRY_CAST({column} AS TIMESTAMP) IS NULL"  # ISO times need no order
    ).fetchall()[0]
    if not slashed:
        return setting  # no slashed dates: the order does not matter
    if first_big and second_big:
        raise ImportRefused([Problem(
            "The dates mix day-first and month-first writing (some start with a day above 12, "
            "others have one in second place). Fix the dates in the file and import again."
        )])  # fmt: skip
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
            "setting; use --date-order dmy or mdy to read them otherwise."
        )
    return order


def _words(order: str) -> str:
    return "day first (24/11/2026)" if order == "day_first" else "month first (11/24/2026)"
