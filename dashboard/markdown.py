"""Text from users (names, teams, departments) inside Streamlit's Markdown.

Streamlit renders Markdown, colour directives and $LaTeX$ in captions, alerts and
headings; a team called "[Reset your password](https://…)" would become a link.
``plain`` escapes the characters that make links, images, emphasis, code, HTML,
headings, tables, strike-through, colour directives (``:red[…]``) and maths, so such
text shows as typed; other punctuation means nothing in the middle of a line. A
zero-width space inside "://" and "www." keeps bare addresses from becoming links.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_\[\]<>$~|#:])")


_AUTOLINK = re.compile(r"(://|www\.)", re.IGNORECASE)  # bare URLs become links otherwise


def plain(value: object) -> str:
    escaped = _SPECIAL.sub(r"\\\1", str(value))
    return _AUTOLINK.sub(lambda found: found.group(1)[0] + "\u200b" + found.group(1)[1:], escaped)
