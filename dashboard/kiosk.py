"""The printable sheet of kiosk codes for a team's people without e-mail: one card per
code, each with the code to type on /pulse and a QR code (segno, a well-kept pure-Python
QR library) that opens the form directly. Pure: codes in, HTML out."""

from __future__ import annotations

import html
from datetime import date

import segno


def sheet(organization: str, team: str, codes: list[str], base_url: str, last_day: date) -> str:
    """An HTML page to print: one card per code, cut along the lines."""
    e = html.escape
    cards = []
    for code in codes:
        link = f"{base_url}/pulse?t={code}"
        qr = segno.make(link, error="m").svg_data_uri(scale=4, border=2)
        shown = f"{code[:5]}-{code[5:]}"
        cards.append(
            '<div class="card"><p class="team">' + e(team) + "</p>"
            f'<img src="{qr}" alt="QR code that opens the pulse form">'
            f"<p>Scan the code, or open <b>{e(base_url)}/pulse</b> and type</p>"
            f'<p class="code">{e(shown)}</p>'
            f"<p>Works once, until {last_day:%-d %b %Y}. Anonymous: the code is not "
            "linked to you.</p></div>"
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(team)}: pulse codes</title><style>"
        "body{font-family:system-ui,sans-serif;margin:12mm}"
        ".card{display:inline-block;width:80mm;margin:0 4mm 6mm 0;padding:4mm;"
        "border:1px dashed #666;vertical-align:top;text-align:center;break-inside:avoid}"
        ".team{font-weight:600}.code{font:600 20px monospace;letter-spacing:2px}"
        "</style></head><body>"
        f"<h1>{e(organization)} · {e(team)}: your team's pulse</h1>"
        + "".join(cards)
        + "</body></html>"
    )
