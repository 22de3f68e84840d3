"""The framework as DESIGN §1 gives it."""

import pytest

from dashboard.catalysts import CATALYST_KEYS, CATALYSTS, ITEM_KEYS, PROGRESS, catalyst, item_label


def test_six_catalysts_in_the_designed_order_with_their_survey_statements():
    assert [(c.key, c.label, c.statement) for c in CATALYSTS] == [
        (
            "clear_goals",
            "Clear goals",
            "My manager makes sure I know what our goals are and why they matter.",
        ),
        ("autonomy", "Autonomy", "I have the freedom to decide how I do my work."),
        ("resources", "Resources", "I have the resources I need to do my work well."),
        ("help", "Help", "When I'm stuck, I can get the help and materials I need."),
        (
            "obstacle_removal",
            "Obstacle removal",
            "My manager clears away obstacles that slow our work.",
        ),
        (
            "respect",
            "Respect & recognition",
            "My manager treats me with respect and recognizes my contributions.",
        ),
    ]


def test_progress_is_the_outcome_item_after_the_catalysts():
    assert PROGRESS.statement == "This week I made progress on work that matters to me."
    assert ITEM_KEYS == (*CATALYST_KEYS, "progress")
    assert item_label("progress") == "Progress"


@pytest.mark.parametrize("entry", CATALYSTS, ids=lambda c: c.key)
def test_each_catalyst_has_a_self_question_a_description_and_actions(entry):
    assert entry.self_question.startswith("This week, how well did I")
    assert entry.self_question.endswith("?")
    assert entry.description
    assert len(entry.actions) >= 3
    assert len(set(entry.actions)) == len(entry.actions)


def test_keys_are_safe_sql_identifiers():
    for key in ITEM_KEYS:
        assert key.isidentifier() and key == key.lower()


def test_an_unknown_key_names_the_valid_ones():
    with pytest.raises(KeyError, match="clear_goals, autonomy"):
        catalyst("vision")
