"""Every measure of DESIGN §2 against numbers worked out by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import measures
from dashboard.measures import Scale


@pytest.mark.parametrize(
    ("value", "scale", "expected"),
    [
        (1, Scale(1, 5), 1.0),
        (5, Scale(1, 5), 5.0),
        (3, Scale(1, 5), 3.0),
        (7, Scale(1, 7), 5.0),
        (4, Scale(1, 7), 3.0),
        (5, Scale(1, 7), 1 + 4 * 4 / 6),
        (0, Scale(0, 10), 1.0),
        (10, Scale(0, 10), 5.0),
        (6, Scale(0, 10), 3.4),
    ],
)
def test_scores_move_answers_onto_one_to_five(value, scale, expected):
    assert measures.score(value, scale) == pytest.approx(expected)


def test_an_answer_off_its_scale_is_refused():
    with pytest.raises(ValueError, match="outside the 1-5 scale"):
        measures.score(6)


@pytest.mark.parametrize(
    ("scale", "favorable"),
    [(Scale(1, 5), [4, 5]), (Scale(1, 7), [5, 6, 7]), (Scale(0, 10), [6, 7, 8, 9, 10])],
)
def test_favorable_means_strictly_above_the_scales_own_midpoint(scale, favorable):
    values = range(scale.low, scale.high + 1)
    assert [v for v in values if measures.is_favorable(v, scale)] == favorable


@given(
    st.sampled_from([Scale(1, 5), Scale(1, 7), Scale(0, 10), Scale(1, 10), Scale(0, 6)]), st.data()
)
def test_favorable_on_the_original_scale_equals_score_above_three(scale, data):
    value = data.draw(st.integers(scale.low, scale.high))
    assert measures.is_favorable(value, scale) == measures.is_favorable_score(
        measures.score(value, scale)
    )


def test_mean_and_favorable_percentage_by_hand():
    # answers 5, 4, 4, 2, 1: sum 16 over 5 -> 3.2; favorable 5, 4, 4 -> 3 of 5 = 60%
    assert measures.mean(16, 5) == 3.2
    assert measures.favorable_pct(3, 5) == 60.0
    assert measures.mean(0, 0) is None and measures.favorable_pct(0, 0) is None


def test_self_score_skips_weeks_without_a_check_in():
    # weeks: 4, (none), 5, 3 -> (4 + 5 + 3) / 3 = 4.0, never (4 + 0 + 5 + 3) / 4
    assert measures.self_score([4, None, 5, 3]) == 4.0
    assert measures.self_score([None, None]) is None


@pytest.mark.parametrize(
    ("self_value", "team", "gap", "kind"),
    [
        (4.5, 3.2, 1.3, "blind_spot"),
        (4.0, 3.0, 1.0, "blind_spot"),  # exactly 1.0 counts
        (3.9, 3.0, 0.9, None),
        (2.0, 3.0, -1.0, "hidden_strength"),
        (2.5, 3.25, -0.75, None),
    ],
)
def test_gap_and_its_kind(self_value, team, gap, kind):
    assert measures.gap(self_value, team) == pytest.approx(gap)
    assert measures.gap_kind(measures.gap(self_value, team)) == kind


def test_no_gap_without_both_sides():
    assert measures.gap(None, 3.0) is None and measures.gap_kind(None) is None


def test_participation_per_round_and_over_a_period():
    # round 1: 6 of 8 = 75%; round 2: 9 of 8 -> capped at 100%; round 3: 4 of 8 = 50%
    assert measures.participation(6, 8) == 0.75
    assert measures.participation(9, 8) == 1.0
    assert measures.period_participation([(6, 8), (9, 8), (4, 8)]) == pytest.approx(0.75)
    assert measures.participation(3, 0) is None


def test_two_proportion_test_by_hand():
    # 30/100 vs 50/100: pooled 0.4, se = sqrt(0.4*0.6*(2/100)) = 0.069282; z = 2.8868
    p_value = measures.two_proportion_p_value(30, 100, 50, 100)
    assert p_value == pytest.approx(math.erfc(2.886751 / math.sqrt(2)), rel=1e-5)
    assert p_value == pytest.approx(0.00389, abs=1e-4)
    assert measures.two_proportion_p_value(0, 0, 5, 10) == 1.0


def test_benjamini_hochberg_by_hand():
    # m = 5, q = 0.05: thresholds 0.01, 0.02, 0.03, 0.04, 0.05
    # sorted p: 0.001 (<=0.01), 0.015 (<=0.02), 0.035 (>0.03), 0.04 (<=0.04), 0.3
    # largest rank passing is 4, so the four smallest are discoveries.
    p_values = [0.04, 0.3, 0.001, 0.035, 0.015]
    assert measures.benjamini_hochberg(p_values) == [True, False, True, True, True]
    assert measures.benjamini_hochberg([0.02, 0.9]) == [True, False]  # 0.02 <= 1/2 * 0.05
    assert measures.benjamini_hochberg([0.03, 0.9]) == [False, False]


def test_a_real_change_needs_five_points_and_significance_across_all_teams():
    changes = measures.real_changes(
        [
            (300, 1000, 400, 1000),  # +10 points, p tiny: real
            (30, 100, 33, 100),  # +3 points: never real
            (10, 20, 13, 20),  # +15 points on few answers: not significant
            (0, 0, 5, 10),  # no "before": no change
        ]
    )
    assert [c.real for c in changes] == [True, False, False, False]
    assert changes[0].points == pytest.approx(10.0)
    assert changes[2].points == pytest.approx(15.0)
    assert changes[3].points is None


def test_many_teams_compared_at_once_make_borderline_changes_not_real():
    borderline = (50, 100, 64, 100)  # +14 points, p ~ 0.046
    assert measures.real_changes([borderline])[0].real
    crowd = [borderline] + [(50, 100, 50, 100)] * 9
    assert not measures.real_changes(crowd)[0].real


def test_pearson_matches_its_definition_and_says_when_it_is_not_defined():
    assert measures.pearson([1, 2, 3, 4], [2, 4, 6, 8]) == pytest.approx(1.0)
    assert measures.pearson([1, 2, 3, 4], [8, 6, 4, 2]) == pytest.approx(-1.0)
    assert measures.pearson([1, 2, 3], [1, 3, 2]) == pytest.approx(0.5)
    assert measures.pearson([1, 2], [1, 2]) is None  # too few teams
    assert measures.pearson([1, 2, 3], [5, 5, 5]) is None  # progress does not vary
