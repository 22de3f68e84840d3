"""The Upload page's column mapping: every column of a survey file, what Catalyst reads it
as, and a choice per column (by position, so repeated headers stay apart). Choices apply
in callbacks, before the script runs, so the preview and the import see the same options."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import ingest
from dashboard.catalysts import ITEM_KEYS, item_label
from dashboard.ingest.columns import is_personal, letters
from dashboard.markdown import plain

ROLE_CHOICES = {"ignore": "Not used", **{k: item_label(k) for k in ITEM_KEYS}, "team": "Team",
                "submitted_at": "Date", "comment": "Comment"}  # fmt: skip


READ_AS = {item_label(k): k for k in ITEM_KEYS} | {
    "team": "team",
    "date": "submitted_at",
    "comment": "comment",
    "not used": "ignore",
}


TOOL_OWN = {"survey tool's status", "survey tool's finished flag", "survey tool's own"}


MAX_SHOWN = 24  # 12 rows of two: a screen and a half


FILTER_FROM = 12  # columns listed before a filter is offered


def chosen_roles(key: str) -> dict[int, str]:
    """Column position -> role chosen on the page for this file."""
    return st.session_state.setdefault(f"mapping-{key}", {})


def columns_table(preview: ingest.SurveyPreview) -> pd.DataFrame:
    table = preview.columns.copy()
    table.insert(0, "col", [letters(c.index) for c in preview.layout.columns])
    return table


def editor(preview: ingest.SurveyPreview, key: str) -> None:
    choices = chosen_roles(key)
    read_as = dict(
        zip((c.index for c in preview.layout.columns), preview.columns["read as"], strict=True)
    )
    headers = {c.index: c.header for c in preview.layout.columns}
    named = {i: header or f"column {i + 1}" for i, header in headers.items()}  # as answer_like
    suggested = {
        index: preview.suggestions.get(named[index])
        for index, reading in read_as.items()
        if reading == "not used" and named[index] in preview.suggestions
    }  # answer-like, unused columns -> the catalyst they resemble (or None)
    editable = [i for i, reading in read_as.items() if reading not in TOOL_OWN]
    to_decide = [i for i in editable if read_as[i] == "not used" or i in choices]
    st.markdown(
        "**Change what a column is read as** (remembered for the next file from this survey)"
    )
    if suggested:
        _suggestions(key, suggested)
    shown = _columns_shown(key, headers, editable, to_decide)
    for start in range(0, min(len(shown), MAX_SHOWN), 2):
        for place, index in zip(st.columns(2), shown[start : start + 2], strict=False):
            with place:
                _column_choice(
                    key,
                    index,
                    headers[index],
                    read_as[index],
                    index in suggested,
                    suggested.get(index),
                )
    if choices:
        st.button(
            "Forget the column choices made here",
            key=f"forget-{key}",
            on_click=forget_choices,
            args=(key,),
        )


def _suggestions(key: str, suggested: dict[int, str | None]) -> None:
    """Name the unused columns that look like answers, and offer what they resemble."""
    offers = {i: role for i, role in suggested.items() if role}
    columns = ("columns " if len(suggested) > 1 else "column ") + ", ".join(
        letters(i) for i in suggested
    )
    offered = ", ".join(f"{letters(i)} → {item_label(role)}" for i, role in offers.items())
    st.caption(
        plain(
            f"Not used, though they look like answers: {columns}. "
            + (f"Suggested from the headers: {offered}." if offers else "")
        )
    )
    if offers:
        st.button(
            f"Use the suggestion{'s' if len(offers) > 1 else ''}",
            key=f"suggest-{key}",
            on_click=_apply,
            args=(key, offers),
        )


def _columns_shown(
    key: str, headers: dict[int, str], editable: list[int], to_decide: list[int]
) -> list[int]:
    """The columns to list: those to decide (or all), narrowed by the filter."""
    shown = editable
    if to_decide and len(to_decide) < len(editable):
        which = st.segmented_control(
            "Show",
            ["decide", "all"],
            default="decide",
            key=f"show-{key}",
            format_func={
                "decide": f"Columns not used ({len(to_decide)})",
                "all": f"All columns ({len(editable)})",
            }.get,
        )
        shown = to_decide if which != "all" else editable
    if len(shown) > FILTER_FROM:
        wanted = st.text_input(
            "Find a column", key=f"find-{key}", placeholder="Part of a header, or its letter"
        ).strip()
        if wanted:
            shown = [
                i
                for i in shown
                if wanted.lower() in headers[i].lower() or wanted.upper() == letters(i)
            ]
    if len(shown) > MAX_SHOWN:
        st.caption(
            f"The first {MAX_SHOWN} of {len(shown):,} columns; type in the filter to "
            "find the others."
        )
    return shown


def _column_choice(
    key: str, index: int, header: str, reading: str, answer_like: bool, suggestion: str | None
) -> None:
    """One column's selectbox, showing what the preview read it as (or the choice made)."""
    choices = chosen_roles(key)
    roles = list(ROLE_CHOICES)
    notes = [f"Read as: {reading}."]
    if is_personal(header):
        roles.remove("comment")
        notes.append(
            "Looks like personal data (a name, e-mail or phone): never stored as a comment."
        )
    if answer_like:
        notes.append(
            "Looks like answers"
            + (f"; suggested: {item_label(suggestion)}." if suggestion else ".")
        )
    value = choices.get(index, READ_AS.get(reading, ""))
    if value not in roles:  # personal data, a response id, a repeat: not a role to choose
        roles.insert(0, value := "")
    names = ROLE_CHOICES | {"": reading[:1].upper() + reading[1:] + " (as read)"}
    widget = f"map-{key}-{index}"
    st.session_state[widget] = value  # always what the preview used, never a stale pick
    st.selectbox(
        f"{letters(index)} · {plain(header) if header.strip() else '(no header)'}",
        roles,
        format_func=names.get,
        key=widget,
        help=" ".join(notes),
        on_change=_remember,
        args=(key, index, widget),
    )


def _remember(key: str, index: int, widget: str) -> None:
    role = st.session_state[widget]
    if role:
        chosen_roles(key)[index] = role
    else:
        chosen_roles(key).pop(index, None)


def _apply(key: str, roles: dict[int, str]) -> None:
    chosen_roles(key).update(roles)


def forget_choices(key: str) -> None:
    chosen_roles(key).clear()


def as_maps(key: str) -> tuple[str, ...]:
    """The choices as the importer takes them: "column C=role", by position."""
    return tuple(
        f"column {letters(index)}={role}" for index, role in sorted(chosen_roles(key).items())
    )
