"""The schema and its migrations: append only, numbered by position. A released
migration never changes; a file at version N runs migrations N+1.. in order, each in its
own transaction."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import duckdb

from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS


def summary_columns() -> str:
    return ",\n".join(
        f"{item}_n INTEGER NOT NULL, {item}_sum DOUBLE NOT NULL, {item}_favorable INTEGER NOT NULL"
        for item in ITEM_KEYS
    )


def _initial_schema() -> str:
    answers = ",\n".join(f"{item} FLOAT CHECK ({item} BETWEEN 1 AND 5)" for item in ITEM_KEYS)
    self_ratings = ",\n".join(
        f"{key} UTINYINT CHECK ({key} BETWEEN 1 AND 5)" for key in CATALYST_KEYS
    )
    return f"""
    CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
    CREATE TABLE settings (
        key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL,
        updated_at TIMESTAMP, updated_by INTEGER);
    CREATE TABLE data_versions (kind VARCHAR PRIMARY KEY, version BIGINT NOT NULL);

    CREATE SEQUENCE department_ids;
    CREATE TABLE departments (
        department_id INTEGER PRIMARY KEY DEFAULT nextval('department_ids'),
        name VARCHAR NOT NULL UNIQUE);
    CREATE SEQUENCE team_ids;
    CREATE TABLE teams (
        team_id INTEGER PRIMARY KEY DEFAULT nextval('team_ids'),
        name VARCHAR NOT NULL UNIQUE,
        created_at TIMESTAMP NOT NULL);
    CREATE TABLE team_facts (
        team_id INTEGER NOT NULL,
        valid_from DATE NOT NULL,
        department_id INTEGER NOT NULL,
        manager_id INTEGER,
        headcount INTEGER NOT NULL CHECK (headcount >= 0),
        PRIMARY KEY (team_id, valid_from));
    CREATE VIEW team_history AS
        SELECT *, lead(valid_from) OVER (PARTITION BY team_id ORDER BY valid_from) AS valid_to
        FROM team_facts;

    CREATE SEQUENCE user_ids;
    CREATE TABLE users (
        user_id INTEGER PRIMARY KEY DEFAULT nextval('user_ids'),
        email VARCHAR NOT NULL UNIQUE CHECK (email = lower(email)),
        display_name VARCHAR NOT NULL,
        password_hash VARCHAR,
        active BOOLEAN NOT NULL DEFAULT true,
        created_at TIMESTAMP NOT NULL);
    CREATE TABLE user_roles (
        user_id INTEGER NOT NULL,
        role VARCHAR NOT NULL CHECK (role IN ('manager', 'hr', 'admin')),
        PRIMARY KEY (user_id, role));

    CREATE SEQUENCE import_ids;
    CREATE TABLE imports (
        import_id INTEGER PRIMARY KEY DEFAULT nextval('import_ids'),
        kind VARCHAR NOT NULL CHECK (kind IN ('survey', 'progress', 'roster')),
        file_name VARCHAR NOT NULL,
        layout VARCHAR,
        imported_by INTEGER,
        imported_at TIMESTAMP NOT NULL,
        rows_in_file INTEGER NOT NULL,
        imported INTEGER NOT NULL,
        duplicates INTEGER NOT NULL DEFAULT 0,
        rejected INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        dropped_columns VARCHAR[] NOT NULL DEFAULT [],
        undone_at TIMESTAMP,
        undone_by INTEGER);
    CREATE TABLE survey_responses (
        import_id INTEGER NOT NULL,
        team_id INTEGER NOT NULL,
        submitted_at TIMESTAMP NOT NULL,
        week DATE NOT NULL CHECK (dayofweek(week) = 1),
        fingerprint UHUGEINT NOT NULL,
        {answers},
        comment VARCHAR);
    CREATE TABLE response_summary (
        team_id INTEGER NOT NULL,
        week DATE NOT NULL,
        responses INTEGER NOT NULL,
        {summary_columns()},
        PRIMARY KEY (team_id, week));

    CREATE TABLE checkins (
        manager_id INTEGER NOT NULL,
        team_id INTEGER NOT NULL,
        week DATE NOT NULL CHECK (dayofweek(week) = 1),
        {self_ratings},
        focus VARCHAR,
        saved_at TIMESTAMP NOT NULL,
        PRIMARY KEY (manager_id, team_id, week));
    CREATE TABLE checkin_notes (
        manager_id INTEGER NOT NULL,
        team_id INTEGER NOT NULL,
        week DATE NOT NULL,
        catalyst VARCHAR NOT NULL,
        note VARCHAR NOT NULL,
        PRIMARY KEY (manager_id, team_id, week, catalyst));
    CREATE SEQUENCE progress_entry_ids;
    CREATE TABLE progress_entries (
        entry_id BIGINT PRIMARY KEY DEFAULT nextval('progress_entry_ids'),
        team_id INTEGER NOT NULL,
        week DATE NOT NULL CHECK (dayofweek(week) = 1),
        kind VARCHAR NOT NULL CHECK (kind IN ('win', 'setback')),
        count INTEGER NOT NULL DEFAULT 1 CHECK (count > 0),
        description VARCHAR,
        source VARCHAR NOT NULL CHECK (source IN ('checkin', 'import')),
        import_id INTEGER,
        created_by INTEGER,
        created_at TIMESTAMP NOT NULL);

    CREATE SEQUENCE audit_ids;
    CREATE TABLE audit_log (
        audit_id BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'),
        occurred_at TIMESTAMP NOT NULL,
        user_id INTEGER,
        actor VARCHAR,
        action VARCHAR NOT NULL,
        detail VARCHAR);
    """  # noqa: S608 - identifiers from the catalyst allow-list


Migration = Callable[[duckdb.DuckDBPyConnection], None]


def _sql(script: str) -> Migration:
    return lambda cur: cur.execute(script)


SIGN_IN_TABLES = """
    -- Server-side sessions: the browser holds only a random token in an
    -- HttpOnly cookie; the database holds its SHA-256, so a copy of the
    -- database cannot be used to take over a session.
    CREATE TABLE sessions (
        token_hash VARCHAR PRIMARY KEY,
        user_id INTEGER NOT NULL,
        via VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        last_seen_at TIMESTAMP NOT NULL);
    -- One-time tickets that carry a fresh session from the sign-in page to
    -- the route that sets the cookie.
    CREATE TABLE sign_in_tickets (
        ticket_hash VARCHAR PRIMARY KEY,
        token_hash VARCHAR NOT NULL,
        next_path VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL);
    CREATE TABLE sign_in_attempts (
        email VARCHAR NOT NULL,
        attempted_at TIMESTAMP NOT NULL,
        outcome VARCHAR NOT NULL CHECK (outcome IN ('success', 'failure', 'throttled')));
"""


IMPORT_REPORTS = """
    -- Files are recognised by their bytes: the same file imported twice is a no-op.
    ALTER TABLE imports ADD COLUMN content_hash VARCHAR;
    ALTER TABLE imports ADD COLUMN details VARCHAR;  -- JSON: encoding, layout, decisions
    -- Every problem found in a file, kept with its import (skipped rows) or shown
    -- when the file is refused.
    CREATE TABLE import_problems (
        import_id INTEGER NOT NULL,
        row_number INTEGER,
        column_name VARCHAR,
        message VARCHAR NOT NULL);
    -- Salt of the one-way hashes that recognise responses (and keep source ids out).
    INSERT INTO meta VALUES ('fingerprint_salt', replace(gen_random_uuid()::VARCHAR, '-', ''));
"""


SAVED_MAPPINGS = """
    -- What an export's column means, remembered so next week's file needs no options:
    -- header (normalized) -> catalyst key, team, submitted_at, comment or ignore.
    CREATE TABLE column_mappings (
        header_key VARCHAR PRIMARY KEY,
        header VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        layout VARCHAR,
        saved_at TIMESTAMP NOT NULL,
        saved_by INTEGER);
    -- Other names a team goes by in exports (renamed, misspelled).
    CREATE TABLE team_aliases (
        alias_key VARCHAR PRIMARY KEY,
        alias VARCHAR NOT NULL,
        team_id INTEGER NOT NULL,
        saved_at TIMESTAMP NOT NULL);
"""


PROGRESS_FINGERPRINTS = """
    -- Wins and setbacks imported from files are recognised when a file comes again.
    ALTER TABLE progress_entries ADD COLUMN fingerprint UHUGEINT;
"""


HR_DEPARTMENTS = """
    -- An HR user listed here sees only these departments; one not listed sees all.
    CREATE TABLE hr_departments (
        user_id INTEGER NOT NULL,
        department_id INTEGER NOT NULL,
        PRIMARY KEY (user_id, department_id));
"""


INVITATIONS = """
    -- One-time codes that let a user set their password (first time or reset). Only the
    -- SHA-256 of a code is kept; a new invitation replaces the old one.
    CREATE TABLE invitations (
        code_hash VARCHAR PRIMARY KEY,
        user_id INTEGER NOT NULL,
        created_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP NOT NULL,
        created_by INTEGER);
"""


RAW_FINGERPRINTS = """
    -- Responses are recognised by what the file says (ingest/survey_rows.py) from now on;
    -- those stored so far carry the older key of team, second and scores, which imports
    -- still compare against for the imports up to this one. Where a file gives a time
    -- zone, a second key holds the UTC instant (a sheet's zone may change between exports).
    ALTER TABLE survey_responses ADD COLUMN zoned_fingerprint UHUGEINT;
    INSERT INTO meta SELECT 'legacy_fingerprints_through', CAST(coalesce(max(import_id), 0)
        AS VARCHAR) FROM imports WHERE kind = 'survey';
"""


def _publication(cursor: duckdb.DuckDBPyConnection) -> None:
    cursor.execute(PUBLICATION.format(summary=summary_columns()))


PUBLICATION = """
    -- Rounds once published (DESIGN §3, over time): their weeks and the settings that
    -- shaped their cells, which later setting changes never reach.
    CREATE SEQUENCE round_ids;
    CREATE TABLE published_rounds (
        round_id INTEGER PRIMARY KEY DEFAULT nextval('round_ids'),
        cadence VARCHAR NOT NULL,
        round_start DATE NOT NULL,  -- the date that names the round
        first_week DATE NOT NULL UNIQUE,
        last_week DATE NOT NULL,
        published_at TIMESTAMP NOT NULL,
        min_group_size INTEGER NOT NULL,
        comment_min_responses INTEGER NOT NULL,
        time_zone VARCHAR NOT NULL,
        survey_frequency VARCHAR NOT NULL);
    -- Published cells, computed once and never recomputed: a round's team cells and
    -- department pools, and later supplements of late responses. A withdrawn cell
    -- (its data undone) leaves every figure for good.
    CREATE SEQUENCE cell_ids;
    CREATE TABLE published_cells (
        cell_id BIGINT PRIMARY KEY DEFAULT nextval('cell_ids'),
        round_id INTEGER NOT NULL,
        supplement INTEGER NOT NULL,  -- 0: published with the round; 1, 2, ...: later
        kind VARCHAR NOT NULL CHECK (kind IN ('team', 'pool')),
        team_id INTEGER,
        department_id INTEGER NOT NULL,
        manager_id INTEGER,
        people INTEGER NOT NULL,
        responses INTEGER NOT NULL,
        {summary},
        items_masked BOOLEAN NOT NULL,
        comments BOOLEAN NOT NULL,
        published_at TIMESTAMP NOT NULL,
        withdrawn_at TIMESTAMP,
        withdrawn_reason VARCHAR);
    -- What was decided for each team cell of a round when it was published.
    CREATE TABLE published_teams (
        round_id INTEGER NOT NULL,
        team_id INTEGER NOT NULL,
        department_id INTEGER NOT NULL,
        manager_id INTEGER,
        responses INTEGER NOT NULL,
        decision VARCHAR NOT NULL CHECK (decision IN ('shown', 'pooled', 'dropped')));
    -- The published cell a response went into; NULL: not published (an open round, or
    -- late data held until it forms a group of its own).
    ALTER TABLE survey_responses ADD COLUMN cell_id BIGINT;
    -- A database that already shows results stays live: its rounds are published on the
    -- first read (an organization still being set up has no responses yet).
    INSERT INTO meta SELECT 'live_since', strftime(timezone('UTC', now()), '%Y-%m-%dT%H:%M:%S')
        WHERE EXISTS (SELECT 1 FROM survey_responses);
    -- Responses of withdrawn cells, recognised should the same rows be imported again:
    -- they never reappear on their own.
    CREATE TABLE withdrawn_responses (
        cell_id BIGINT NOT NULL,
        fingerprint UHUGEINT NOT NULL,
        zoned_fingerprint UHUGEINT);
    -- History is never rewritten: a team fact is added, never updated; for one team and
    -- date the latest recorded fact applies, and the roster history shows them all.
    DROP VIEW team_history;
    CREATE SEQUENCE fact_ids;
    CREATE TABLE team_facts_recorded (
        team_id INTEGER NOT NULL,
        valid_from DATE NOT NULL,
        department_id INTEGER NOT NULL,
        manager_id INTEGER,
        headcount INTEGER NOT NULL CHECK (headcount >= 0),
        recorded_at TIMESTAMP NOT NULL,
        fact_id BIGINT PRIMARY KEY DEFAULT nextval('fact_ids'));
    INSERT INTO team_facts_recorded
        SELECT *, TIMESTAMP '2000-01-01', nextval('fact_ids') FROM team_facts;
    DROP TABLE team_facts;
    ALTER TABLE team_facts_recorded RENAME TO team_facts;
    CREATE VIEW team_history AS
        SELECT *, lead(valid_from) OVER (PARTITION BY team_id ORDER BY valid_from) AS valid_to
        FROM (SELECT team_id, valid_from, department_id, manager_id, headcount FROM team_facts
              QUALIFY row_number() OVER (PARTITION BY team_id, valid_from
                                         ORDER BY fact_id DESC) = 1);
"""


SIGN_IN_CLIENTS = """
    -- Sign-in throttling counts failures per client (its address, see clients.py) and per
    -- client and account, so nobody can keep someone else's account locked; rows older
    -- than a day are pruned as new ones are written. Refused attempts are not stored.
    -- The attempts and tickets kept so far (a day's and a minute's worth) are dropped.
    DROP TABLE sign_in_attempts;
    CREATE TABLE sign_in_attempts (
        client VARCHAR NOT NULL,
        email VARCHAR NOT NULL,
        attempted_at TIMESTAMP NOT NULL,
        outcome VARCHAR NOT NULL CHECK (outcome IN ('success', 'failure')));
    -- A ticket opens a session only in the browser that signed in: browser_hash is the
    -- SHA-256 of that browser's pre-session cookie (server.py); NULL opens nothing.
    DROP TABLE sign_in_tickets;
    CREATE TABLE sign_in_tickets (
        ticket_hash VARCHAR PRIMARY KEY,
        token_hash VARCHAR NOT NULL,
        browser_hash VARCHAR,
        next_path VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL);
"""


COMMITMENTS = """
    -- What a manager committed to in a check-in (actions for the focus they chose for the
    -- next week), and whether they did it, as they said in a later check-in (NULL: not
    -- asked yet). Saving a check-in again keeps the answers of actions still chosen.
    CREATE TABLE commitments (
        manager_id INTEGER NOT NULL,
        team_id INTEGER NOT NULL,
        week DATE NOT NULL CHECK (dayofweek(week) = 1),
        action VARCHAR NOT NULL,
        catalyst VARCHAR NOT NULL,
        done BOOLEAN,
        answered_week DATE,
        PRIMARY KEY (manager_id, team_id, week, action));
"""


OUTBOX = """
    -- Every e-mail Catalyst writes is a row here first, in the transaction of the change
    -- that caused it (dashboard/mail). The payload says what the message is about, never a
    -- link's secret: invitation and reset codes are made when the message goes out, and
    -- only their hashes are kept (invitations). once_key makes a message that must go out
    -- once (a week's reminder, a round's digest) a no-op when planned again.
    CREATE SEQUENCE message_ids;
    CREATE TABLE outbox (
        message_id BIGINT PRIMARY KEY DEFAULT nextval('message_ids'),
        kind VARCHAR NOT NULL,
        user_id INTEGER,  -- the recipient's account (NULL: a test message)
        recipient VARCHAR NOT NULL,
        payload VARCHAR NOT NULL,  -- JSON
        once_key VARCHAR UNIQUE,
        created_at TIMESTAMP NOT NULL,
        due_at TIMESTAMP NOT NULL,
        state VARCHAR NOT NULL
            CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error VARCHAR,
        sent_at TIMESTAMP);
    -- What each person wants besides invitations and resets (which always go out);
    -- no row: everything on.
    CREATE TABLE mail_preferences (
        user_id INTEGER PRIMARY KEY,
        reminders BOOLEAN NOT NULL,
        digests BOOLEAN NOT NULL,
        changed_at TIMESTAMP NOT NULL);
"""


def _outbox(cursor: duckdb.DuckDBPyConnection) -> None:
    cursor.execute(OUTBOX)
    # The key that signs the preference links in messages (dashboard/mail/preferences.py),
    # from the operating system's cryptographic source.
    cursor.execute("INSERT INTO meta VALUES ('mail_link_key', ?)", [secrets.token_hex(32)])


PEOPLE = """
    -- The people of each team, for Catalyst's own pulse (dashboard/ingest/people.py). They
    -- are not accounts and never sign in.
    CREATE SEQUENCE person_ids;
    CREATE TABLE people (
        person_id INTEGER PRIMARY KEY DEFAULT nextval('person_ids'),
        email VARCHAR NOT NULL UNIQUE CHECK (email = lower(email)),
        name VARCHAR NOT NULL,
        language VARCHAR,  -- NULL: the organization's
        created_at TIMESTAMP NOT NULL);
    -- Which team a person is in from a date (team_id NULL: no longer in any). Like team
    -- facts, added and never updated; for one person and date the latest recorded applies.
    CREATE SEQUENCE membership_ids;
    CREATE TABLE memberships (
        person_id INTEGER NOT NULL,
        valid_from DATE NOT NULL,
        team_id INTEGER,
        recorded_at TIMESTAMP NOT NULL,
        membership_id BIGINT PRIMARY KEY DEFAULT nextval('membership_ids'));
    CREATE VIEW membership_history AS
        SELECT *, lead(valid_from) OVER (PARTITION BY person_id ORDER BY valid_from) AS valid_to
        FROM (SELECT person_id, valid_from, team_id FROM memberships
              QUALIFY row_number() OVER (PARTITION BY person_id, valid_from
                                         ORDER BY membership_id DESC) = 1);
"""


def _pulse(cursor: duckdb.DuckDBPyConnection) -> None:
    answers = ",\n".join(f"{item} FLOAT CHECK ({item} BETWEEN 1 AND 5)" for item in ITEM_KEYS)
    cursor.execute(PULSE.format(answers=answers))


PULSE = """
    -- Catalyst's own pulse (dashboard/pulse.py). A round's answers all belong to its first
    -- week: nothing finer than the week is kept.
    CREATE SEQUENCE pulse_ids;
    CREATE TABLE pulse_rounds (
        pulse_id INTEGER PRIMARY KEY DEFAULT nextval('pulse_ids'),
        round_start DATE NOT NULL UNIQUE,
        week DATE NOT NULL CHECK (dayofweek(week) = 1),
        closes_at TIMESTAMP NOT NULL,
        closed_at TIMESTAMP);
    -- Who may answer: a person's personal link, or a kiosk code linked to nobody (person_id
    -- NULL). Only a hash of the token is kept, made when the link is sent. ``used`` says
    -- whether it was used (to remind those who did not), never when, never which answer.
    CREATE TABLE pulse_invitations (
        pulse_id INTEGER NOT NULL,
        team_id INTEGER NOT NULL,
        person_id INTEGER,
        token_hash VARCHAR UNIQUE,
        used BOOLEAN NOT NULL DEFAULT false);
    -- Answers waiting for their batch: a random id, the round and the team, nothing else.
    -- They reach survey_responses shuffled, at least k at a time (or at the round's close).
    CREATE TABLE pulse_waiting (
        answer_id UUID PRIMARY KEY,
        pulse_id INTEGER NOT NULL,
        team_id INTEGER NOT NULL,
        {answers},
        comment VARCHAR);
"""


KIOSK_PEOPLE_AND_SMALL_WINS = """
    -- People without e-mail answer the pulse with kiosk codes; the pulse form takes one
    -- small win, kept with the answer like its comment (and shown under the same rules).
    ALTER TABLE people ALTER COLUMN email DROP NOT NULL;
    ALTER TABLE pulse_waiting ADD COLUMN small_win VARCHAR;
    ALTER TABLE survey_responses ADD COLUMN small_win VARCHAR;
"""


# Append only: a released migration never changes, a file at version N runs
# migrations N+1.. in order, each in its own transaction.
MIGRATIONS: tuple[Migration, ...] = (
    _sql(_initial_schema()),
    _sql(SIGN_IN_TABLES),
    _sql(IMPORT_REPORTS),
    _sql(SAVED_MAPPINGS),
    _sql(PROGRESS_FINGERPRINTS),
    _sql(HR_DEPARTMENTS),
    _sql(INVITATIONS),
    _sql(RAW_FINGERPRINTS),
    _publication,
    _sql(SIGN_IN_CLIENTS),
    _sql(COMMITMENTS),
    _outbox,
    _sql(PEOPLE),
    _pulse,
    _sql(KIOSK_PEOPLE_AND_SMALL_WINS),
)


SCHEMA_VERSION = len(MIGRATIONS)


# Tables that bulk writes may name; identifiers never come from input.
BULK_TABLES = frozenset(
    {
        "departments", "teams", "team_facts", "users", "user_roles", "imports",
        "survey_responses", "checkins", "checkin_notes", "progress_entries", "audit_log",
        "import_problems", "published_rounds", "published_cells", "published_teams",
        "commitments",
    }
)  # fmt: skip
