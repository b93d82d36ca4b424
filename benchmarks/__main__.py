"""Speed and memory of Compact Office at scale, each figure beside its floor: `python -m benchmarks`."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
BENCH_USER = "bench.national"
BENCH_STATE_USER = "bench.texas"
# Only for the throwaway benchmark database; it never leaves this process tree.
BENCH_PASSWORD = "benchmark-only-password"


@dataclass
class Line:
    measure: str
    median_ms: float | None
    p95_ms: float | None = None
    floor_ms: float | None = None
    target: str = ""
    note: str = ""

    @property
    def ratio(self) -> str:
        if self.median_ms is None or not self.floor_ms:
            return ""
        return f"{self.median_ms / self.floor_ms:.2f}x"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def run_cli(url: str, *args: str, env: dict | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "app", *args, "--database-url", url],
        check=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
    )


def ensure_database(offenders: int, seed: int, url: str | None) -> tuple[str, float | None]:
    """Builds (once) the database of N offenders; returns its URL and the load time if it loaded."""
    if url:
        return url, None
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"offenders-{offenders}-seed-{seed}.sqlite3"
    url = f"sqlite:///{path}"
    if path.exists():
        _bring_up_to_date(url)
        return url, None
    partial = path.with_suffix(".partial")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    partial_url = f"sqlite:///{partial}"
    started = time.perf_counter()
    run_cli(partial_url, "demo-data", "--offenders", str(offenders), "--seed", str(seed))
    load_seconds = time.perf_counter() - started
    env = {"COMPACT_OFFICE_PASSWORD": BENCH_PASSWORD}
    run_cli(
        partial_url,
        "user",
        "add",
        BENCH_USER,
        "--state",
        "NO",
        "--role",
        "national_office",
        env=env,
    )
    run_cli(
        partial_url, "user", "add", BENCH_STATE_USER, "--state", "TX", "--role", "officer", env=env
    )
    import sqlite3

    with sqlite3.connect(partial) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    partial.rename(path)
    return url, load_seconds


def _bring_up_to_date(url: str) -> None:
    """A cached database of an older schema is upgraded in place, as an installation's would be
    (without keeping the backup the upgrade makes: the cache can be built again)."""
    from app.db import Database

    database = Database(url)
    try:
        backup = database.migrate()
    finally:
        database.dispose()
    if backup:
        Path(backup).unlink()


def time_until_shown(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("shown"):
            elapsed = (time.perf_counter() - started) * 1000
            break
    else:
        raise RuntimeError(f"{command[:4]} never showed its window")
    process.wait(timeout=30)
    return elapsed


def measure_start_up(url: str, runs: int) -> list[Line]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "COMPACT_OFFICE_AS_PASSWORD": BENCH_PASSWORD,
        "LANG": "C.UTF-8",
    }
    app_command = [sys.executable, "-m", "app", "--database-url", url, "--as", BENCH_USER,
                   "--exit-after-shown"]  # fmt: skip
    floor_command = [sys.executable, str(Path(__file__).with_name("floor_window.py")), url]
    # An installed application starts from bytecode (pip compiles on install, the installer bundles
    # .pyc files), as the floor's libraries do; a checkout run with PYTHONDONTWRITEBYTECODE would
    # otherwise compile every module of the application at every start.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "app")], check=True)
    time_until_shown(app_command, env)  # first run warms the file cache for both
    # Other work on the machine slows both programs, not always alike: the load goes with the figures.
    load_before = os.getloadavg()[0]
    app_times, floor_times = [], []
    for _ in range(runs):
        app_times.append(time_until_shown(app_command, env))
        floor_times.append(time_until_shown(floor_command, env))
    return [
        Line(
            "start-up to main window shown (signed in, list filled)",
            statistics.median(app_times),
            percentile(app_times, 0.95),
            statistics.median(floor_times),
            "< 2000 ms, < 2x floor",
            f"{runs} runs each, warm file cache, application compiled to bytecode; floor: PySide6 + "
            "SQLAlchemy + same db + empty window; 1-minute load average "
            f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after",
        )
    ]


def sample_offenders(database, count: int, seed: int) -> list:
    from app.models import Offender

    rng = random.Random(seed)
    with database.read() as session:
        low = session.scalar(select(Offender.id).order_by(Offender.id).limit(1))
        high = session.scalar(select(Offender.id).order_by(Offender.id.desc()).limit(1))
        found = []
        while len(found) < count:
            offender = session.get(Offender, rng.randint(low, high))
            if offender is not None:
                found.append(offender)
        return found


def typed_queries(
    offenders, rng: random.Random, state: str | None
) -> dict[str, list[tuple[str, bool, str, tuple]]]:
    """Per kind: (typed text, contains?, floor SQL, floor parameters) as a clerk types them.

    The floor is the bare SQL returning the same first page, with the same state filter.
    """
    visible = ""
    visible_parameters: tuple = ()
    if state:
        visible = (" AND EXISTS (SELECT 1 FROM offender_link l WHERE l.jurisdiction_code = ? "
                   "AND l.offender_id = o.id)")  # fmt: skip
        visible_parameters = (state,)
    page = "SELECT o.id, o.offender_number, o.last_name, o.first_name, o.date_of_birth FROM "
    names = "offender_name n JOIN offender o ON o.id = n.offender_id WHERE "
    prefix_sql = (page + names + "n.last_name_key >= ? AND n.last_name_key < ?" + visible +
                  " ORDER BY n.last_name_key, n.first_name_key, n.offender_id LIMIT 100")  # fmt: skip
    fragment_sql = (page + "offender_name_fts f JOIN offender_name n ON n.id = f.rowid "
                    "JOIN offender o ON o.id = n.offender_id WHERE offender_name_fts MATCH ?"
                    + visible + " ORDER BY f.rowid LIMIT 100")  # fmt: skip

    def identifier_sql(column: str) -> str:
        return page + f"offender o WHERE o.{column} = ?" + visible + " LIMIT 100"

    queries: dict[str, list] = {"name prefix": [], "name fragment": [], "offender number": [],
                                "FBI / SID": []}  # fmt: skip
    for offender in offenders:
        key = offender.last_name_key
        for length in range(1, min(len(key), 6) + 1):
            prefix = key[:length]
            upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            queries["name prefix"].append(
                (prefix.lower(), False, prefix_sql, (prefix, upper, *visible_parameters))
            )
        full = f"{offender.last_name_key} {offender.first_name_key}"
        if len(full) >= 4:
            start = rng.randrange(0, len(full) - 3)
            fragment = full[start : start + rng.choice((3, 4, 5))].strip()
            if len(fragment) >= 3 and " " not in fragment:
                queries["name fragment"].append(
                    (fragment.lower(), True, fragment_sql, (f'"{fragment}"', *visible_parameters))
                )
        queries["offender number"].append(
            (offender.offender_number, False, identifier_sql("offender_number"),
             (offender.offender_number, *visible_parameters))
        )  # fmt: skip
        for column in ("fbi_number", "state_id"):
            value = getattr(offender, column)
            if value:
                queries["FBI / SID"].append(
                    (value, False, identifier_sql(column), (value, *visible_parameters))
                )
    return queries


def measure_search(database, actor, offenders, seed: int, label: str) -> list[Line]:
    from app.services.offenders import MATCH_CAP, OffenderSearch, search

    rng = random.Random(seed)
    lines = []
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        state = None if actor.sees_all_states else actor.jurisdiction_code
        for kind, queries in typed_queries(offenders, rng, state).items():
            service_times, floor_times = [], []
            for text, contains, floor_sql, parameters in queries:
                with database.read() as session:
                    started = time.perf_counter()
                    search(session, actor, OffenderSearch(text, contains))
                    service_times.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                cursor.execute(floor_sql, parameters)
                cursor.fetchall()
                floor_times.append((time.perf_counter() - started) * 1000)
            if service_times:
                lines.append(
                    Line(
                        f"search while typing: {kind} ({label})",
                        statistics.median(service_times),
                        percentile(service_times, 0.95),
                        statistics.median(floor_times),
                        "p95 < 50 ms",
                        f"{len(service_times)} queries; count (capped at {MATCH_CAP:,}) + first 100 rows; "
                        "floor: the bare SQL for the same first page",
                    )
                )
    finally:
        raw.close()
    return lines


def measure_first_page(database, actor, label: str, repeats: int = 15) -> Line:
    from app.services.offenders import OffenderSearch, count_offenders, offender_page

    times = []
    for _ in range(repeats):
        with database.read() as session:
            started = time.perf_counter()
            count_offenders(session, actor, OffenderSearch())
            offender_page(session, actor, OffenderSearch(), 0, 100)
            times.append((time.perf_counter() - started) * 1000)
    return Line(f"offender list: count + first page ({label})", statistics.median(times),
                percentile(times, 0.95), note=f"{repeats} runs")  # fmt: skip


def measure_scroll(url: str) -> Line:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.scroll", url, BENCH_USER],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        check=True,
    )
    values = dict(part.split("=", 1) for part in completed.stdout.split())
    return Line(
        "offender list scrolled top to bottom",
        float(values["seconds"]) * 1000,
        note=(
            f"{int(values['rows']):,} rows shown in {values['seconds']} s; "
            f"peak RSS {values['peak_rss_mib']} MiB (before scrolling {values['start_rss_mib']} MiB); "
            f"pages cached at the end: {values['cached_pages']}"
        ),
    )


def print_table(lines: list[Line], header: str) -> None:
    print(header)
    print(
        f"| {'measure':<62} | {'median':>10} | {'p95':>10} | {'floor':>10} | {'ratio':>6} | target |"
    )
    print(f"|{'-' * 64}|{'-' * 12}|{'-' * 12}|{'-' * 12}|{'-' * 8}|--------|")

    def ms(value):
        return f"{value:,.1f} ms" if value is not None else ""

    for line in lines:
        print(f"| {line.measure:<62} | {ms(line.median_ms):>10} | {ms(line.p95_ms):>10} | "
              f"{ms(line.floor_ms):>10} | {line.ratio:>6} | {line.target} |")  # fmt: skip
    notes = [f"- {line.measure}: {line.note}" for line in lines if line.note]
    if notes:
        print("\n" + "\n".join(notes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--offenders", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="measure an existing database instead")
    parser.add_argument("--runs", type=int, default=7, help="start-up runs")
    parser.add_argument("--samples", type=int, default=60, help="offenders whose names are typed")
    parser.add_argument("--skip-scroll", action="store_true")
    parser.add_argument(
        "--only",
        choices=("startup",),
        help="measure one part only (startup: the start-up line, app and floor interleaved)",
    )
    args = parser.parse_args(argv)

    url, load_seconds = ensure_database(args.offenders, args.seed, args.database_url)
    from app.db import Database
    from app.services.users import actor_for_username

    database = Database(url)
    lines: list[Line] = []
    if load_seconds is not None:
        lines.append(
            Line("demo-data load", load_seconds * 1000, note=f"{args.offenders:,} offenders")
        )
    lines += measure_start_up(url, args.runs)
    if args.only == "startup":
        database.dispose()
        print_table(
            lines, f"\nCompact Office start-up: {args.offenders:,} offenders, seed {args.seed}\n"
        )
        return 0
    with database.read() as session:
        national = actor_for_username(session, BENCH_USER)
        texas = actor_for_username(session, BENCH_STATE_USER)
    offenders = sample_offenders(database, args.samples, args.seed)
    lines += measure_search(database, national, offenders, args.seed, "national office")
    lines += measure_search(database, texas, offenders, args.seed, "Texas user")
    lines.append(measure_first_page(database, national, "national office"))
    lines.append(measure_first_page(database, texas, "Texas user"))
    from benchmarks.workload import bench_officer, measure_approvals, measure_workload

    lines += measure_workload(
        database, {"national office": national, "Texas user": texas}, bench_officer(database)
    )
    lines.append(measure_approvals(database))
    if not args.skip_scroll:
        lines.append(measure_scroll(url))
    path = database.url.database
    size = ""
    if path and Path(path).exists():
        size = f"; database file {Path(path).stat().st_size / 2**20:,.0f} MiB"
    database.dispose()
    print_table(
        lines,
        f"\nCompact Office benchmarks: {args.offenders:,} offenders, seed {args.seed}{size}\n",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
