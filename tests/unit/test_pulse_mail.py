"""The pulse reaches people by e-mail (a real SMTP server on loopback): the round opens on
its weekday and hour in the organization's zone, each person gets one link that opens the
form, a reminder reaches only those who did not answer, never at a weekend, and the
close lets the answers in. Support has six people; Dora reads German."""

from __future__ import annotations

from datetime import datetime

import pytest
from fixtures import write_file
from mailserver import MailServer

from dashboard import ingest, organization, pulse
from dashboard.catalysts import ITEM_KEYS
from dashboard.ingest import Source
from dashboard.mail import delivery, planner
from dashboard.mail.sender import Sender

PEOPLE = ["ann", "ben", "cid", "dora", "eve", "fay"]


@pytest.fixture
def org(roster_store, tmp_path):
    db = roster_store
    rows = "\n".join(
        f"{n}@example.com,{n.title()},Support,{'de' if n == 'dora' else ''},2026-11-02"
        for n in PEOPLE
    )
    path = write_file(tmp_path, "people.csv", f"email,name,team,language,effective_from\n{rows}\n")
    when = datetime(2026, 11, 20)
    ingest.apply_people(db, ingest.plan_people(db, Source(path.name, path)), now=when)
    organization.change_settings(
        db, {"pulse": "true", "time_zone": "Europe/Berlin", "pulse_hour": 9}, now=when
    )
    return db


def tick(db, server: MailServer, moment: datetime, monkeypatch) -> planner.Planned:
    """The scheduler's minute at ``moment`` (UTC): plan, then send."""
    monkeypatch.setenv("CATALYST_NOW", moment.isoformat())
    planned = planner.plan(db, moment)
    Sender(db, smtp(server)).send_due(moment)
    return planned


def smtp(server: MailServer) -> delivery.Delivery:
    return delivery.Delivery(
        sender="catalyst@example.com", host="127.0.0.1", port=server.port, security="none",
        public_url="https://catalyst.example.com",
    )  # fmt: skip


def token_in(received) -> str:
    return next(url for url in received.links() if "/pulse?t=" in url).split("t=")[1]


def test_links_open_the_form_reminders_reach_only_who_did_not_answer(org, monkeypatch):
    db = org
    with MailServer() as server:
        tick(db, server, datetime(2026, 11, 30, 7, 30), monkeypatch)  # 8:30 in Berlin: not yet
        assert not server.received
        opened = tick(db, server, datetime(2026, 11, 30, 8, 0), monkeypatch)  # Monday 9:00
        assert opened.pulse == 6
        assert sorted(r.recipients[0] for r in server.received) == [
            f"{n}@example.com" for n in PEOPLE
        ]
        dora = server.to("dora@example.com")[0]
        assert dora.message["Subject"] == "Support: der Puls Ihres Teams"
        assert "Der Link funktioniert einmal, bis zum 6.12.2026." in dora.text
        ann = server.to("ann@example.com")[0]
        assert ann.message["Subject"] == "Support: your team's pulse"
        for name in ("ann", "ben", "cid"):
            token = token_in(server.to(f"{name}@example.com")[0])
            pulse.submit(
                db, token, dict.fromkeys(ITEM_KEYS, 4), None, now=datetime(2026, 11, 30, 9)
            )
        tick(db, server, datetime(2026, 12, 1, 9, 0), monkeypatch)  # Tuesday: no reminder yet
        assert len(server.received) == 6
        tick(db, server, datetime(2026, 12, 2, 9, 30), monkeypatch)  # Wednesday 10:30
        reminded = sorted(r.recipients[0] for r in server.received[6:])
        assert reminded == ["dora@example.com", "eve@example.com", "fay@example.com"]
        eve = server.to("eve@example.com")[1]
        assert eve.message["Subject"] == "Reminder: your team's pulse closes on 6 Dec 2026"
        assert "This link replaces the one sent before." in eve.text
        assert pulse.invited(db, token_in(eve), now=datetime(2026, 12, 2, 10)) is not None
        tick(db, server, datetime(2026, 12, 2, 14, 0), monkeypatch)  # planned again: no more
        assert len(server.received) == 9
        # The last weekday's reminder is due Friday 10:00; nobody is written to at a weekend.
        tick(db, server, datetime(2026, 12, 5, 10, 0), monkeypatch)  # Saturday
        assert len(server.received) == 9
        tick(db, server, datetime(2026, 12, 6, 23, 0), monkeypatch)  # Monday 0:00 in Berlin
    with db.reading() as cursor:
        closed = cursor.execute("SELECT closed_at FROM pulse_rounds WHERE pulse_id = 1").fetchone()
        (answers,) = cursor.execute("SELECT count(*) FROM survey_responses").fetchone()
    assert closed[0] is not None and answers == 3  # below k: they go in at the close


def test_a_team_left_out_gets_no_links_and_a_skipped_round_never_opens(org, monkeypatch):
    db = org
    with db.reading() as cursor:
        (support,) = cursor.execute("SELECT team_id FROM teams WHERE name = 'Support'").fetchone()
    friday = datetime(2026, 11, 27, 12, 0)
    assert pulse.skip_next_round(db, now=friday) == datetime(2026, 11, 30).date()
    with MailServer() as server:
        assert tick(db, server, datetime(2026, 11, 30, 8, 0), monkeypatch).pulse == 0
        organization.change_settings(db, {"pulse_excluded_teams": str(support)}, now=friday)
        assert tick(db, server, datetime(2026, 12, 7, 8, 0), monkeypatch).pulse == 0
        assert not server.received
    with db.reading() as cursor:
        rounds = cursor.execute(
            "SELECT round_start, (SELECT count(*) FROM pulse_invitations i "
            "WHERE i.pulse_id = r.pulse_id) FROM pulse_rounds r ORDER BY 1"
        ).fetchall()
    # The skipped round is recorded closed with nobody invited; the next opened without
    # Support, the only team with people.
    assert [(str(start), invited) for start, invited in rounds] == [
        ("2026-11-30", 0), ("2026-12-07", 0)
    ]  # fmt: skip
