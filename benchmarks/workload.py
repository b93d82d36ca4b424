"""The compact workload's first page at a million profiles: count + first 100 rows, in every sort
order and with the filters that look at each case (overdue, special statuses), for 'my state's
workload' as the national office and as a Texas user, and for a Texas officer's own cases (the
officers' default view: my cases, oldest due first).
`python -m benchmarks.workload [--database-url URL] [--runs N]`; `python -m benchmarks` includes it.
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchmarks.__main__ import (
    BENCH_STATE_USER,
    BENCH_USER,
    CACHE,
    Line,
    percentile,
    print_table,
)

PAGE = 100
REPEATS = 15
TARGET = "< 300 ms"
# A demo officer: bench.texas is added after the demo data and has no cases of their own.
OFFICER = "tx.officer1"


def _state_queries():
    """(label, query) of 'my state's workload': every sort, and the filters."""
    from app.services.workload import SpecialStatus, WorkloadQuery, WorkloadScope, WorkloadSort

    def state(sort, descending=False, **values):
        return WorkloadQuery(scope=WorkloadScope.STATE, sort=sort, descending=descending, **values)

    queries = [(sort.value.replace("_", " "), state(sort)) for sort in WorkloadSort]
    queries.insert(
        queries.index(("next due", state(WorkloadSort.NEXT_DUE))) + 1,
        ("next due, latest first", state(WorkloadSort.NEXT_DUE, True)),
    )
    sex_offender = frozenset({SpecialStatus.SEX_OFFENDER})
    # The rarest status (about 1.5% of the cases), and none of them has anything due.
    warrant = frozenset({SpecialStatus.ACTIVE_WARRANT})
    queries += [
        ("overdue only, by next due", state(WorkloadSort.NEXT_DUE, overdue_only=True)),
        ("overdue only, by case number", state(WorkloadSort.CASE_NUMBER, overdue_only=True)),
        ("sex offender, by next due", state(WorkloadSort.NEXT_DUE, special_statuses=sex_offender)),
        (
            "sex offender, by case number",
            state(WorkloadSort.CASE_NUMBER, special_statuses=sex_offender),
        ),
        ("active warrant, by next due", state(WorkloadSort.NEXT_DUE, special_statuses=warrant)),
        (
            "active warrant, by case number",
            state(WorkloadSort.CASE_NUMBER, special_statuses=warrant),
        ),
    ]
    return queries


def _own_queries():
    """(label, query) of an officer's own cases."""
    from app.services.workload import WorkloadQuery, WorkloadScope, WorkloadSort

    def mine(sort, **values):
        return WorkloadQuery(scope=WorkloadScope.MINE, sort=sort, **values)

    return [
        ("my cases, next due", mine(WorkloadSort.NEXT_DUE)),
        ("my cases, case number", mine(WorkloadSort.CASE_NUMBER)),
        ("my cases, name", mine(WorkloadSort.NAME)),
        ("my cases, overdue only", mine(WorkloadSort.NEXT_DUE, overdue_only=True)),
    ]


def time_first_page(database, actor, query, runs: int) -> tuple[list[float], str]:
    """Milliseconds per run of workload_size + workload_page (a fresh session each, as the screen
    does), after one run to warm the file cache; and the count as the screen shows it."""
    from app.services.workload import workload_page, workload_size

    times = []
    size = None
    for run in range(runs + 1):
        with database.read() as session:
            started = time.perf_counter()
            size = workload_size(session, actor, query)
            workload_page(session, actor, query, 0, PAGE, size=size)
            elapsed = (time.perf_counter() - started) * 1000
        if run:
            times.append(elapsed)
    assert size is not None
    return times, f"{size.count:,}{'+' if size.capped else ''}"


def _line(database, label: str, actor, query, runs: int) -> Line:
    times, count = time_first_page(database, actor, query, runs)
    return Line(
        f"workload: {label}",
        statistics.median(times),
        percentile(times, 0.95),
        target=TARGET,
        note=f"{runs} run{'s' if runs > 1 else ''}; count ({count} cases) + first {PAGE} rows",
    )


def measure_workload(
    database, actors: dict[str, object], officer=None, runs: int = REPEATS
) -> list[Line]:
    """`actors`: label -> actor for 'my state's workload'; `officer`: an actor with cases of
    their own, or None."""
    lines = []
    for actor_label, actor in actors.items():
        for label, query in _state_queries():
            lines.append(_line(database, f"{label} ({actor_label})", actor, query, runs))
    if officer is not None:
        for label, query in _own_queries():
            lines.append(_line(database, f"{label} ({OFFICER})", officer, query, runs))
    return lines


def measure_approvals(database, runs: int = REPEATS) -> Line:
    """The Texas compact office's approval queue as the Approvals page reads it: its count (capped
    at 1,000) and its first 500 rows, oldest submission first."""
    from app.core.permissions import Actor
    from app.core.vocabulary import Role
    from app.services.activities import approval_count, approval_queue

    office = Actor(None, "tx.compact.office", "TX", frozenset({Role.COMPACT_OFFICE}))
    times = []
    for run in range(runs + 1):
        with database.read() as session:
            started = time.perf_counter()
            waiting = approval_count(session, office)
            rows = approval_queue(session, office)
            elapsed = (time.perf_counter() - started) * 1000
        if run:
            times.append(elapsed)
    return Line(
        "approvals: Texas compact office's queue",
        statistics.median(times),
        percentile(times, 0.95),
        target=TARGET,
        note=f"{runs} runs; count ({waiting:,} waiting, capped at 1,000) + first {len(rows)} rows",
    )


def bench_actors(database) -> dict[str, object]:
    from app.services.users import actor_for_username

    with database.read() as session:
        return {
            "national office": actor_for_username(session, BENCH_USER),
            "Texas user": actor_for_username(session, BENCH_STATE_USER),
        }


def bench_officer(database):
    """The demo officer, or None when the database has no demo users."""
    from app.core.errors import NotFound
    from app.services.users import actor_for_username

    with database.read() as session:
        try:
            return actor_for_username(session, OFFICER)
        except NotFound:
            return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workload")
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{CACHE / 'offenders-1000000-seed-1.sqlite3'}",
        help="the benchmark database (built by `python -m benchmarks`)",
    )
    parser.add_argument("--runs", type=int, default=REPEATS, help="timed runs per measure")
    args = parser.parse_args(argv)
    from app.db import Database

    database = Database(args.database_url)
    try:
        lines = measure_workload(
            database, bench_actors(database), bench_officer(database), args.runs
        )
        lines.append(measure_approvals(database, args.runs))
    finally:
        database.dispose()
    print_table(lines, f"\nCompact workload, first page: {database.description}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
