"""E-mail against a real SMTP server on loopback (aiosmtpd): who gets what, when, once.

The organization: Sales with North (8 people, ann) and Tiny (3 people, tom: never shown
on its own); Ops with South (8 people, bob). The clock is pinned to Friday 27 Nov 2026,
12:00 UTC (conftest); the organization's zone is Europe/Berlin (UTC+1 in winter).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from fixtures import TEMPLATE_HEADER, OrgBuilder, stored, write_file
from mailserver import MailServer

from dashboard import accounts, checkins, ingest, store
from dashboard.catalysts import CATALYST_KEYS
from dashboard.ingest import Source, SurveyOptions
from dashboard.mail import delivery, invitations, outbox, planner, preferences
from dashboard.mail.addresses import MailError
from dashboard.mail.sender import Sender, send_test

# Store-level: every test here runs on a DuckDB file and on PostgreSQL (server mode).
pytestmark = pytest.mark.both_engines

NOW = datetime(2026, 11, 27, 12, 0)  # the pinned clock: a Friday, 13:00 in Berlin
THIS_WEEK = date(2026, 11, 23)
LAST_WEEK = date(2026, 11, 16)


@pytest.fixture
def server():
    with MailServer(refuse={"gone@example.com"}) as running:
        yield running


def smtp(server: MailServer, **changes) -> delivery.Delivery:
    return delivery.Delivery(
        sender="catalyst@example.com",
        host="127.0.0.1",
        port=server.port,
        security="none",
        public_url="https://catalyst.example.com",
        **changes,
    )


@pytest.fixture
def org(empty_store):
    """The organization above, live, everyone able to sign in; (store, user ids, team ids)."""
    builder = OrgBuilder(empty_store)
    builder.settings["time_zone"] = "Europe/Berlin"
    sales, ops = builder.department("Sales"), builder.department("Ops")
    north = builder.team("North", sales, headcount=8, manager="ann@example.com")
    tiny = builder.team("Tiny", sales, headcount=3, manager="tom@example.com")
    south = builder.team("South", ops, headcount=8, manager="bob@example.com")
    builder.answers(north, date(2026, 11, 9), [2, 2, 3, 3, 4, 4])
    builder.answers(north, LAST_WEEK, [4, 4, 5, 5, 4, 2])
    builder.answers(tiny, LAST_WEEK, [5, 5, 5])
    builder.save()
    hr = accounts.add_user(empty_store, "hana@example.com", {"hr"}, display_name="Hana", now=NOW)
    with empty_store.transaction() as cursor:
        cursor.execute("UPDATE users SET password_hash = 'set'")
    users = {**builder.users, "hana@example.com": hr}
    return empty_store, users, {"North": north, "Tiny": tiny, "South": south}


def test_an_invitation_reaches_only_the_invited_and_its_code_is_never_stored(org, server):
    db, users, _ = org
    with db.transaction() as cursor:
        cursor.execute("UPDATE users SET password_hash = NULL WHERE email = 'ann@example.com'")
    assert invitations.invite_by_mail(db, [users["ann@example.com"]], now=NOW) == [
        "ann@example.com"
    ]
    report = Sender(db, smtp(server)).send_due(NOW)
    assert len(report.sent) == 1
    (mail,) = server.received
    assert mail.recipients == ["ann@example.com"] and mail.sender == "catalyst@example.com"
    assert mail.message["Subject"] == "You are invited to Catalyst at Your organization"
    (link,) = [url for url in mail.links() if "invite=" in url]
    assert link.startswith("https://catalyst.example.com/?invite=")
    assert link in mail.html  # the button and the plain text carry the same link
    code = link.split("invite=")[1]
    # The code is in the message and nowhere in the database, only its hash.
    everything = json.dumps(stored(db, "SELECT * FROM outbox"), default=str)
    everything += json.dumps(stored(db, "SELECT * FROM invitations"), default=str)
    assert code not in everything and accounts.digest(code) in everything
    assert accounts.invited_user(db, code, now=NOW).email == "ann@example.com"
    assert stored(db, "SELECT action, detail FROM audit_log WHERE action = 'mail.sent'") == [
        ("mail.sent", "Invitation to ann@example.com (message 1)")
    ]


def test_a_reset_request_mails_an_existing_account_and_says_nothing_about_others(org, server):
    db, users, _ = org
    # An admin gave Ann a link by hand; a stranger asking for Ann's reset must not end it.
    (handed,) = accounts.invite(db, [users["ann@example.com"]], now=NOW).values()
    invitations.request_reset(db, "Ann@Example.com ", now=NOW)
    invitations.request_reset(db, "ann@example.com", now=NOW + timedelta(minutes=1))  # no second
    invitations.request_reset(db, "nobody@example.com", now=NOW)
    with db.transaction() as cursor:  # someone never invited gets no reset either
        cursor.execute("UPDATE users SET password_hash = NULL WHERE email = 'bob@example.com'")
    invitations.request_reset(db, "bob@example.com", now=NOW)
    Sender(db, smtp(server)).send_due(NOW + timedelta(minutes=1))
    assert [m.recipients for m in server.received] == [["ann@example.com"]]
    (reset,) = server.received
    assert reset.message["Subject"] == "Choose a new Catalyst password (Your organization)"
    assert accounts.invited_user(db, handed, now=NOW) is not None
    code = next(url for url in reset.links() if "invite=" in url).split("invite=")[1]
    accounts.accept_invitation(db, code, "tidal lantern orchard", now=NOW)
    assert accounts.invited_user(db, handed, now=NOW) is None  # a password ends every link


@pytest.mark.parametrize(
    ("berlin", "reminded", "late"),
    [
        (datetime(2026, 11, 27, 17, 0), True, False),  # Friday 17:00: this week's
        (datetime(2026, 11, 27, 18, 30), False, None),  # after working hours
        (datetime(2026, 11, 28, 10, 0), False, None),  # Saturday
        (datetime(2026, 11, 30, 7, 30), False, None),  # Monday before 8:00
        (datetime(2026, 11, 30, 8, 30), True, True),  # Monday: last week's, still open
        (datetime(2026, 11, 26, 9, 0), True, False),  # Thursday: this week's
    ],
)
def test_reminders_follow_the_check_in_rules_in_the_organizations_zone(
    org, berlin, reminded, late, monkeypatch
):
    db, users, _ = org
    utc = berlin - timedelta(hours=1)
    monkeypatch.setenv("CATALYST_NOW", utc.isoformat())
    planned = planner.plan(db, utc)
    assert planned.reminders == (3 if reminded else 0)  # ann, bob, tom: nobody checked in
    rows = stored(db, "SELECT user_id, payload FROM outbox WHERE kind = 'checkin_reminder'")
    if reminded:
        assert {user_id for user_id, _ in rows} == {
            users[e] for e in ("ann@example.com", "bob@example.com", "tom@example.com")
        }
        assert all(json.loads(payload)["late"] is late for _, payload in rows)
    assert planner.plan(db, utc).reminders == 0  # planned again: nothing new


def test_one_reminder_a_week_and_none_once_checked_in(org, server, monkeypatch):
    db, users, teams = org
    monday = datetime(2026, 11, 23, 9, 0)  # 10:00 in Berlin, about the week of 16 Nov
    monkeypatch.setenv("CATALYST_NOW", monday.isoformat())
    assert planner.plan(db, monday).reminders == 3
    # Ann checks in for that week before the sender gets to her reminder.
    ratings = dict.fromkeys(CATALYST_KEYS, 4)
    checkin = checkins.Checkin(teams["North"], LAST_WEEK, ratings)
    checkins.save(db, users["ann@example.com"], checkin, today=monday.date(), now=monday)
    report = Sender(db, smtp(server)).send_due(monday)
    reminded = [r for r in server.received if "check-in" in r.message["Subject"]]
    assert sorted(r.recipients[0] for r in reminded) == ["bob@example.com", "tom@example.com"]
    assert len(report.cancelled) == 1
    # Thursday of the same calendar week: this week's check-in is missing, but one
    # reminder a week is all anyone gets.
    thursday = datetime(2026, 11, 26, 9, 0)
    monkeypatch.setenv("CATALYST_NOW", thursday.isoformat())
    assert planner.plan(db, thursday).reminders == 0
    reminder = server.to("bob@example.com")[0]
    assert "/checkin" in reminder.text and "week of 16 Nov 2026" in reminder.text
    assert "last week's check-in" in reminder.text


def test_a_manager_digest_only_for_a_round_that_can_be_shown(org, server):
    db, users, _ = org
    planned = planner.plan(db, NOW)
    assert planned.manager_digests == 1  # North's round of 16 Nov; Tiny is never shown alone
    Sender(db, smtp(server)).send_due(NOW)
    (digest,) = [r for r in server.received if "new results" in r.message["Subject"]]
    assert digest.recipients == ["ann@example.com"]
    assert digest.message["Subject"] == "North: new results (Week of 16 Nov 2026)"
    assert "My team suggests a focus for this week" in digest.text
    assert "Largest change: Clear goals 33% → 83% favorable (+50 points" in digest.text
    assert "https://catalyst.example.com/my-team" in digest.text
    assert not server.to("tom@example.com") or all(
        "new results" not in r.message["Subject"] for r in server.to("tom@example.com")
    )


def test_the_hr_digest_names_who_needs_support_imports_and_check_ins(org, server):
    db, users, _ = org
    planner.plan(db, NOW)
    Sender(db, smtp(server)).send_due(NOW)
    (digest,) = server.to("hana@example.com")
    assert digest.message["Subject"] == "Catalyst this week at Your organization"
    text = digest.text
    assert "Check-ins for the week of 23 Nov: 0 of 3 in." in text
    assert "https://catalyst.example.com/overview" in text
    assert "Tiny" not in text  # a team never shown is never named with figures


def test_four_ignored_reminders_pause_a_manager_until_they_check_in(org, server, monkeypatch):
    db, users, teams = org
    bob = users["bob@example.com"]
    with db.transaction() as cursor:
        for weeks_back in range(4, 0, -1):
            week = THIS_WEEK - timedelta(weeks=weeks_back)
            queued = outbox.enqueue(
                cursor,
                "checkin_reminder",
                "bob@example.com",
                {"week": week.isoformat(), "late": False},
                now=NOW - timedelta(weeks=weeks_back),
                user_id=bob,
            )
            outbox.mark_sent(cursor, queued, NOW - timedelta(weeks=weeks_back))
        assert list(outbox.paused_managers(cursor).manager) == ["Bob"]
    planner.plan(db, NOW)
    assert stored(
        db,
        "SELECT count(*) FROM outbox WHERE kind = 'checkin_reminder' AND recipient = 'bob@example.com'",
    ) == [(4,)]
    Sender(db, smtp(server)).send_due(NOW)
    (digest,) = server.to("hana@example.com")
    assert "Check-in reminders are paused for Bob" in digest.text
    # Bob checks in: he is no longer paused, and next week's reminder comes again.
    ratings = dict.fromkeys(CATALYST_KEYS, 3)
    checkins.save(
        db, bob, checkins.Checkin(teams["South"], THIS_WEEK, ratings), today=NOW.date(), now=NOW
    )
    with db.reading() as cursor:
        assert outbox.paused_managers(cursor).empty


def test_preferences_turn_reminders_and_digests_off_through_a_signed_link(org, server):
    db, users, _ = org
    ann = users["ann@example.com"]
    with db.reading() as cursor:
        token = preferences.link_token(cursor, ann)
        assert preferences.user_of(cursor, token) == ann
        forged = f"{users['bob@example.com']}.{token.split('.')[1]}"
        assert preferences.user_of(cursor, forged) is None
        assert preferences.user_of(cursor, token[:-1] + "0") in (None, ann)
        for garbage in ("../admin", "1.é", "²." + "0" * 32, "", "1" * 40):
            assert preferences.user_of(cursor, garbage) is None
    planner.plan(db, NOW)  # ann's reminder and digest are queued
    with db.transaction() as cursor:
        preferences.change(cursor, ann, preferences.Preferences(False, False), now=NOW)
    report = Sender(db, smtp(server)).send_due(NOW)
    assert not server.to("ann@example.com") and len(report.cancelled) == 2
    assert stored(
        db, "SELECT kind, last_error FROM outbox WHERE recipient = 'ann@example.com'"
    ) == [
        ("checkin_reminder", "Ann turned reminders off"),
        ("manager_digest", "Ann turned digests off"),
    ]
    # Planned again next week: nothing for ann; an invitation still goes out.
    assert planner.plan(db, NOW + timedelta(days=3, hours=-3)).reminders == 2
    invitations.invite_by_mail(db, [ann], now=NOW)
    Sender(db, smtp(server)).send_due(NOW + timedelta(days=3))
    assert [r.message["Subject"] for r in server.to("ann@example.com")] == [
        "Choose a new Catalyst password (Your organization)"
    ]
    reminder = server.to("bob@example.com")[0]
    with db.reading() as cursor:
        bobs = preferences.link_token(cursor, users["bob@example.com"])
    assert f"https://catalyst.example.com/?mail={bobs}" in reminder.text
    assert (
        reminder.message["List-Unsubscribe"].strip()
        == f"<https://catalyst.example.com/mail/off?t={bobs}>"
    )


def test_a_refused_recipient_fails_alone_with_the_servers_reason(org, server):
    db, _, _ = org
    with db.transaction() as cursor:
        outbox.enqueue(cursor, "test", "gone@example.com", {}, now=NOW)
        outbox.enqueue(cursor, "test", "hana@example.com", {}, now=NOW)
    report = Sender(db, smtp(server)).send_due(NOW)
    assert len(report.sent) == 1 and len(report.failed) == 1
    assert [r.recipients for r in server.received] == [["hana@example.com"]]
    ((state, error),) = stored(
        db, "SELECT state, last_error FROM outbox WHERE recipient = 'gone@example.com'"
    )
    assert state == "failed" and "550 5.1.1 No such mailbox here" in error
    with db.transaction() as cursor:
        assert outbox.retry(cursor, [1], NOW) == 1


def test_a_server_that_is_down_leaves_every_message_waiting_with_the_reason(org):
    db, _, _ = org
    with db.transaction() as cursor:
        for address in ("ann@example.com", "bob@example.com"):
            outbox.enqueue(cursor, "test", address, {}, now=NOW)
    sender = Sender(db, delivery.Delivery(sender="catalyst@example.com", host="127.0.0.1", port=1))
    report = sender.send_due(NOW)
    assert report.retrying == [1, 2] and not report.sent
    rows = stored(db, "SELECT state, attempts, due_at, last_error FROM outbox ORDER BY 1")
    for state, attempts, due_at, error in rows:
        # An outage is no message's fault: it waits, and its attempts are not used up.
        assert (state, attempts, due_at) == ("queued", 0, NOW + timedelta(minutes=1))
        assert error.startswith("cannot reach the mail server 127.0.0.1:1")
    assert not sender.send_due(NOW + timedelta(seconds=30)).retrying  # backing off
    sender.send_due(NOW + timedelta(minutes=1))  # down again: wait longer
    assert {due for (due,) in stored(db, "SELECT due_at FROM outbox")} == {
        NOW + timedelta(minutes=3)
    }


def test_reminders_retried_after_working_hours_wait_for_monday(org, server):
    db, users, _ = org
    with db.transaction() as cursor:
        outbox.enqueue(
            cursor, "checkin_reminder", "bob@example.com", {"week": THIS_WEEK.isoformat()},
            now=NOW, user_id=users["bob@example.com"],
        )  # fmt: skip
        outbox.enqueue(cursor, "test", "hana@example.com", {}, now=NOW)
    friday_evening = datetime(2026, 11, 27, 18, 30)  # 19:30 in Berlin
    report = Sender(db, smtp(server)).send_due(friday_evening)
    assert [r.recipients for r in server.received] == [["hana@example.com"]]  # not a reminder
    assert report.sent == [2]
    assert stored(db, "SELECT state, attempts, due_at FROM outbox WHERE message_id = 1") == [
        ("queued", 0, datetime(2026, 11, 30, 7, 0))  # Monday, 8:00 in Berlin
    ]


def test_what_no_longer_applies_when_sent_is_cancelled_with_the_reason(org, server, monkeypatch):
    db, users, _ = org
    planner.plan(db, NOW)
    with db.transaction() as cursor:  # Hana leaves HR before her digest goes out
        cursor.execute("DELETE FROM user_roles WHERE role = 'hr'")
    # Sent only the next Thursday (the server was down): the week of 23 Nov has closed.
    thursday = datetime(2026, 12, 3, 9, 0)
    monkeypatch.setenv("CATALYST_NOW", thursday.isoformat())
    report = Sender(db, smtp(server)).send_due(thursday)
    reasons = dict(stored(db, "SELECT recipient, last_error FROM outbox WHERE state = 'cancelled'"))
    assert reasons["hana@example.com"] == "Hana no longer has the HR role"
    assert reasons["bob@example.com"] == "that week's check-in has closed"
    assert "hana@example.com" not in [r.recipients[0] for r in server.received]
    assert len(report.cancelled) == 4  # hana; ann, bob, tom's reminders


def test_a_wrong_password_is_named_as_such(org):
    db, _, _ = org
    with db.transaction() as cursor:
        outbox.enqueue(cursor, "test", "ann@example.com", {}, now=NOW)
    with MailServer(login=("catalyst", "right")) as guarded:
        Sender(db, smtp(guarded, user="catalyst", password="wrong")).send_due(NOW)
        ((error,),) = stored(db, "SELECT last_error FROM outbox")
        assert "refused the user name or password (535" in error
        send_test(smtp(guarded, user="catalyst", password="right"), "hana@example.com")
        assert [r.recipients for r in guarded.received] == [["hana@example.com"]]


def test_names_cannot_inject_headers_and_bad_addresses_never_enter_the_outbox(org, server):
    db, users, _ = org
    with db.transaction() as cursor:
        cursor.execute(
            "UPDATE users SET display_name = 'Ann\r\nBcc: mallory@evil.example\r\nX: y' "
            "WHERE email = 'ann@example.com'"
        )
        for address in ("mallory@evil.example\r\nBcc: x@y.z", "no-at-sign", "a b@c.de"):
            with pytest.raises(MailError, match="is not an e-mail address"):
                outbox.enqueue(cursor, "test", address, {}, now=NOW)
    assert stored(db, "SELECT count(*) FROM outbox") == [(0,)]
    invitations.invite_by_mail(db, [users["ann@example.com"]], now=NOW)
    Sender(db, smtp(server)).send_due(NOW)
    (mail,) = server.received
    assert mail.recipients == ["ann@example.com"]
    assert mail.message["Bcc"] is None and mail.message["X"] is None
    assert "\n" not in str(mail.message["To"]) and "Bcc" in str(mail.message["To"])


def test_a_folder_delivery_writes_one_file_per_message(org, tmp_path):
    db, users, _ = org
    invitations.invite_by_mail(db, [users["bob@example.com"]], now=NOW)
    Sender(db, delivery.Delivery(sender="catalyst@example.com", folder=tmp_path)).send_due(NOW)
    (written,) = tmp_path.glob("*.eml")
    assert written.name == "000001-password_reset.eml"
    assert b"To: Bob <bob@example.com>" in written.read_bytes()


def test_a_new_manager_gets_the_invitation_a_thursday_reminder_and_the_digest_once(
    org, server, tmp_path, monkeypatch
):
    """Issue 21's journey over two weeks: Grace is added on Monday as West's manager and
    invited by e-mail; she sets her password; Thursday brings one reminder; her team
    answers, the round is published a week later and her digest follows."""
    db, _, _ = org
    way = smtp(server)

    def at(moment: datetime):  # the scheduler's minute: plan, then send
        monkeypatch.setenv("CATALYST_NOW", moment.isoformat())
        planner.plan(db, moment)
        Sender(db, way).send_due(moment)

    monday = datetime(2026, 11, 30, 8, 0)  # 9:00 in Berlin
    monkeypatch.setenv("CATALYST_NOW", monday.isoformat())
    roster = write_file(
        tmp_path,
        "west.csv",
        "team,department,manager_name,manager_email,headcount,effective_from\n"
        "West,Sales,Grace Hopper,grace@example.com,8,2026-11-30\n",
    )
    ingest.apply_roster(db, ingest.plan_roster(db, Source("west.csv", roster)), now=monday)
    with db.reading() as cursor:
        grace = accounts.find_user(cursor, "grace@example.com").user_id
    invitations.invite_by_mail(db, [grace], now=monday)
    at(monday)
    (invitation,) = server.to("grace@example.com")
    code = next(url for url in invitation.links() if "invite=" in url).split("invite=")[1]
    accounts.accept_invitation(db, code, "tidal lantern orchard", now=monday)

    at(datetime(2026, 12, 3, 8, 0))  # Thursday, 9:00 in Berlin
    at(datetime(2026, 12, 3, 13, 0))  # and again in the afternoon: nothing new
    answers = "\n".join(
        f"West,2026-12-02 10:{i:02d},{v},{v},4,4,4,4,4," for i, v in enumerate([2, 2, 4, 4, 5, 5])
    )
    survey = write_file(tmp_path, "west-survey.csv", f"{TEMPLATE_HEADER}\n{answers}\n")
    ingest.import_survey(db, Source(survey.name, survey), SurveyOptions(), now=monday)
    at(datetime(2026, 12, 4, 16, 0))  # Friday: the round of 30 Nov is still open
    at(datetime(2026, 12, 10, 8, 0))  # the next Thursday: published, and a new week

    subjects = [r.message["Subject"] for r in server.to("grace@example.com")]
    assert subjects == [
        "You are invited to Catalyst at Your organization",
        "Your check-in for the week of 30 Nov is open",
        "Your check-in for the week of 7 Dec is open",
        "West: new results (Week of 30 Nov 2026)",
    ]
    digest = server.to("grace@example.com")[3]
    assert "These are the first results of your team that can be shown" in digest.text
    for received in server.to("grace@example.com"):
        print(f"\n===== {received.message['Subject']}\n{received.text}")


@pytest.mark.server_only
def test_two_servers_schedulers_send_each_message_once(org, server):
    """Every app server runs a scheduler; one at a time plans and sends (an advisory
    lock). The other server's round comes while a message is on its way (the SMTP server
    holds its answer): it must neither send it again nor queue it as interrupted."""
    db, users, _ = org
    invited = ["ann@example.com", "bob@example.com", "tom@example.com"]
    invitations.invite_by_mail(db, [users[email] for email in invited], now=NOW)
    other, rounds = store.open_store(db.url), []

    def other_servers_round(_received) -> None:  # while the first waits for 250 OK
        with other.exclusive("scheduler") as ours:
            rounds.append(ours)
            if ours:
                Sender(other, smtp(server)).send_due(NOW)

    server.on_data = other_servers_round
    try:
        with db.exclusive("scheduler") as ours:
            assert ours
            assert len(Sender(db, smtp(server)).send_due(NOW).sent) == 3
    finally:
        server.on_data = None
        other.close()
    assert rounds == [False, False, False]  # it waited its turn each time
    recipients = sorted(r for received in server.received for r in received.recipients)
    assert recipients == invited
    with db.reading() as cursor:
        assert outbox.counts(cursor)["sent"] == 3
