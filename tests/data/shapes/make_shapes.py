#!/usr/bin/env python3
"""Write every export shape in this folder from one table of nine responses.

Run from anywhere:  /work/main/.venv/bin/python tests/data/shapes/make_shapes.py

Needs only the standard library and openpyxl. The output is byte-for-byte
deterministic: XLSX files are re-zipped with fixed timestamps and fixed
document properties. SHAPES.md beside this script says, per file, which quirk
was copied from evidence and which was assumed.

The nine responses are those of ../samples/template_example.csv (same teams,
same answers, same order); the script checks that before writing anything.
Each response gets its own time on 2026-11-10..12 between 09:00 and 17:00
Europe/Berlin (CET, UTC+1 in November), inside the week 2026-11-09..15.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE.parent / "samples" / "template_example.csv"
CET = dt.timedelta(hours=1)  # Europe/Berlin in November
FIXED_ZIP_TIME = (2026, 11, 12, 17, 0, 0)
FIXED_DOC_TIME = "2026-11-12T16:00:00Z"

# --- the survey ---------------------------------------------------------------

STATEMENTS = [
    ("clear_goals", "My manager makes sure I know what our goals are and why they matter."),
    ("autonomy", "I have the freedom to decide how I do my work."),
    ("resources", "I have the resources I need to do my work well."),
    ("help", "When I'm stuck, I can get the help and materials I need."),
    ("obstacle_removal", "My manager clears away obstacles that slow our work."),
    ("respect", "My manager treats me with respect and recognizes my contributions."),
    ("progress", "This week I made progress on work that matters to me."),
]
KEYS = [key for key, _ in STATEMENTS]
TEXTS = [text for _, text in STATEMENTS]
AGREE = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}
TEAM_Q = "Which team are you in?"
MATRIX_Q = "Thinking about this week, how much do you agree?"
COMMENT_Q = "Anything else you want to tell us? (optional)"

COMMENT_EMAIL = "Great week \u2013 write me at jo.doe@example.com if you want details."
COMMENT_PHONE = "Please call me on +49 30 1234567, the M\u00fcnchen office still waits for laptops."


@dataclass(frozen=True)
class Response:
    team: str
    answers: tuple[int, ...]  # 1-5, in STATEMENTS order
    submitted: dt.datetime  # local Europe/Berlin wall time, naive
    seconds: int  # time taken
    comment: str
    first: str
    last: str

    @property
    def started(self) -> dt.datetime:
        return self.submitted - dt.timedelta(seconds=self.seconds)

    @property
    def email(self) -> str:
        return f"{self.first.lower()}.{self.last.lower()}@example.com"

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def _r(team, answers, when, seconds, comment, first, last):
    return Response(team, answers, dt.datetime(*when), seconds, comment, first, last)


RESPONSES = [
    _r("Support", (3, 2, 4, 2, 5, 5, 5), (2026, 11, 10, 9, 15, 2), 143, "", "Ana", "Berg"),
    _r(
        "Sales East",
        (5, 3, 2, 5, 2, 5, 5),
        (2026, 11, 10, 11, 42, 37),
        98,
        COMMENT_EMAIL,
        "Jo",
        "Doe",
    ),
    _r("Sales West", (2, 5, 4, 3, 2, 4, 2), (2026, 11, 10, 16, 5, 11), 201, "", "Ben", "Kraus"),
    _r("Support", (2, 2, 2, 5, 3, 5, 2), (2026, 11, 11, 9, 48, 20), 176, "", "Carla", "Mendes"),
    _r("Sales East", (3, 5, 5, 3, 4, 3, 3), (2026, 11, 11, 13, 27, 55), 87, "", "Dev", "Patel"),
    _r(
        "Sales West",
        (5, 4, 2, 5, 2, 3, 4),
        (2026, 11, 11, 15, 59, 3),
        254,
        COMMENT_PHONE,
        "Eva",
        "Lund",
    ),
    _r("Support", (2, 4, 5, 3, 4, 4, 5), (2026, 11, 12, 10, 6, 44), 132, "", "Finn", "Olsen"),
    _r("Sales East", (5, 2, 5, 3, 5, 5, 3), (2026, 11, 12, 12, 31, 18), 119, "", "Gita", "Rao"),
    _r("Sales West", (4, 4, 2, 5, 2, 3, 5), (2026, 11, 12, 14, 52, 9), 165, "", "Hugo", "Sand"),
]


def check_against_template() -> None:
    """The table must match the template's nine responses exactly."""
    if not TEMPLATE.exists():
        return
    with TEMPLATE.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(RESPONSES), "template has a different number of responses"
    for row, resp in zip(rows, RESPONSES, strict=True):
        assert row["team"] == resp.team, (row, resp)
        assert tuple(int(row[k]) for k in KEYS) == resp.answers, (row, resp)
    for resp in RESPONSES:
        assert dt.date(2026, 11, 10) <= resp.submitted.date() <= dt.date(2026, 11, 12)
        assert dt.time(9) <= resp.started.time() and resp.submitted.time() <= dt.time(17)


# --- fake identifiers, all derived from the row number --------------------------


def digest(label: str, i: int) -> str:
    return hashlib.sha256(f"{label}:{i}".encode()).hexdigest()


def alnum(label: str, i: int, n: int, alphabet="abcdefghijklmnopqrstuvwxyz0123456789") -> str:
    raw = int(digest(label, i), 16)
    out = []
    for _ in range(n):
        raw, k = divmod(raw, len(alphabet))
        out.append(alphabet[k])
    return "".join(out)


def fake_uuid(label: str, i: int) -> str:
    h = digest(label, i)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def ip(i: int) -> str:
    return f"203.0.113.{11 + 17 * i}"


def utc(local: dt.datetime) -> dt.datetime:
    return local - CET


# --- writers ------------------------------------------------------------------


def write_bytes(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)
    print(f"wrote {name} ({len(data)} bytes)")


def csv_text(rows, delimiter=",", lineterminator="\r\n") -> str:
    """Minimal quoting, as Excel and most exporters do it."""
    buf = io.StringIO()
    writer = csv.writer(
        buf, delimiter=delimiter, lineterminator=lineterminator, quoting=csv.QUOTE_MINIMAL
    )
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buf.getvalue()


def quoted_text(rows, delimiter=",", lineterminator="\r\n", quote_empty=True) -> str:
    """Every value in double quotes; None stays bare when quote_empty is False."""

    def q(v):
        if v is None:
            return '""' if quote_empty else ""
        return '"' + str(v).replace('"', '""') + '"'

    return "".join(delimiter.join(q(v) for v in row) + lineterminator for row in rows)


def save_xlsx(wb: openpyxl.Workbook, name: str, dimension_a1: bool = False) -> None:
    """Save, then re-zip with fixed times (and, if asked, a wrong <dimension ref="A1"/>)."""
    wb.properties.creator = "make_shapes.py"
    raw = io.BytesIO()
    wb.save(raw)
    src = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>" + FIXED_DOC_TIME.encode(),
                    data,
                )
            if dimension_a1 and info.filename.startswith("xl/worksheets/sheet"):
                data, n = re.subn(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', data)
                assert n == 1, f"no <dimension> in {info.filename}"
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
    write_bytes(name, out.getvalue())


def new_sheet(title: str):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    return wb, ws


# --- Google Forms --------------------------------------------------------------


def google_header():
    return (
        ["Timestamp", "Email address", TEAM_Q] + [f"{MATRIX_Q} [{t}]" for t in TEXTS] + [COMMENT_Q]
    )


def google_forms_csv() -> None:
    def stamp(d: dt.datetime) -> str:
        hour = d.hour % 12 or 12
        return f"{d:%Y/%m/%d} {hour}:{d:%M:%S} {'am' if d.hour < 12 else 'pm'} CET"

    rows = [google_header()]
    for r in RESPONSES:
        rows.append(
            [stamp(r.submitted), r.email, r.team] + [AGREE[a] for a in r.answers] + [r.comment]
        )
    write_bytes("googleforms_download.csv", quoted_text(rows).encode("utf-8"))


def google_forms_xlsx() -> None:
    wb, ws = new_sheet("Form Responses 1")
    ws.append(google_header())
    for r in RESPONSES:
        ws.append(
            [r.submitted, r.email, r.team] + [AGREE[a] for a in r.answers] + [r.comment or None]
        )
        ws.cell(row=ws.max_row, column=1).number_format = "m/d/yyyy h:mm:ss"
    save_xlsx(wb, "googleforms_sheets.xlsx")


# --- Microsoft Forms -------------------------------------------------------------


def microsoft_forms_xlsx() -> None:
    wb, ws = new_sheet("Sheet1")
    ws.append(
        ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time", TEAM_Q]
        + TEXTS
        + [COMMENT_Q]
    )
    for i, r in enumerate(RESPONSES, start=1):
        ws.append(
            [i, r.started, r.submitted, r.email, r.name, None, r.team]
            + [AGREE[a] for a in r.answers]
            + [r.comment or None]
        )
        for col in (2, 3):
            ws.cell(row=ws.max_row, column=col).number_format = "m/d/yy h:mm:ss"
    save_xlsx(wb, "microsoftforms_excel.xlsx", dimension_a1=True)


# --- Qualtrics -----------------------------------------------------------------

QUALTRICS_META = [
    ("StartDate", "Start Date", "startDate", True),
    ("EndDate", "End Date", "endDate", True),
    ("Status", "Response Type", "status", False),
    ("IPAddress", "IP Address", "ipAddress", False),
    ("Progress", "Progress", "progress", False),
    ("Duration (in seconds)", "Duration (in seconds)", "duration", False),
    ("Finished", "Finished", "finished", False),
    ("RecordedDate", "Recorded Date", "recordedDate", True),
    ("ResponseId", "Response ID", "_recordId", False),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName", False),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName", False),
    ("RecipientEmail", "Recipient Email", "recipientEmail", False),
    ("ExternalReference", "External Data Reference", "externalDataReference", False),
    ("LocationLatitude", "Location Latitude", "locationLatitude", False),
    ("LocationLongitude", "Location Longitude", "locationLongitude", False),
    ("DistributionChannel", "Distribution Channel", "distributionChannel", False),
    ("UserLanguage", "User Language", "userLanguage", False),
]


def qualtrics_rows(choice_text: bool, numbers_as_text: bool = True):
    def import_id(name, zoned):
        obj = {"ImportId": name}
        if zoned:
            obj["timeZone"] = "Europe/Berlin"
        return json.dumps(obj, separators=(",", ":"))

    names = [m[0] for m in QUALTRICS_META] + ["Q1"] + [f"Q2_{n}" for n in range(1, 8)] + ["Q3"]
    texts = (
        [m[1] for m in QUALTRICS_META]
        + [TEAM_Q]
        + [f"{MATRIX_Q} - {t}" for t in TEXTS]
        + [COMMENT_Q]
    )
    ids = (
        [import_id(m[2], m[3]) for m in QUALTRICS_META]
        + [import_id("QID1_TEXT", False)]
        + [import_id(f"QID2_{n}", False) for n in range(1, 8)]
        + [import_id("QID3_TEXT", False)]
    )
    rows = [names, texts, ids]
    num = str if numbers_as_text else (lambda v: v)
    for i, r in enumerate(RESPONSES):
        recorded = r.submitted + dt.timedelta(seconds=1)
        meta = [
            f"{r.started:%Y-%m-%d %H:%M:%S}",
            f"{r.submitted:%Y-%m-%d %H:%M:%S}",
            "IP Address",
            ip(i),
            num(100),
            num(r.seconds),
            "True",
            f"{recorded:%Y-%m-%d %H:%M:%S}",
            "R_"
            + alnum(
                "qualtrics", i, 15, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            ),
            r.last,
            r.first,
            r.email,
            f"EMP-{10230 + 7 * i}",
            f"52.{5200 + 13 * i:04d}",
            f"13.{4050 + 11 * i:04d}",
            "email",
            "EN",
        ]
        answers = [AGREE[a] if choice_text else num(a) for a in r.answers]
        rows.append(meta + [r.team] + answers + [r.comment])
    return rows


def qualtrics_csv(choice_text: bool) -> None:
    name = "qualtrics_choice-text.csv" if choice_text else "qualtrics_numeric.csv"
    text = csv_text(qualtrics_rows(choice_text), lineterminator="\r\r\n")
    write_bytes(name, text.encode("utf-8"))


def qualtrics_xlsx() -> None:
    wb, ws = new_sheet("Sheet0")
    for row in qualtrics_rows(choice_text=False, numbers_as_text=False):
        ws.append([v if v != "" else None for v in row])
    save_xlsx(wb, "qualtrics_numeric.xlsx", dimension_a1=True)


# --- SurveyMonkey ----------------------------------------------------------------


def surveymonkey_xlsx() -> None:
    wb, ws = new_sheet("Sheet")
    meta = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
    ]
    ws.append(meta + [TEAM_Q, MATRIX_Q] + [None] * 6 + [COMMENT_Q])
    ws.append([None] * len(meta) + ["Response"] + TEXTS + ["Open-Ended Response"])
    stamp = "%m/%d/%Y %I:%M:%S %p"
    for i, r in enumerate(RESPONSES):
        ws.append(
            [
                11931740512 + 3 * i,
                432118907,
                r.started.strftime(stamp),
                r.submitted.strftime(stamp),
                ip(i),
                r.email,
                r.first,
                r.last,
                None,
                r.team,
            ]
            + [AGREE[a] for a in r.answers]
            + [r.comment or None]
        )
    save_xlsx(wb, "surveymonkey_excel.xlsx")


# --- LimeSurvey ------------------------------------------------------------------


def limesurvey_csv() -> None:
    header = [
        "id. Response ID",
        "submitdate. Date submitted",
        "lastpage. Last page",
        "startlanguage. Start language",
        "seed. Seed",
        "startdate. Date started",
        "datestamp. Date last action",
        "ipaddr. IP address",
        "refurl. Referrer URL",
        f"G01Q01. {TEAM_Q}",
    ]
    header += [f"G01Q02[SQ{n:03d}]. {MATRIX_Q} [{t}]" for n, t in enumerate(TEXTS, start=1)]
    header += [f"G01Q03. {COMMENT_Q}"]
    rows = [header]
    for i, r in enumerate(RESPONSES):
        stamp = f"{r.submitted:%Y-%m-%d %H:%M:%S}"
        seed = str(int(digest("seed", i)[:8], 16) % 2_000_000_000)
        rows.append(
            [
                str(12 + i),
                stamp,
                "1",
                "en",
                seed,
                f"{r.started:%Y-%m-%d %H:%M:%S}",
                stamp,
                ip(i),
                None,
                r.team,
            ]
            + [AGREE[a] for a in r.answers]
            + [r.comment or None]
        )
    text = quoted_text(rows, quote_empty=False)
    write_bytes("limesurvey_full-answers.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))


# --- Typeform --------------------------------------------------------------------


def typeform_csv() -> None:
    rows = [
        ["#", TEAM_Q]
        + TEXTS
        + [
            COMMENT_Q,
            "Response Type",
            "Start Date (UTC)",
            "Stage Date (UTC)",
            "Submit Date (UTC)",
            "Network ID",
            "Tags",
        ]
    ]
    for i, r in enumerate(RESPONSES):
        rows.append(
            [alnum("typeform", i, 32), r.team]
            + [str(a) for a in r.answers]
            + [
                r.comment,
                "completed",
                f"{utc(r.started):%Y-%m-%d %H:%M:%S}",
                "",
                f"{utc(r.submitted):%Y-%m-%d %H:%M:%S}",
                digest("network", i)[:10],
                "",
            ]
        )
    write_bytes("typeform_responses.csv", csv_text(rows, lineterminator="\n").encode("utf-8"))


# --- KoboToolbox -------------------------------------------------------------------

KOBO_GROUP_LABEL = "This week"
KOBO_NAMES = ["goals", "freedom", "resources", "help", "obstacles", "respect", "progress"]
KOBO_TEAMS = {"Support": "support", "Sales East": "sales_east", "Sales West": "sales_west"}
KOBO_CHOICES = {
    1: "strongly_disagree",
    2: "disagree",
    3: "neither_agree_nor_disagree",
    4: "agree",
    5: "strongly_agree",
}
KOBO_META = [
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
]


def kobo_csv(xml_values: bool) -> None:
    def stamp(d: dt.datetime, i: int, extra: int) -> str:
        return f"{d:%Y-%m-%dT%H:%M:%S}.{(137 * i + extra) % 1000:03d}+01:00"

    if xml_values:
        header = ["start", "end", "team"] + [f"week/{n}" for n in KOBO_NAMES] + ["comment"]
    else:
        header = ["start", "end", TEAM_Q] + [f"{KOBO_GROUP_LABEL}/{t}" for t in TEXTS] + [COMMENT_Q]
    rows = [header + KOBO_META]
    for i, r in enumerate(RESPONSES):
        team = KOBO_TEAMS[r.team] if xml_values else r.team
        answers = [KOBO_CHOICES[a] if xml_values else AGREE[a] for a in r.answers]
        submitted = utc(r.submitted) + dt.timedelta(seconds=7)
        meta = [
            str(418_204_551 + 13 * i),
            fake_uuid("kobo", i),
            f"{submitted:%Y-%m-%dT%H:%M:%S}",
            "",
            "",
            "submitted_via_web",
            "",
            "vGq3k7CzFhQm3bx5xX8Gx8",
            "",
            str(i + 1),
        ]
        rows.append(
            [stamp(r.started, i, 0), stamp(r.submitted, i, 511), team]
            + answers
            + [r.comment]
            + meta
        )
    name = "kobotoolbox_xml-values.csv" if xml_values else "kobotoolbox_labels.csv"
    write_bytes(name, quoted_text(rows, delimiter=";").encode("utf-8"))


# --- SoSci Survey ------------------------------------------------------------------

SOSCI_LABELS = {
    "CASE": "Interview-Nummer (fortlaufend)",
    "SERIAL": "Personenkennung oder Teilnahmecode (sofern verwendet)",
    "REF": "Referenz (sofern im Link angegeben)",
    "QUESTNNR": "Fragebogen, der im Interview verwendet wurde",
    "MODE": "Interview-Modus",
    "STARTED": "Zeitpunkt zu dem das Interview begonnen hat (Europe/Berlin)",
    "TM01_01": "Team: [01]",
    **{f"AB01_{n:02d}": f"Catalysts: {t}" for n, t in enumerate(TEXTS, start=1)},
    "KO01_01": "Kommentar: [01]",
    "TIME001": "Verweildauer Seite 1",
    "TIME002": "Verweildauer Seite 2",
    "TIME003": "Verweildauer Seite 3",
    "TIME_SUM": "Verweildauer gesamt (ohne Ausrei\u00dfer)",
    "MAILSENT": "Versandzeitpunkt der Einladungsmail (nur f\u00fcr nicht-anonyme Adressaten)",
    "LASTDATA": "Zeitpunkt als der Datensatz das letzte mal ge\u00e4ndert wurde",
    "STATUS": "Status des Interviews (Markierung)",
    "FINISHED": "Wurde die Befragung abgeschlossen (letzte Seite erreicht)?",
    "Q_VIEWER": "Hat der Teilnehmer den Fragebogen nur angesehen, ohne die Pflichtfragen zu beantworten?",
    "LASTPAGE": "Seite, die der Teilnehmer zuletzt bearbeitet hat",
    "MAXPAGE": "Letzte Seite, die im Fragebogen bearbeitet wurde",
    "MISSING": "Anteil fehlender Antworten in Prozent",
    "MISSREL": "Anteil fehlender Antworten (gewichtet nach Relevanz)",
    "TIME_RSI": "Ausf\u00fcll-Geschwindigkeit (relativ)",
    "DEG_TIME": "Maluspunkte f\u00fcr schnelles Ausf\u00fcllen",
}


def sosci_records(with_status: bool):
    names = [n for n in SOSCI_LABELS if with_status or n != "STATUS"]
    records = []
    for i, r in enumerate(RESPONSES):
        pages = (r.seconds // 4, r.seconds // 2, r.seconds - r.seconds // 4 - r.seconds // 2)
        missing = round(100 * (0 if r.comment else 1) / 9)
        values = {
            "CASE": 31 + i,
            "SERIAL": "",
            "REF": "",
            "QUESTNNR": "base",
            "MODE": "interview",
            "STARTED": f"{r.started:%Y-%m-%d %H:%M:%S}",
            "TM01_01": r.team,
            **{f"AB01_{n:02d}": a for n, a in enumerate(r.answers, start=1)},
            "KO01_01": r.comment,
            "TIME001": pages[0],
            "TIME002": pages[1],
            "TIME003": pages[2],
            "TIME_SUM": "",
            "MAILSENT": "",
            "LASTDATA": f"{r.submitted:%Y-%m-%d %H:%M:%S}",
            "STATUS": "",
            "FINISHED": 1,
            "Q_VIEWER": 0,
            "LASTPAGE": 3,
            "MAXPAGE": 3,
            "MISSING": missing,
            "MISSREL": missing // 2,
            "TIME_RSI": "",
            "DEG_TIME": "",
        }
        records.append([values[n] for n in names])
    return names, records


def sosci_r_download() -> None:
    """The data file of the 'GNU R' download: UTF-8, tab, strings in quotes."""
    names, records = sosci_records(with_status=False)

    def cell(v):
        if isinstance(v, int):
            return str(v)
        return "" if v == "" else '"' + v.replace('"', '""') + '"'

    lines = ["\t".join(f'"{n}"' for n in names)]
    lines += ["\t".join(cell(v) for v in rec) for rec in records]
    write_bytes("sosci_r-data.csv", ("\n".join(lines) + "\n").encode("utf-8"))


def sosci_excel_csv() -> None:
    """CSV for Excel: cp1252, semicolons, variable labels as the second row."""
    names, records = sosci_records(with_status=True)
    rows = [names, [SOSCI_LABELS[n] for n in names]] + records
    write_bytes("sosci_excel.csv", csv_text(rows, delimiter=";").encode("cp1252"))


# --- SurveyXact (Ramboll) ------------------------------------------------------------

SX_STATUS = {  # copied pattern of a completed respondent (see SHAPES.md)
    "statcompletion": (1, 1, 0),
    "statcreation": (1, 0, 0, 0, 0, 0, 0),
    "statdistribution": (0, 0, 1, 0, 0),
    "statsource": (1, 1, 0, 0, 0, 0),
    "statcollect": (0, 0, 1, 0),
    "statoverall": (0, 0, 0, 1, 0),
}
SX_INTERNAL = (1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0)


def surveyxact_csv() -> None:
    header = (
        ["respondentid"]
        + [f"statinternal_{n}" for n in range(1, 21)]
        + [
            "created",
            "modified",
            "closetime",
            "starttime",
            "difftime",
            "responsecollectsessions",
            "numberofreturnedmail",
            "importgroup",
            "distributionschedule",
            "email",
            "digitaldistributionstatus",
            "digitaldistributionerrormessage",
            "name",
            "team",
        ]
        + [f"s_{n}" for n in range(1, 9)]
        + [f"{k}_{n}" for k, v in SX_STATUS.items() for n in range(1, len(v) + 1)]
    )
    rows = [header]
    for i, r in enumerate(RESPONSES):
        ms = (211 * i + 87) % 1000
        rows.append(
            [str(825_478_430 + 17 * i)]
            + [str(v) for v in SX_INTERNAL]
            + [
                "2026-11-09 08:00:00",
                f"{r.submitted:%Y-%m-%d %H:%M:%S}",
                f"{r.submitted:%Y-%m-%d %H:%M:%S}",
                f"{r.started:%Y-%m-%d %H:%M:%S}",
                f"{r.seconds - 1}.{ms:03d}",
                "1",
                "0",
                "",
                "",
                r.email,
                "1",
                "",
                r.name,
                r.team,
            ]
            + [str(a) for a in r.answers]
            + [r.comment]
            + [str(v) for vals in SX_STATUS.values() for v in vals]
        )
    write_bytes("surveyxact_dataset.csv", csv_text(rows, delimiter=";").encode("cp1252"))


# --- the template re-saved by Excel -------------------------------------------------

TEMPLATE_HEADER = ["team", "submitted_at"] + KEYS + ["comment"]


def excel_de_csv() -> None:
    """Excel (German locale) 'CSV (Trennzeichen-getrennt)': cp1252, ';', dd.mm.yyyy hh:mm."""
    rows = [TEMPLATE_HEADER]
    for r in RESPONSES:
        rows.append(
            [r.team, f"{r.submitted:%d.%m.%Y %H:%M}"] + [str(a) for a in r.answers] + [r.comment]
        )
    write_bytes("excel_de-semicolon-cp1252.csv", csv_text(rows, delimiter=";").encode("cp1252"))


def excel_unicode_text() -> None:
    """Excel (en-US locale) 'Unicode Text (*.txt)': UTF-16LE with BOM, tabs, m/d/yyyy h:mm."""
    rows = [TEMPLATE_HEADER]
    for r in RESPONSES:
        stamp = f"{r.submitted.month}/{r.submitted.day}/{r.submitted.year} {r.submitted.hour}:{r.submitted:%M}"
        rows.append([r.team, stamp] + [str(a) for a in r.answers] + [r.comment])
    text = csv_text(rows, delimiter="\t")
    write_bytes(
        "excel_unicode-text-en-us.txt", "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
    )


def main() -> None:
    check_against_template()
    google_forms_csv()
    google_forms_xlsx()
    microsoft_forms_xlsx()
    qualtrics_csv(choice_text=False)
    qualtrics_csv(choice_text=True)
    qualtrics_xlsx()
    surveymonkey_xlsx()
    limesurvey_csv()
    typeform_csv()
    kobo_csv(xml_values=False)
    kobo_csv(xml_values=True)
    sosci_r_download()
    sosci_excel_csv()
    surveyxact_csv()
    excel_de_csv()
    excel_unicode_text()


if __name__ == "__main__":
    main()
