"""Building the demo: its accounts, the spec (teams, weeks, seed, today) and the one
transaction that writes it."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time

import numpy as np

from dashboard import clock, queries, store
from dashboard.demo.activity import generate_checkins, generate_commitments, generate_responses
from dashboard.demo.organization import generate_org
from dashboard.demo.spec import ORGANIZATION_NAME, DemoSpec
from dashboard.steps import Steps, quietly
from dashboard.store import Store


def build_demo(db: Store, spec: DemoSpec, on_step: Steps = quietly) -> dict:
    """Fill an empty database with the demo organization; returns headline counts."""
    today = spec.today or clock.utc_now().date()
    rng = np.random.default_rng(spec.seed)
    now = datetime.combine(today, time(8, 0))
    on_step(f"Generating {spec.teams} teams over {spec.weeks} weeks (seed {spec.seed})")
    org = generate_org(spec, today, rng, now)
    responses = generate_responses(org, today, rng)
    on_step(f"Generated {len(responses):,} survey responses")
    checkins, notes, entries = generate_checkins(org, today, rng, now)
    on_step(f"Generated {len(checkins):,} check-ins and {len(entries):,} wins and setbacks")

    organization = store.Organization(
        org.departments,
        org.teams,
        org.team_facts,
        org.users,
        org.user_roles,
        responses,
        checkins,
        notes,
        entries,
        commitments=generate_commitments(checkins, rng),
        settings=_settings(),
        meta=_meta(spec, today),
    )
    on_step("Writing the organization, summarizing responses by team and week")
    with db.transaction() as cursor:
        try:
            store.write_organization(cursor, organization, now=now, source="demo survey responses")
        except store.StoreError:
            raise store.StoreError(
                f"The database {db.path} already holds an organization; the demo needs an "
                "empty database. Pass --db with a new file."
            ) from None
        store.record_audit(
            cursor,
            "demo.build",
            f"teams={spec.teams} weeks={spec.weeks} seed={spec.seed} today={today}",
            at=now,
            actor="catalyst demo",
        )
    # The demo shows results at once: it goes live, which publishes every closed round.
    queries.go_live(db, now=now, actor="catalyst demo")
    db.checkpoint()
    return {
        "departments": len(org.departments),
        "teams": len(org.teams),
        "users": len(org.users),
        "survey_responses": len(responses),
        "checkins": len(checkins),
        "progress_entries": len(entries),
    }


def _settings() -> dict[str, str]:
    return {
        "organization_name": ORGANIZATION_NAME,
        "time_zone": "Europe/Berlin",
        "cadence": "weekly",
        "min_group_size": "5",
    }


def _meta(spec: DemoSpec, today: date) -> dict[str, str]:
    return {
        "demo": "true",
        # Same seed, same database: even the fingerprint salt (nothing secret in a demo).
        "fingerprint_salt": hashlib.sha256(f"salt-{spec.seed}".encode()).hexdigest()[:32],
        "mail_link_key": hashlib.sha256(f"mail-{spec.seed}".encode()).hexdigest(),
        "demo_spec": f"teams={spec.teams} weeks={spec.weeks} seed={spec.seed}",
        "demo_today": today.isoformat(),
    }
