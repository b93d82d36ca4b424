"""Export and import of the data-exchange folder at a million profiles: `python -m benchmarks.exchange`.

Exports the benchmark database (built once by `python -m benchmarks`, or given), then imports the
folder into a new SQLite file. Each step runs in a child process of its own, so that its peak RSS is
its own: the importing process and the process that reads and checks the files for it are measured
apart.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.__main__ import ROOT, ensure_database

IMPORT_TARGET_SECONDS = 180
IMPORT_TARGET_RSS_MIB = 1024


def _child(step: str, url: str, folder: str) -> int:
    """In the child: run one step, print its figures as JSON on the last line of stdout."""
    from app.db import Database
    from app.services.exchange import export_folder, import_folder
    from app.services.users import system_actor

    database = Database(url)
    database.migrate()
    with database.read() as session:
        actor = system_actor(session)
    phases: dict[str, float] = {}  # each progress phase's first report, seconds from the start

    def progress(phase: str, _done: int, _total: int | None) -> None:
        phases.setdefault(phase, time.perf_counter() - started)

    started = time.perf_counter()
    if step == "export":
        summary = export_folder(database, actor, folder, progress)
    else:
        summary = import_folder(database, actor, folder, progress)
    # Closing lets SQLite finish copying the write-ahead log into the file: part of the work.
    phases.setdefault("Closing the database", time.perf_counter() - started)
    database.dispose()
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "counts": summary.counts,
                "peak_rss_mib": own.ru_maxrss / 1024,
                # The reading process the import forks (Linux), reaped before this point.
                "reader_peak_rss_mib": children.ru_maxrss / 1024,
                "cpu_seconds": own.ru_utime + own.ru_stime,
                "reader_cpu_seconds": children.ru_utime + children.ru_stime,
                "phases": phases,
            }
        )
    )
    return 0


def _run(step: str, url: str, folder: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.exchange", "--child", step, url, str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise SystemExit(f"{step} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


class _Server:
    """A PostgreSQL server on which each import run gets a database of its own."""

    NAME = "compact_office_bench_import"

    def __init__(self, url: str):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
        self.url = make_url(url).set(database=self.NAME).render_as_string(hide_password=False)

    def create(self) -> str:
        from sqlalchemy import text

        with self.admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {self.NAME}"))
        return self.url

    def drop(self) -> None:
        from sqlalchemy import text

        with self.admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {self.NAME} WITH (FORCE)"))

    def size(self) -> int:
        from sqlalchemy import text

        with self.admin.connect() as connection:
            return connection.scalar(text(f"SELECT pg_database_size('{self.NAME}')"))


def _seconds(result: dict) -> float:
    return result["seconds"]


def _folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.iterdir())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.exchange")
    parser.add_argument("--offenders", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="export this database instead of the cached one")
    parser.add_argument("--work-dir", help="where the folder and the new database go (a temp dir)")
    parser.add_argument(
        "--verify", action="store_true", help="export the new database too and compare the files"
    )
    parser.add_argument("--keep", action="store_true", help="keep the folder and the new database")
    parser.add_argument(
        "--import-only",
        metavar="DIR",
        help="import this data-exchange folder (one kept by --keep) instead of exporting one",
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="import this many times into a new file; the median"
    )
    parser.add_argument(
        "--into-server",
        metavar="URL",
        help="import into a new database on this PostgreSQL server (dropped afterwards unless "
        "--keep) instead of a new SQLite file",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(*args.child)

    if args.import_only:
        source_url = None
        folder = Path(args.import_only).resolve()
    else:
        source_url, _ = ensure_database(args.offenders, args.seed, args.database_url)
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="compact-office-exchange-"))
    work.mkdir(parents=True, exist_ok=True)
    if not args.import_only:
        folder = work / "folder"
    target = work / "imported.sqlite3"
    server = _Server(args.into_server) if args.into_server else None
    target_url = f"sqlite:///{target}"
    from app.db import Database

    def import_into_new_database() -> dict:
        nonlocal target_url
        if server is not None:
            server.drop()
            target_url = server.create()
        else:
            for leftover in work.glob("imported.sqlite3*"):
                leftover.unlink()
        fresh = Database(target_url)
        fresh.migrate()  # an empty schema, as a new installation has; not the import's time
        fresh.dispose()
        return _run("import", target_url, folder)

    try:
        exported = None if args.import_only else _run("export", source_url, folder)
        runs = sorted((import_into_new_database() for _ in range(args.runs)), key=_seconds)
        imported = runs[len(runs) // 2]
        counts_given = imported["counts"] if exported is None else exported["counts"]
        verified = ""
        if args.verify:
            again = _run("export", target_url, work / "again")
            same = all(
                filecmp.cmp(folder / name, work / "again" / name, shallow=False)
                for name in counts_given
            )
            verified = "; re-exported files identical" if same else "; RE-EXPORT DIFFERS"
            assert again["counts"] == counts_given
        rows = sum(counts_given.values())
        size = _folder_size(folder)
        database_size = server.size() if server is not None else target.stat().st_size
    finally:
        if server is not None and not args.keep:
            server.drop()
        if not args.keep and not args.import_only:
            shutil.rmtree(work, ignore_errors=True)
        elif not args.keep:
            # The folder given to --import-only is not ours to remove, wherever it is.
            for leftover in work.glob("imported.sqlite3*"):
                leftover.unlink()
            shutil.rmtree(work / "again", ignore_errors=True)
            if args.work_dir is None:
                work.rmdir()

    def line(measure, result, target_text, note):
        return (
            f"| {measure:<38} | {result['seconds']:>8,.1f} s | {rows / result['seconds']:>9,.0f} "
            f"| {result['peak_rss_mib']:>8,.0f} MiB | {target_text:<18} | {note} |"
        )

    counts = ", ".join(f"{name} {count:,}" for name, count in counts_given.items())
    source = folder if args.import_only else f"{args.offenders:,} offenders, seed {args.seed}"
    print(
        f"\nData-exchange folder: {source}: {rows:,} rows ({counts}); "
        f"{size / 2**20:,.0f} MiB of CSV; {os.cpu_count()} cores\n"
    )
    print(f"| {'measure':<38} | {'time':>10} | {'rows/s':>9} | {'peak RSS':>12} | "
          f"{'target':<18} | note |")  # fmt: skip
    print(f"|{'-' * 40}|{'-' * 12}|{'-' * 11}|{'-' * 14}|{'-' * 20}|------|")
    if exported is not None:
        print(
            line(
                "export (SQLite, all visible)",
                exported,
                "",
                f"CPU {exported['cpu_seconds']:,.0f} s",
            )
        )
    print(
        line(
            "import into a new PostgreSQL database" if server else "import into a new SQLite file",
            imported,
            f"< {IMPORT_TARGET_SECONDS} s, < 1 GiB",
            f"reading process: peak RSS {imported['reader_peak_rss_mib']:,.0f} MiB, CPU "
            f"{imported['reader_cpu_seconds']:,.0f} s; writing process CPU "
            f"{imported['cpu_seconds']:,.0f} s; database {database_size / 2**20:,.0f} MiB"
            f"{verified}",
        )
    )
    if counts_given.get("offenders.csv", 0) >= 1_000_000:
        met = (
            imported["seconds"] < IMPORT_TARGET_SECONDS
            and imported["peak_rss_mib"] < IMPORT_TARGET_RSS_MIB
            and imported["reader_peak_rss_mib"] < IMPORT_TARGET_RSS_MIB
        )
        print(f"\nimport target {'met' if met else 'NOT met'}")
    if len(runs) > 1:
        each = ", ".join(
            f"{run['seconds']:,.1f} s ({run['peak_rss_mib']:,.0f} / "
            f"{run['reader_peak_rss_mib']:,.0f} MiB)"
            for run in runs
        )
        print(f"\n{len(runs)} imports (peak RSS writing / reading), the median above: {each}")
    print(
        "\nImport phases of that run (from its progress reports; each lasts until the next "
        "begins):\n"
    )
    print(f"| {'phase':<48} | {'seconds':>8} |")
    print(f"|{'-' * 50}|{'-' * 10}|")
    marks = sorted(imported["phases"].items(), key=lambda item: item[1])
    ends = [at for _, at in marks[1:]] + [imported["seconds"]]
    for (phase, began), ended in zip(marks, ends, strict=True):
        print(f"| {phase:<48} | {ended - began:>8,.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
