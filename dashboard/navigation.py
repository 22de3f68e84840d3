"""Which screens exist, who may use them, and where they live: the one list of pages
(plus the two session routes beside them).

``app.py`` registers only the pages of the signed-in user's roles, and every
page file starts with ``ui.guard(<key>)``, which checks the same list.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_ROLES = frozenset({"manager", "hr", "admin"})

# Routes the server adds beside the pages (see server.py), and the cookie they set.
SESSION_COOKIE = "catalyst_session"
BROWSER_COOKIE = "catalyst_browser"  # pre-session: binds a sign-in ticket to its browser
START_PATH = "/session/start"
END_PATH = "/session/end"


@dataclass(frozen=True)
class Screen:
    key: str
    title: str
    icon: str
    roles: frozenset[str]
    default: bool = False

    @property
    def file(self) -> str:
        return f"pages/{self.key}.py"

    @property
    def url_path(self) -> str:
        return "" if self.default else self.key.replace("_", "-")

    @property
    def audience(self) -> str:
        """Who may open it, in words: 'HR and admins'."""
        names = [name for role, name in _AUDIENCE if role in self.roles]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


_AUDIENCE = (("manager", "managers"), ("hr", "HR"), ("admin", "admins"))
HR_ROLES = frozenset({"hr", "admin"})

SCREENS: tuple[Screen, ...] = (
    Screen("home", "Home", ":material/home:", ALL_ROLES, default=True),
    Screen("checkin", "Weekly check-in", ":material/checklist:", frozenset({"manager"})),
    Screen("my_team", "My team", ":material/groups:", frozenset({"manager"})),
    Screen("overview", "Overview", ":material/monitoring:", HR_ROLES),
    Screen("manager_detail", "Manager detail", ":material/person_search:", HR_ROLES),
    Screen("upload", "Upload", ":material/upload_file:", HR_ROLES),
    Screen("admin", "Admin", ":material/admin_panel_settings:", frozenset({"admin"})),
)
_BY_KEY = {screen.key: screen for screen in SCREENS}


def screen(key: str) -> Screen:
    return _BY_KEY[key]


def allowed(screen_: Screen, roles: frozenset[str]) -> bool:
    return bool(screen_.roles & roles)


def screens_for(roles: frozenset[str]) -> list[Screen]:
    return [s for s in SCREENS if allowed(s, roles)]
