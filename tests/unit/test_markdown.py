"""Names from rosters and surveys show as typed inside Streamlit's Markdown."""

from __future__ import annotations

import pytest

from dashboard.markdown import plain


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        (
            "[Reset your password](https://evil.example)",
            "\\[Reset your password\\](https\\:\u200b//evil.example)",
        ),
        ("**Plat** $x^2$ :red[hi]", "\\*\\*Plat\\*\\* \\$x^2\\$ \\:red\\[hi\\]"),
        (
            "<img src=x> `code` ~~old~~ a|b #1",
            "\\<img src=x\\> \\`code\\` \\~\\~old\\~\\~ a\\|b \\#1",
        ),
        ("see www.evil.example", "see w\u200bww.evil.example"),
        ("Ann-Marie O'Neil, Sales (EMEA) 2.0!", "Ann-Marie O'Neil, Sales (EMEA) 2.0!"),
    ],
)
def test_markdown_and_links_in_names_are_neutralised(name, shown):
    assert plain(name) == shown
    # What a reader sees is what was typed: only escapes and invisible breaks were added.
    assert shown.replace("\\", "").replace("\u200b", "") == name
