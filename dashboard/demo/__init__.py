"""A deterministic demo organization, believable enough to explore.

The same ``seed`` and ``today`` always give the same database. Everything is
generated as whole arrays with numpy and written in a handful of bulk
inserts, so ``--teams 2000 --weeks 104`` (about 1.6M responses) stays well
under a minute.

Patterns built in, for people to discover:

* blind spots: about one manager in five rates themselves 1.2-1.8 points
  above their team on one or two catalysts; a few rate themselves lower
  (hidden strengths). ``manager@example.com`` has a blind spot on obstacle
  removal and a hidden strength on respect;
* a manager change: the second team gets a new manager halfway through, and
  its obstacle removal drops by about 1.3 points from then on;
* a reorg: the third team moves to another department two thirds of the way;
* teams too small ever to report (headcount 3-4);
* progress moves with clear goals, obstacle removal and resources most,
  with autonomy and respect less, and help hardly at all."""

from dashboard.demo.build import build_demo
from dashboard.demo.spec import (
    ADMIN_EMAIL,
    DEMO_PASSWORD,
    HR_EMAIL,
    MANAGER_EMAIL,
    ORGANIZATION_NAME,
    DemoSpec,
)

__all__ = [
    "ADMIN_EMAIL",
    "DEMO_PASSWORD",
    "DemoSpec",
    "HR_EMAIL",
    "MANAGER_EMAIL",
    "ORGANIZATION_NAME",
    "build_demo",
]
