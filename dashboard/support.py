"""Who needs support, and why: HR's first question, answered by one documented rule.

Every team that can be shown in the period, with its current manager, earns
points for four kinds of concern; the list ranks them by points, most first:

* **Low coverage**: a catalyst whose favorable % is at least ``LOW_POINTS`` below
  the organization's (HR's scope) in the same period earns a tenth of a point per
  point below: Help 31% against 49% earns 1.8.
* **Blind spot**: a catalyst the manager rates a point or more above the team's
  mean over the same rounds earns ``BLIND_SPOT``.
* **Real drop**: an item (a catalyst or progress) whose favorable % fell by a real
  change since the period before (DESIGN §2) earns ``REAL_DROP``.
* **Missed check-ins**: two or more finished weeks without a check-in earn
  ``PER_MISSED_WEEK`` a week, up to ``MISSED_WEEKS_CAP`` weeks.

Only reportable figures enter (they come from the overview, which the read API has
already protected), and a team that cannot be shown in the period is never ranked,
whatever its check-ins. Pure functions; no Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.catalysts import CATALYST_KEYS, item_label
from dashboard.privacy import CellSum
from dashboard.rounds import week_of

LOW_POINTS = 10  # a catalyst this far below the organization is a concern
BLIND_SPOT = 1.0
REAL_DROP = 1.0
PER_MISSED_WEEK = 0.5
MISSED_WEEKS_CAP = 6
LOW_NAMED = 2  # low catalysts named in the reason; the rest are counted
ROW_IDS = ["manager_id", "team_id"]  # what a row of a team or manager table opens; not drawn


@dataclass(frozen=True)
class Concern:
    points: float
    words: str


def signed(points: float) -> str:
    """A difference in favorable points: '+4', '-18' (a plain hyphen, as in every change
    the product shows: st.metric reads a leading '-' as a fall)."""
    return f"{round(points):+d}"


def against(pct: float, baseline: float | None, label: str = "org") -> str:
    """'41% (-8 vs org)': a favorable % and its difference from the baseline."""
    if baseline is None:
        return f"{pct:.0f}%"
    return f"{pct:.0f}% ({signed(pct - baseline)} vs {label})"


def missed_weeks(last_check_in: date, today: date) -> int:
    """Finished weeks without a check-in since the last one."""
    return max(0, (week_of(today) - last_check_in).days // 7 - 1)


def concerns(
    favorable: dict[str, float],
    baseline: CellSum,
    blind_spots: list[str],
    drops: dict[str, float],
    missed: int | None,
    label: str = "org",
) -> list[Concern]:
    """One team's concerns, heaviest first within each kind: ``favorable`` is its
    favorable % per catalyst (NaN where not shown), ``missed`` the finished weeks without
    a check-in, None when the manager never checked in."""
    found = []
    low = []
    for key in CATALYST_KEYS:
        pct, org = favorable[key], baseline.favorable_pct(key)
        if pd.notna(pct) and org is not None and org - pct >= LOW_POINTS:
            low.append(Concern((org - pct) / 10, f"{item_label(key)} {against(pct, org, label)}"))
    low.sort(key=lambda c: -c.points)
    found += low[:LOW_NAMED]
    if len(low) > LOW_NAMED:
        rest = low[LOW_NAMED:]
        more = f"{len(rest)} more catalyst{'s' if len(rest) > 1 else ''} below {label}"
        found.append(Concern(sum(c.points for c in rest), more))
    found += [Concern(BLIND_SPOT, f"blind spot on {item_label(key)}") for key in blind_spots]
    found += [
        Concern(REAL_DROP, f"{item_label(item)} fell {abs(points):.0f} pts")
        for item, points in sorted(drops.items(), key=lambda kv: kv[1])
    ]
    if missed is None:
        found.append(Concern(PER_MISSED_WEEK * MISSED_WEEKS_CAP, "no check-in yet"))
    elif missed >= 2:
        weeks = min(missed, MISSED_WEEKS_CAP)
        found.append(Concern(PER_MISSED_WEEK * weeks, f"no check-in for {missed} weeks"))
    return found


def needs_support(
    teams: pd.DataFrame,
    baseline: CellSum,
    self_team: pd.DataFrame,
    team_changes: pd.DataFrame,
    last_check_ins: dict[int, date | None],
    today: date,
    label: str = "org",
) -> pd.DataFrame:
    """Managers ranked by the rule above: manager_id, manager, team_id, team, department,
    points, reason. ``last_check_ins`` maps team_id to its current manager's last
    check-in week (None: never), for teams silent two weeks or more."""
    shown = teams[(teams.status == "shown") & teams.manager_id.notna()]
    # Grouped once, so the loop below only looks things up (2,000 teams stay cheap).
    blind = self_team[self_team.gap >= 1.0].sort_values("gap", ascending=False, kind="stable")
    blind_spots = {
        (int(team_id), int(manager_id)): list(group.catalyst)
        for (team_id, manager_id), group in blind.groupby(["team_id", "manager_id"])
    }
    drops = team_changes[team_changes.real & (team_changes.points < 0)]
    fell = {
        int(team_id): dict(zip(group["item"], group.points, strict=True))
        for team_id, group in drops.groupby("team_id")
    }
    who = ["team_id", "manager_id", "manager", "team", "department"]
    pcts = [f"{key}_favorable_pct" for key in CATALYST_KEYS]
    rows = []
    for values in shown[[*who, *pcts]].itertuples(index=False, name=None):
        team_id, manager_id, manager, name, department = values[: len(who)]
        favorable = dict(zip(CATALYST_KEYS, values[len(who) :], strict=True))
        last = last_check_ins.get(team_id, week_of(today))
        found = concerns(
            favorable,
            baseline,
            blind_spots.get((int(team_id), int(manager_id)), []),
            fell.get(int(team_id), {}),
            None if last is None else missed_weeks(last, today),
            label,
        )
        if found:
            rows.append(
                {
                    "manager_id": int(manager_id),
                    "manager": manager,
                    "team_id": int(team_id),
                    "team": name,
                    "department": department,
                    "points": round(sum(c.points for c in found), 1),
                    "reason": ", ".join(c.words for c in found),
                }
            )
    columns = ["manager_id", "manager", "team_id", "team", "department", "points", "reason"]
    ranked = pd.DataFrame(rows, columns=columns)
    return ranked.sort_values(["points", "manager", "team"], ascending=[False, True, True])


def table(ranked: pd.DataFrame) -> pd.DataFrame:
    """The list as people read it, with the ids a row opens (screen; files drop them)."""
    return pd.DataFrame(
        {
            "Rank": range(1, len(ranked) + 1),
            "Manager": ranked.manager,
            "Team": ranked.team,
            "Department": ranked.department,
            "Why": ranked.reason,
            "Points": ranked.points,
            **{column: ranked[column] for column in ROW_IDS},
        }
    ).reset_index(drop=True)
