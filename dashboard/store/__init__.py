"""The DuckDB store: one connection per process, versioned schema, one write path.

* ``Store(path)`` opens (or creates) a database file and migrates it to the
  current schema. A file from a newer Catalyst, a file that is not a Catalyst
  database, a corrupt file or one held by another process raise a
  ``StoreError`` whose message names the file and what to do.
* ``store.reading()`` hands out a fresh cursor: DuckDB refuses one connection
  used by two threads at once, a cursor per script run or thread is cheap.
* ``store.transaction()`` serializes writers behind one lock (DuckDB answers
  concurrent updates of the same rows with conflicts) and commits whole or not
  at all.

Storage layout, and why:

* Answers are stored one column per survey item (the catalyst keys are an
  allow-list), as scores already normalized to 1-5. Normalization is linear
  and maps every scale's midpoint to 3, so "favorable on the original scale"
  is exactly "score > 3"; nothing is lost by not keeping the raw scale.
* ``response_summary`` holds team x week x item (n, sum, favorable count) and
  is rebuilt for the team-weeks a write touches. Pages and privacy read this
  small table instead of scanning responses; rounds of any cadence are unions
  of whole weeks, so weekly cells are enough.
* Team facts (department, manager, headcount) carry a ``valid_from`` date; a
  reorg adds a row instead of rewriting history. ``team_history`` adds the
  exclusive ``valid_to``.
* No foreign-key constraints: DuckDB refuses updates and deletes of rows that
  are referenced, which would block undo and account changes. The write
  functions keep references valid instead.
"""

from dashboard.store.database import (
    APP_ID,
    DatabaseLocked,
    DatabaseTooNew,
    DatabaseUnreadable,
    NotACatalystDatabase,
    Store,
    StoreError,
    close_shared,
    is_server,
    migrate_server,
    open_store,
    shared,
)
from dashboard.store.schema import (
    BULK_TABLES,
    HR_DEPARTMENTS,
    IMPORT_REPORTS,
    INVITATIONS,
    MIGRATIONS,
    PROGRESS_FINGERPRINTS,
    RAW_FINGERPRINTS,
    SAVED_MAPPINGS,
    SCHEMA_VERSION,
    SIGN_IN_TABLES,
    Migration,
)
from dashboard.store.writes import (
    MANAGER_KIND,
    Organization,
    append_frame,
    bump_data_version,
    manager_kind,
    rebuild_response_summary,
    record_audit,
    registered,
    save_settings,
    set_meta,
    sync_sequences,
    write_organization,
)

__all__ = [
    "Organization",
    "write_organization",
    "APP_ID",
    "BULK_TABLES",
    "DatabaseLocked",
    "DatabaseTooNew",
    "DatabaseUnreadable",
    "HR_DEPARTMENTS",
    "IMPORT_REPORTS",
    "INVITATIONS",
    "MIGRATIONS",
    "Migration",
    "NotACatalystDatabase",
    "PROGRESS_FINGERPRINTS",
    "RAW_FINGERPRINTS",
    "SAVED_MAPPINGS",
    "SCHEMA_VERSION",
    "SIGN_IN_TABLES",
    "Store",
    "StoreError",
    "append_frame",
    "MANAGER_KIND",
    "bump_data_version",
    "manager_kind",
    "close_shared",
    "is_server",
    "migrate_server",
    "open_store",
    "rebuild_response_summary",
    "record_audit",
    "registered",
    "save_settings",
    "set_meta",
    "shared",
    "sync_sequences",
]
