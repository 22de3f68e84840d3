"""Exactly once across a restart: `catalyst mail send` killed (SIGKILL) at two moments
by the SMTP server itself, then run again on the same database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import pytest
from mailserver import MailServer

from dashboard import accounts
from dashboard.mail import invitations
from dashboard.store import Store

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 27, 12, 0)
PEOPLE = [f"person{i}@example.com" for i in range(1, 6)]


@pytest.fixture
def five_invitations(tmp_path) -> Path:
    path = tmp_path / "catalyst.duckdb"
    with Store(path) as db:
        ids = [
            accounts.add_user(db, email, {"manager"}, display_name=None, now=NOW)
            for email in PEOPLE
        ]
        invitations.invite_by_mail(db, ids, now=NOW)
    return path


def send(db: Path, secrets: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dashboard", "mail", "send", "--db", str(db), "--secrets", secrets],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )


def states(db: Path) -> list[tuple[int, str]]:
    with Store(db) as store, store.reading() as cursor:
        return cursor.execute("SELECT message_id, state FROM outbox ORDER BY 1").fetchall()


def codes_in(server: MailServer, address: str) -> list[str]:
    return [
        link.split("invite=")[1]
        for r in server.to(address)
        for link in r.links()
        if "invite=" in link
    ]


def test_killed_between_messages_each_arrives_exactly_once(five_invitations, tmp_path):
    with MailServer() as server:
        secrets = server.secrets(tmp_path)
        first = send(five_invitations, secrets)
        # The third MAIL FROM: messages 1 and 2 are marked sent, 3 is taken, nothing of
        # it has reached the server.
        server.on_mail = lambda count: count == 3 and os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=60)
        assert first.returncode == -signal.SIGKILL
        assert states(five_invitations) == [
            (1, "sent"), (2, "sent"), (3, "sending"), (4, "queued"), (5, "queued")
        ]  # fmt: skip
        server.on_mail = None
        second = send(five_invitations, secrets)
        _, log = second.communicate(timeout=60)
        assert second.returncode == 0, log
        assert [len(server.to(address)) for address in PEOPLE] == [1, 1, 1, 1, 1]
        assert "message 3 (invitation to person3@example.com) was being sent" in log
        assert states(five_invitations) == [(i, "sent") for i in range(1, 6)]


def test_killed_after_the_servers_ok_only_that_message_repeats(five_invitations, tmp_path):
    with MailServer() as server:
        secrets = server.secrets(tmp_path)
        first = send(five_invitations, secrets)
        accepted = threading.Event()

        def freeze_the_sender(received) -> None:
            # The server has the third message; the sender is stopped before it can
            # read the 250 OK that follows, then killed: it never marks the message.
            if len(server.received) == 3:
                os.kill(first.pid, signal.SIGSTOP)
                accepted.set()

        server.on_data = freeze_the_sender
        assert accepted.wait(timeout=60)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=60)
        server.on_data = None
        second = send(five_invitations, secrets)
        _, log = second.communicate(timeout=60)
        assert second.returncode == 0, log
        assert [len(server.to(address)) for address in PEOPLE] == [1, 1, 2, 1, 1]
        assert "may arrive twice" in log and "message 3 (invitation" in log
        twice = server.to("person3@example.com")
        assert twice[0].message["Message-ID"] == twice[1].message["Message-ID"]
        # The repeat carries a new link; the first one stopped working when it was made.
        old, new = codes_in(server, "person3@example.com")
        with Store(five_invitations) as db:
            assert accounts.invited_user(db, old, now=NOW) is None
            assert accounts.invited_user(db, new, now=NOW).email == "person3@example.com"
