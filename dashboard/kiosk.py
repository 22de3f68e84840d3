"""The printable sheet of kiosk codes for a team's people without e-mail: one card per
code, each with the code to type on /pulse and a QR code (segno, a well-kept pure-Python
QR library) that opens the form directly. Pure: codes in, HTML out."""

from __future__ import annotations

import html
from datetime import date

import segno

from dashboard import pulse_text


def sheet(
    organization: str, team: str, codes: list[str], base_url: str, last_day: date, language: str
) -> str:
    """An HTML page to print in the organization's language: one card per code, cut
    along the lines."""
    e, _ = html.escape, pulse_text.translator(language)
    until = pulse_text.day(last_day, language)
    cards = []
    for code in codes:
        link = f"{base_url}/pulse?t={code}"
        qr = segno.make(link, error="m").svg_data_uri(scale=4, border=2)
        how = _("Scan the QR code, or open {address} and type:", address=f"{base_url}/pulse")
        terms = _("Works once, until {date}. Anonymous: the code is not linked to you.",
                  date=until)  # fmt: skip
        cards.append(
            f'<div class="card"><p class="team">{e(team)}</p>'
            f'<img src="{qr}" alt="{e(_("QR code that opens the pulse form"))}">'
            f'<p>{e(how)}</p><p class="code">{e(code[:5])}-{e(code[5:])}</p>'
            f"<p>{e(terms)}</p></div>"
        )
    title = _("{organization} · {team}: your team's pulse", organization=organization, team=team)
    return (
        f'<!doctype html><html lang="{e(language)}"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>"
        "body{font-family:system-ui,sans-serif;margin:12mm}"
        ".card{display:inline-block;width:80mm;margin:0 4mm 6mm 0;padding:4mm;"
        "border:1px dashed #666;vertical-align:top;text-align:center;break-inside:avoid}"
        ".team{font-weight:600}.code{font:600 20px monospace;letter-spacing:2px}"
        "</style></head><body>"
        f"<h1>{e(title)}</h1>" + "".join(cards) + "</body></html>"
    )
