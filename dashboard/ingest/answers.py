"""Answers as people type them, read in SQL: labels, numbers, scales, no-answers.

Accepted (DESIGN §2): agreement labels (Strongly disagree … Strongly agree, any
case, "Somewhat agree", also "1 - Strongly disagree" or "5: strongly agree"),
frequency labels (Never … Always), plain numbers on a scale the import states
or detects. Blank, "N/A", "Don't know", "Prefer not to say" are no answer,
never 0. Everything here builds SQL from constants; values come from the file
only as column data.
"""

from __future__ import annotations

import re

from dashboard.ingest.report import ImportRefused, Problem
from dashboard.measures import Scale

LABELS = {
    "strongly disagree": 1, "disagree": 2, "somewhat disagree": 2, "slightly disagree": 2,
    "neither agree nor disagree": 3, "neutral": 3, "neither": 3,
    "somewhat agree": 4, "slightly agree": 4, "agree": 4, "strongly agree": 5,
    "never": 1, "rarely": 2, "sometimes": 3, "often": 4, "very often": 5, "always": 5,
}  # fmt: skip
NO_ANSWER = (
    "", "n/a", "na", "n.a.", "-", "dont know", "don't know", "do not know", "prefer not to say",
    "prefer not to answer", "not applicable", "skip", "skipped",
)  # fmt: skip
SCALES = {"1-5": Scale(1, 5), "1-7": Scale(1, 7), "0-10": Scale(0, 10)}

# A leading number, optionally followed by a label: "5", "4.0", "1 - Strongly disagree",
# "5: strongly agree", "2. Disagree".
_NUMBER = r"^(-?[0-9]+(\.[0-9]+)?)\s*([-:.)]\s*[a-z].*)?$"


def quoted(text: str) -> str:
    """A SQL string literal of a constant."""
    return "'" + text.replace("'", "''") + "'"


def cleaned(column: str) -> str:
    """Lower-cased, trimmed, single-spaced text, curly apostrophes made straight."""
    # Underscores are spaces: KoboToolbox writes choice names (strongly_agree).
    return (
        f"regexp_replace(lower(trim(replace(replace(replace({column}, '’', ''''), '‘', ''''), "
        r"'_', ' '))), '\s+', ' ', 'g')"
    )


def number(column: str) -> str:
    """The leading number of an answer, or NULL. DuckDB's coalesce only evaluates the
    regex for cells that are not a plain number."""
    return (
        f"coalesce(TRY_CAST({column} AS DOUBLE), "
        f"TRY_CAST(regexp_extract({cleaned(column)}, '{_NUMBER}', 1) AS DOUBLE))"
    )


def text(column: str, value: str) -> str:
    """The cleaned text of answers that are not numbers (labels, no-answer words)."""
    return f"(CASE WHEN {value} IS NULL THEN {cleaned(column)} END)"


def clean_label(label: str) -> str:
    """``cleaned`` in Python: how a stated label is compared with the file's answers."""
    label = label.replace("\u2019", "'").replace("\u2018", "'").replace("_", " ")
    return re.sub(r"\s+", " ", label.strip().lower())


def parse_labels(text: str | None) -> dict[str, float]:
    """'Not useful=1, Neutral=3, Very useful=5' -> cleaned label -> score on 1-5. The
    stated numbers are the scale (lowest to highest), so 1..9 labels spread over 1-5.
    ImportRefused says what is wrong with the text."""
    if not text or not text.strip():
        return {}
    pairs, problems = [], []
    for part in text.split(","):
        label, equals, number = part.rpartition("=")
        try:
            value = float(number)
        except ValueError:
            value = None
        if not equals or not label.strip() or value is None:
            problems.append(
                Problem(
                    f'Answer labels: "{part.strip()}" should be LABEL=NUMBER, like "Not useful=1".'
                )
            )
        else:
            pairs.append((clean_label(label), value))
    values = [value for _, value in pairs]
    if not problems and len(set(values)) < 2:
        problems.append(
            Problem(
                "Answer labels: give at least the lowest and the highest answer with different "
                'numbers, like "Not useful=1,Very useful=5".'
            )
        )
    if problems:
        raise ImportRefused(problems)
    low, high = min(values), max(values)
    return {label: 1 + (value - low) * 4 / (high - low) for label, value in pairs}


def label_value(text: str, stated: dict[str, float] | None = None) -> str:
    """The 1-5 value of a cleaned label, or NULL; labels the import states come first."""
    known = {**LABELS, **(stated or {})}
    cases = " ".join(f"WHEN {quoted(k)} THEN {float(v)!r}" for k, v in known.items())
    return f"(CASE {text} {cases} END)"


def unknown_labels(
    cursor, columns: dict[str, int], stated: dict[str, float], table: str = "numbered"
) -> dict[str, list[tuple[str, int]]]:
    """Answers that are neither numbers, no-answers nor known labels, per item column:
    item -> [(answer as first written, rows)], most frequent first. One scan."""
    if not columns:
        return {}
    value = cleaned("v")
    # One scan per column whose cheap first filter (not a plain number) leaves few cells:
    # unpivoting every cell of a large file costs seconds.
    scans = " UNION ALL ".join(
        f"SELECT '{item}' AS item, c{int(index)} AS v FROM {table} "  # noqa: S608
        f"WHERE TRY_CAST(c{int(index)} AS DOUBLE) IS NULL AND trim(c{int(index)}) <> ''"
        for item, index in columns.items()
    )
    rows = cursor.execute(
        f"WITH cells AS MATERIALIZED ({scans}) SELECT item, min(trim(v)), count(*) AS n "  # noqa: S608
        "FROM cells "
        f"WHERE {number('v')} IS NULL AND NOT {is_no_answer(value)} "
        f"AND {label_value(value, stated)} IS NULL GROUP BY item, {value} ORDER BY item, n DESC, 2"
    ).fetchall()
    found: dict[str, list[tuple[str, int]]] = {}
    for item, answer, count in rows:
        found.setdefault(item, []).append((answer, count))
    return found


def is_no_answer(text: str) -> str:
    """For a cleaned text column."""
    return f"({text} IS NULL OR {text} IN ({', '.join(map(quoted, NO_ANSWER))}))"


def parse_scale(text: str) -> Scale | None:
    """'1-5', '0-10', '1-9' -> Scale; None when it is not two whole numbers, low-high."""
    found = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", text or "")
    if not found or int(found.group(2)) <= int(found.group(1)):
        return None
    return Scale(int(found.group(1)), int(found.group(2)))


def detect_scale(low: float | None, high: float | None) -> Scale:
    """The scale plain numbers are on, from the smallest and largest number in a column.

    1-5 when everything fits; 1-7 when 6 or 7 appear; 0-10 when 8 to 10 appear,
    or 0 with 6 or more. A lone 0 among 1-5 answers is an error on 1-5, not a
    reason to read the column as 0-10.
    """
    if high is None or high <= 5:
        return SCALES["1-5"]
    if high <= 7 and (low is None or low >= 1):
        return SCALES["1-7"]
    return SCALES["0-10"]


def score_sql(text: str, value: str, scale: Scale, stated: dict[str, float] | None = None) -> str:
    """The 1-5 score from an item's text and number (labels are on 1-5); NULL for no
    answer or an invalid one. ``text`` is NULL for numbers (see ``text``)."""
    return (
        f"(CASE WHEN {value} IS NOT NULL THEN CASE WHEN {value} BETWEEN {scale.low} "
        f"AND {scale.high} AND {value} = floor({value}) "
        f"THEN 1 + ({value} - {scale.low}) * 4.0 / {scale.high - scale.low} END "
        f"WHEN {is_no_answer(text)} THEN NULL "
        f"ELSE {label_value(text, stated)} END)"
    )


def problem_sql(raw: str, value: str, scale: Scale) -> str:
    """Why a number cannot be read, or NULL when it can. Unknown labels are a problem of
    the whole column (``unknown_labels``), never of single rows: importing the known
    half of a scale would give a one-sided picture."""
    shown = f"'\"' || trim({raw}) || '\"'"
    return (
        f"(CASE WHEN {value} IS NOT NULL THEN CASE "
        f"  WHEN {value} NOT BETWEEN {scale.low} AND {scale.high} "
        f"    THEN {shown} || ' is outside the {scale} scale' "
        f"  WHEN {value} <> floor({value}) "
        f"    THEN {shown} || ' is not a whole number on the {scale} scale' END END)"
    )
