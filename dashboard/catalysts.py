"""The Progress Principle's six catalysts and the progress item, as data.

Everything else in Catalyst reads the framework from here: column names in the
database, survey questions, chart labels, suggested actions. The keys are
stable identifiers and double as an allow-list for SQL column names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Catalyst:
    key: str
    label: str
    statement: str  # what a team member rates their manager on, 1-5
    self_question: str  # the manager's weekly self-assessment, 1-5
    description: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class OutcomeItem:
    key: str
    label: str
    statement: str
    description: str


CATALYSTS: tuple[Catalyst, ...] = (
    Catalyst(
        key="clear_goals",
        label="Clear goals",
        statement="My manager makes sure I know what our goals are and why they matter.",
        self_question="This week, how well did I make our goals and why they matter clear "
        "to everyone?",
        description="People know what they are aiming at, and why it is worth aiming at.",
        actions=(
            "Open the week by naming the one outcome that matters most, and the reason.",
            "Ask each person to say the team goal back in their own words; fix the gaps.",
            "When a priority changes, say what changed and why on the same day.",
            "Tie each piece of work in the planning board to the goal it serves.",
        ),
    ),
    Catalyst(
        key="autonomy",
        label="Autonomy",
        statement="I have the freedom to decide how I do my work.",
        self_question="This week, how well did I leave people free to decide how they do "
        "their work?",
        description="People choose how to reach the goal; the manager sets the what, not the how.",
        actions=(
            "Agree on the result and the deadline, then let the owner choose the approach.",
            "Replace one approval step with a check-in after the fact.",
            "When you feel the urge to redo someone's work, ask a question instead.",
            "Let the person who does the work present it, with their name on it.",
        ),
    ),
    Catalyst(
        key="resources",
        label="Resources",
        statement="I have the resources I need to do my work well.",
        self_question="This week, how well did I make sure people had the time, tools and "
        "information they need?",
        description="Time, tools, budget and information are there when the work needs them.",
        actions=(
            "Ask the team which missing tool or access cost them the most time this week.",
            "Protect one block of focus time per person from meetings.",
            "Push one stalled purchase, licence or access request through yourself.",
            "Cut or postpone one commitment so the rest gets the time it needs.",
        ),
    ),
    Catalyst(
        key="help",
        label="Help",
        statement="When I'm stuck, I can get the help and materials I need.",
        self_question="This week, how well did I make sure people could get help when they "
        "were stuck?",
        description="Getting unstuck is quick: people know whom to ask and asking is welcome.",
        actions=(
            "Hold a short open slot each week where anyone can bring a problem.",
            "Pair someone who is stuck with the colleague who has solved it before.",
            "Thank people in public when they ask for help early.",
            "Write down who knows what, so nobody has to guess whom to ask.",
        ),
    ),
    Catalyst(
        key="obstacle_removal",
        label="Obstacle removal",
        statement="My manager clears away obstacles that slow our work.",
        self_question="This week, how well did I clear away obstacles that slowed the team down?",
        description="The manager spots what slows the team and takes it out of the way.",
        actions=(
            "Ask every person: what is the one thing slowing you down right now?",
            "Take the most-named blocker to whoever can remove it, this week.",
            "Report back on each blocker you took on, even when it is not solved yet.",
            "Drop one recurring meeting or report that nobody uses.",
        ),
    ),
    Catalyst(
        key="respect",
        label="Respect & recognition",
        statement="My manager treats me with respect and recognizes my contributions.",
        self_question="This week, how well did I show people respect and recognize their "
        "contributions?",
        description="People feel their work is seen and their ideas are taken seriously.",
        actions=(
            "Name a specific contribution of each person at least once this week.",
            "Ask for someone's view before giving yours in the next decision.",
            "Give credit to the person who did the work when you report upward.",
            "Answer every idea you receive, including the ones you turn down, with a reason.",
        ),
    ),
)

PROGRESS = OutcomeItem(
    key="progress",
    label="Progress",
    statement="This week I made progress on work that matters to me.",
    description="What the catalysts are for: progress on meaningful work, as people report it.",
)

SELF_SCALE: dict[int, str] = {1: "Not at all", 2: "A little", 3: "Partly", 4: "Mostly", 5: "Fully"}
"""Words on the manager's 1-5 self-assessment scale ("how well did I ...")."""

CATALYST_KEYS: tuple[str, ...] = tuple(c.key for c in CATALYSTS)
ITEM_KEYS: tuple[str, ...] = (*CATALYST_KEYS, PROGRESS.key)
"""All survey items in order: the six catalysts, then progress."""

_BY_KEY: dict[str, Catalyst] = {c.key: c for c in CATALYSTS}


def catalyst(key: str) -> Catalyst:
    """The catalyst with this key; KeyError names the valid keys otherwise."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(
            f"unknown catalyst {key!r}; expected one of {', '.join(CATALYST_KEYS)}"
        ) from None


def item_label(key: str) -> str:
    """Display label of any survey item, the progress item included."""
    return PROGRESS.label if key == PROGRESS.key else catalyst(key).label
