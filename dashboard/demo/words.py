"""The demo's words: departments and their teams, people's names, comments, wins,
setbacks and check-in notes (written for Catalyst)."""

from __future__ import annotations

DEPARTMENTS = {
    "Engineering": ("Platform", "Mobile", "Payments", "Search", "Data Platform",
                    "Infrastructure", "Web", "Security", "Developer Tools", "Reliability"),
    "Product & Design": ("Product Discovery", "Design Systems", "User Research", "Growth",
                         "Onboarding", "Pricing"),
    "Sales": ("Sales North", "Sales South", "Enterprise Sales", "Partnerships",
              "Inside Sales", "Sales Operations"),
    "Customer Support": ("Support Tier 1", "Support Tier 2", "Customer Success",
                         "Support Operations", "Knowledge Base", "Escalations"),
    "Operations": ("Logistics", "Facilities", "Procurement", "Supply Planning", "Quality"),
    "People & Finance": ("Recruiting", "People Operations", "Accounting", "Payroll", "Legal",
                         "IT Helpdesk"),
}  # fmt: skip


FIRST_NAMES = (
    "Ada", "Amir", "Ana", "Ben", "Bea", "Carlos", "Chen", "Dara", "Eli", "Elena", "Farah",
    "Felix", "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jada", "Jonas", "Kai", "Kemal",
    "Lena", "Liam", "Maya", "Mateo", "Nadia", "Noah", "Olga", "Omar", "Paula", "Quinn",
    "Rosa", "Ravi", "Sara", "Sven", "Tara", "Theo", "Uma", "Victor", "Wen", "Yara", "Zoe",
)  # fmt: skip


LAST_NAMES = (
    "Abara", "Berg", "Costa", "Dumont", "Eriksen", "Fischer", "Garcia", "Hoang", "Ibsen",
    "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe",
    "Rossi", "Schmidt", "Tanaka", "Usman", "Varga", "Weber", "Xu", "Yilmaz", "Zielinski",
    "Almeida", "Brennan", "Castillo", "Delgado", "Engel", "Fontaine", "Gallo", "Haddad",
)  # fmt: skip


COMMENTS_GOOD = (
    "Clear priorities this week made a real difference.",
    "Got quick help when the release got stuck.",
    "Thanks for pushing the access request through.",
    "Felt trusted to choose how to solve the problem.",
    "Good to hear the why behind the new goal.",
    "Our lead thanked the whole team in the all-hands.",
)


COMMENTS_BAD = (
    "Still waiting on the test environment, third week now.",
    "Priorities changed twice and nobody said why.",
    "Too many approvals for small decisions.",
    "Hard to find anyone who knows the old billing code.",
    "Meetings ate most of the week.",
    "Nobody mentioned the migration we finished.",
)


WINS = (
    "Shipped the new onboarding flow", "Closed the oldest open bug", "Customer praised the fix",
    "Cut build time in half", "Finished the quarterly plan early", "First release with no rollback",
    "New teammate shipped their first change", "Resolved the escalation within a day",
)  # fmt: skip


SETBACKS = (
    "Blocked on access to production logs", "Vendor delivery slipped a week",
    "Lost two days to an unplanned outage", "Requirements changed after review",
    "Key reviewer out sick", "Test environment down again",
)  # fmt: skip


CHECKIN_NOTES = {
    "clear_goals": "Walked the team through the quarter's goal and why it matters.",
    "autonomy": "Let the owners pick their own approach for the migration.",
    "resources": "Got the extra test licences approved.",
    "help": "Paired a new teammate with our most experienced engineer.",
    "obstacle_removal": "Escalated the blocked access request to IT.",
    "respect": "Thanked each person for a specific contribution in our weekly.",
}
