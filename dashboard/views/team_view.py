"""My team on screen (and, read-only, HR's manager detail): the view comes ready from
team_view.collect."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, focus, rounds, ui
from dashboard.catalysts import CATALYST_KEYS, PROGRESS, SELF_SCALE, catalyst, item_label
from dashboard.checkins import Checkin
from dashboard.markdown import plain
from dashboard.team_view import MARK, TeamView, focus_history


def render(view: TeamView, voice: focus.Voice = focus.YOU) -> None:
    """Draw the view. Headline first, then the evidence, then the history.

    The manager's own view coaches (this week's focus); about someone else
    (``voice`` not YOU: HR's manager detail) it only reports."""
    if view.note:
        st.info(view.note, icon=":material/info:")
    ui.held_caption(view.held, view.min_group_size)
    if voice == focus.YOU:
        _focus_box(view)
    top = st.columns(4)
    top[0].metric("Responses", f"{view.figure.responses:,}", help="Answers these figures use")
    shown = int((view.rounds.responses > 0).sum())
    noun = rounds.ROUND_NOUN[view.period.cadence]
    top[1].metric(f"{noun.capitalize()}s with results", f"{shown} of {len(view.rounds)}")
    top[2].metric(
        "Check-in streak",
        f"{view.streak} week{'s' if view.streak != 1 else ''}",
        help="Weeks in a row with a check-in, up to this week (or last week, while this "
        "week's is still open)",
    )
    top[3].metric(
        "Weeks checked in",
        f"{len(view.self_by_week)} of {len(view.weeks)}",
        help=f"In the weeks of the period shown ({view.period.label}); the streak may run "
        "past it, to this week",
    )
    if view.figure.left_out:
        st.caption(
            f"Some responses are not included: groups smaller than {view.min_group_size} "
            "are never shown."
        )

    if view.has_team_data:
        st.subheader(f"{plain(voice.subject)} and {voice.team}, catalyst by catalyst")
        _gaps_in_words(view.comparison, voice)
        names = (voice.subject, voice.team.capitalize())
        ui.chart(
            lambda: charts.self_vs_team(view.comparison, names),
            lambda: _comparison_numbers(view, voice),
            key=_chart_key(view, "self vs team", names),
        )
        st.caption(
            f"Means on 1-5 over the same rounds. ◆ {plain(voice.subject)} ({voice.own} check-ins), "
            f"● {voice.team}, | the organization. "
            "Hover for how many answers each stands on."
        )
    st.subheader(f"Catalyst by catalyst, {noun} by {noun}")
    by_round = view.rounds if view.has_team_data else None
    headings = ("Team mean", f"{voice.subject}: own rating")  # short: they share a phone's width
    ui.chart(
        lambda: charts.catalyst_rows(by_round, view.self_by_week, view.weeks, headings),
        lambda: _rows_numbers(view, voice),
        key=_chart_key(view, "catalyst rows", headings),
    )
    st.caption(
        f"Both sides on 1-5: the team's mean {noun} by {noun}, your rating week by week. A "
        f"{noun} with fewer than {view.min_group_size} responses, and a week without a "
        "check-in, are gaps, never zeros."
        if voice == focus.YOU
        else f"Both sides on 1-5: the team's mean {noun} by {noun}, the manager's rating week "
        f"by week. A {noun} with fewer than {view.min_group_size} responses, and a week "
        "without a check-in, are gaps, never zeros."
    )

    st.subheader("Progress")
    left, right = st.columns(2)
    with left:
        st.caption(f"“{PROGRESS.statement}” — favorable % by {noun}")
        if view.has_team_data:
            rounds_shown = view.rounds
            ui.chart(
                lambda: charts.progress_by_round(rounds_shown),
                lambda: pd.DataFrame(
                    {
                        noun.capitalize(): rounds_shown.label,
                        "Responses": rounds_shown.responses,
                        "Progress favorable %": rounds_shown[f"{PROGRESS.key}_favorable_pct"].round(
                            0
                        ),
                    }
                ),
                key=_chart_key(view, "progress", noun),
            )
        else:
            st.caption("Not shown yet.")
    with right:
        st.caption("Small wins and setbacks logged, by week")
        logged = view.wins_and_setbacks
        ui.chart(
            lambda: charts.wins_and_setbacks(logged, view.weeks),
            lambda: pd.DataFrame(
                {"Week": logged.week, "Small wins": logged.wins, "Setbacks": logged.setbacks}
            ),
            key=_chart_key(view, "wins and setbacks"),
        )

    if view.comments:
        with st.expander(f"What {voice.team} wrote ({len(view.comments)} comments)"):
            st.caption("Without dates and in no particular order, to keep them anonymous.")
            for comment in view.comments:
                st.text(comment)
    if view.team_wins:
        with st.expander(f"Small wins {voice.team} shared in the pulse ({len(view.team_wins)})"):
            st.caption("Without names or dates and in no particular order.")
            for win in view.team_wins:
                st.text(win)
    _focus_history(view, voice)
    _history(view.history, voice)


def _chart_key(view: TeamView, *chart: object) -> tuple:
    """The key a chart of this view is kept by: none for a view made outside the cache."""
    return (*view.key, *chart) if view.key else ()


def _comparison_numbers(view: TeamView, voice: focus.Voice) -> pd.DataFrame:
    rows = view.comparison
    return pd.DataFrame(
        {
            "Catalyst": rows.catalyst.map(item_label),
            f"{voice.subject} (own rating)": rows.self_score.round(1),
            "Team mean": rows.team_mean.round(1),
            "Team answers": rows.team_answers,
            "Organization mean": rows.benchmark_mean.round(1),
        }
    )


def _rows_numbers(view: TeamView, voice: focus.Voice) -> pd.DataFrame:
    """The catalyst rows' points, one line per catalyst and week or round."""
    parts = []
    if view.has_team_data:
        shown = view.rounds[view.rounds.responses > 0]
        for key in CATALYST_KEYS:
            parts.append(
                pd.DataFrame(
                    {
                        "Week": pd.to_datetime(shown["round"]).dt.date,
                        "Catalyst": item_label(key),
                        "Team mean": shown[f"{key}_mean"].round(1),
                    }
                )
            )
    own = view.self_by_week
    for key in CATALYST_KEYS:
        parts.append(
            pd.DataFrame({"Week": own.week, "Catalyst": item_label(key), "Own rating": own[key]})
        )
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if frame.empty:
        return frame
    return (
        frame.groupby(["Week", "Catalyst"], as_index=False, sort=False)
        .first()
        .sort_values("Week", kind="stable")
        .rename(columns={"Own rating": f"{voice.subject}: own rating"})
    )


def _focus_history(view: TeamView, voice: focus.Voice) -> None:
    st.subheader("Focus and commitments")
    table = focus_history(view)
    if table.empty:
        st.caption(
            "None yet. Commitments made in check-ins appear here, with what was done."
            if voice == focus.YOU
            else "None yet: no commitments made in check-ins."
        )
        return
    st.caption(
        "What was chosen in each check-in, how much of it was done (as said in the next "
        "check-in), and the team's favorable % for that catalyst in the last shown round "
        "before and the latest since; '–' where no round can be shown."
        + ("" if view.texts_shared else " Commitments' words stay private, like notes.")
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"Week": st.column_config.DateColumn(format="D MMM YYYY")},
    )


def _focus_box(view: TeamView) -> None:
    suggestion, committed = view.suggestion, view.committed
    with st.container(border=True):
        if committed is not None:
            st.markdown(f"## This week's focus: {catalyst(committed.catalyst).label}")
            st.write(f"You committed to this in the check-in of {committed.week:%-d %b}:")
            st.markdown(
                "\n".join(f"- {MARK[done]} {plain(a)}" for a, done in committed.done.items())
            )
            st.page_link(
                "pages/checkin.py",
                label="Tick them off in your next check-in",
                icon=":material/checklist:",
            )
        else:
            st.markdown(f"## This week's focus: {catalyst(suggestion.catalyst).label}")
            st.write(suggestion.reason)
            st.markdown("\n".join(f"- {action}" for action in suggestion.actions))
            st.caption("Commit to some of these in your check-in; the next one asks if you did.")
        last = view.last_focus
        if last is not None:
            label = catalyst(last.catalyst).label
            if last.before is None and last.after is None:
                moved = "no team results can be shown yet"
            else:
                moved = (
                    f"your team's favorable % went from {_pct(last.before)} to {_pct(last.after)}"
                )
            st.caption(
                f"Last focus: {label}, chosen in the week of {last.chosen_week:%-d %b}; "
                f"since then {moved}."
            )


def _gaps_in_words(comparison: pd.DataFrame, voice: focus.Voice) -> None:
    for row in comparison[comparison.gap_kind.notna()].itertuples():
        sentence = plain(focus.gap_sentence(row, voice))  # a manager's name is user text
        if row.gap_kind == "blind_spot":
            st.warning(f"**Blind spot.** {sentence}", icon=":material/visibility_off:")
        else:
            st.success(f"**Hidden strength.** {sentence}", icon=":material/star:")


def _history(history: list[Checkin], voice: focus.Voice) -> None:
    st.subheader("Past check-ins")
    if not history:
        st.caption(
            "None yet. Weekly check-ins appear here."
            if voice != focus.YOU
            else "None yet. Your weekly check-ins appear here."
        )
        return
    rows = []
    for entry in history:
        row = {
            "Week": entry.week,
            "Focus next": catalyst(entry.focus).label if entry.focus else "–",
        }
        row |= {item_label(k): SELF_SCALE.get(entry.ratings.get(k), "–") for k in CATALYST_KEYS}
        row["Wins"] = len(entry.wins)
        row["Setbacks"] = len(entry.setbacks)
        row["Notes"] = " · ".join(
            f"{item_label(k)}: {note}" for k, note in entry.notes.items() if note
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    if not table.Notes.any():  # none written, or not shared with HR
        table = table.drop(columns="Notes")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        placeholder="–",
        column_config={"Week": st.column_config.DateColumn(format="D MMM YYYY")},
    )


def _pct(value: float | None) -> str:
    return "not shown" if value is None else f"{value:.0f}%"
