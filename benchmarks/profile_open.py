"""Opening an offender profile with 50 activities: the read (every tab's data) and the whole window
shown, on the benchmark database. `python -m benchmarks.profile_open [--database-url URL]`.

The profile is added inside a transaction that is rolled back at the end, so the shared benchmark
database is left as it was.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy.orm import sessionmaker

from benchmarks.__main__ import BENCH_STATE_USER, CACHE, Line, percentile, print_table

ACTIVITIES = 50
RUNS = 30


class _OneConnectionDatabase:
    """Every session of the application joins one outer transaction (rolled back at the end)."""

    def __init__(self, database, connection):
        from app.models.audit import AuditedSession

        self.engine = database.engine
        self.url = database.url
        self.connection = connection
        self.session_factory = sessionmaker(
            bind=connection,
            class_=AuditedSession,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )

    def __getattr__(self, name):
        from app.db import Database

        return getattr(Database, name).__get__(self)


def _add_profile(database, actor) -> int:
    from app.core.vocabulary import ActivityStatus, ActivityType, CaseStatus
    from app.models import Activity, WarrantStatusRecord
    from app.services import cases, profiles

    with database.unit_of_work(actor) as session:
        offender = profiles.create_offender(
            session,
            actor,
            {"last_name": "Benchmark", "first_name": "Fifty", "date_of_birth": "1980-02-03",
             "sex_offender": True},
            certified_not_duplicate=True,
        )  # fmt: skip
        case_ids = [
            cases.create_case(
                session,
                actor,
                offender.id,
                {"sending_state": "TX", "receiving_state": receiving, "supervision_type": "parole"},
            ).id
            for receiving in ("VA", "OK", "CA")
        ]
        kinds = list(ActivityType)
        for n in range(ACTIVITIES):
            session.add(
                Activity(
                    activity_number=f"BENCH{n:05d}",
                    case_id=case_ids[n % len(case_ids)],
                    type=kinds[n % len(kinds)],
                    from_state="TX",
                    to_state="VA",
                    status=ActivityStatus.TRANSMITTED,
                    due_date=date.today() + timedelta(days=n - 25),
                    content={"note": f"activity {n}"},
                )
            )
        session.add(
            WarrantStatusRecord(
                warrant_status_id="BENCHWS1",
                offender_id=offender.id,
                issued_date=date.today(),
                issuing_authority="Benchmark court",
                created_by="bench",
                updated_by="bench",
            )
        )
        session.flush()
        for case_id in case_ids[1:]:
            case = cases.get_case(session, actor, case_id)
            case.status = CaseStatus.CLOSED
        return offender.id


def measure_profile_open(database, actor, runs: int = RUNS) -> list[Line]:
    from PySide6.QtWidgets import QApplication

    from app.services.profile_view import load_profile
    from app.views.context import AppContext
    from app.views.events import AppEvents
    from app.views.profile_window import ProfileWindow

    application = QApplication.instance() or QApplication([])
    connection = database.engine.connect()
    transaction = connection.begin()
    try:
        scoped = _OneConnectionDatabase(database, connection)
        from app.services.users import system_actor

        with scoped.read() as session:
            system = system_actor(session)
        offender_id = _add_profile(scoped, system)
        reads, windows = [], []
        for _ in range(runs):
            started = time.perf_counter()
            with scoped.read() as session:
                profile = load_profile(session, actor, offender_id)
            reads.append((time.perf_counter() - started) * 1000)
        assert len(profile.activities) == ACTIVITIES
        context = AppContext(database=scoped, actor=actor, events=AppEvents())
        for _ in range(runs):
            started = time.perf_counter()
            window = ProfileWindow(context, offender_id)
            window.show()
            application.processEvents()
            windows.append((time.perf_counter() - started) * 1000)
            window.close()
            window.deleteLater()
            application.processEvents()
    finally:
        transaction.rollback()
        connection.close()
    note = f"{ACTIVITIES} activities, 3 cases, 1 warrant; {runs} runs"
    return [
        Line(
            "profile: read every tab's data",
            statistics.median(reads),
            percentile(reads, 0.95),
            note=note,
        ),
        Line(
            "profile: window opened and shown",
            statistics.median(windows),
            percentile(windows, 0.95),
            target="< 150 ms",
            note=note,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_open")
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{CACHE / 'offenders-1000000-seed-1.sqlite3'}",
        help="the benchmark database (default: the cached 1,000,000-offender one)",
    )
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    from app.db import Database
    from app.services.users import actor_for_username

    database = Database(args.database_url)
    with database.read() as session:
        actor = actor_for_username(session, BENCH_STATE_USER)
    lines = measure_profile_open(database, actor, args.runs)
    database.dispose()
    print_table(lines, f"\nOpening a profile ({args.database_url})\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
