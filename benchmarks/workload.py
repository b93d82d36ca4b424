"""The compact workload's first page at a million profiles: count + first 100 rows of 'my state's
workload', as the national office and as a Texas user, in a few sort orders.
`python -m benchmarks.workload [--database-url URL]`; `python -m benchmarks` includes it.
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


def _sorts():
    from app.services.workload import WorkloadSort

    # (label, sort, descending, runs): the first three walk an index and stop at the page's end;
    # oldest-due-first must pass every answered activity before the first one still waiting.
    return [
        ("case number", WorkloadSort.CASE_NUMBER, False, REPEATS),
        ("name", WorkloadSort.NAME, False, REPEATS),
        ("next due, latest first", WorkloadSort.NEXT_DUE, True, REPEATS),
        ("next due, oldest first", WorkloadSort.NEXT_DUE, False, 1),
    ]


def time_first_page(database, actor, query, runs: int) -> tuple[list[float], int]:
    """Milliseconds per run of workload_size + workload_page (a fresh session each, as the screen
    does), after one run to warm the file cache; and the count."""
    from app.services.workload import workload_page, workload_size

    times = []
    count = 0
    for run in range(runs + 1):
        with database.read() as session:
            started = time.perf_counter()
            size = workload_size(session, actor, query)
            workload_page(session, actor, query, 0, PAGE, size=size)
            elapsed = (time.perf_counter() - started) * 1000
        count = size.count
        if run:
            times.append(elapsed)
    return times, count


def measure_workload(database, actors: dict[str, object], include_slow: bool = True) -> list[Line]:
    from app.services.workload import WorkloadQuery, WorkloadScope

    lines = []
    for label, actor in actors.items():
        for sort_label, sort, descending, runs in _sorts():
            if runs == 1 and not include_slow:
                continue
            query = WorkloadQuery(scope=WorkloadScope.STATE, sort=sort, descending=descending)
            times, count = time_first_page(database, actor, query, runs)
            lines.append(
                Line(
                    f"workload first page: {sort_label} ({label})",
                    statistics.median(times),
                    percentile(times, 0.95),
                    target=TARGET,
                    note=f"{runs} run{'s' if runs > 1 else ''}; count ({count:,} active cases) "
                    f"+ first {PAGE} rows",
                )
            )
    return lines


def bench_actors(database) -> dict[str, object]:
    from app.services.users import actor_for_username

    with database.read() as session:
        return {
            "national office": actor_for_username(session, BENCH_USER),
            "Texas user": actor_for_username(session, BENCH_STATE_USER),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workload")
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{CACHE / 'offenders-1000000-seed-1.sqlite3'}",
        help="the benchmark database (built by `python -m benchmarks`)",
    )
    parser.add_argument(
        "--skip-slow", action="store_true", help="leave out the oldest-due-first sort"
    )
    args = parser.parse_args(argv)
    from app.db import Database

    database = Database(args.database_url)
    try:
        lines = measure_workload(database, bench_actors(database), not args.skip_slow)
    finally:
        database.dispose()
    print_table(lines, f"\nCompact workload, first page: {database.description}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
