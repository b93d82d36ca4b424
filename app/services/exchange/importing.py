"""import_folder: checks every row of a data-exchange folder and loads it all, or nothing."""

from __future__ import annotations

import gc
import marshal
import multiprocessing
import os
import struct
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import UserError
from app.core.permissions import Actor, Permission, require
from app.core.vocabulary import AuditAction
from app.db import Database
from app.models.audit import record_event
from app.models.base import utcnow
from app.services.exchange import loading
from app.services.exchange.format import (
    ACTIVITIES,
    BY_NAME,
    FILES,
    OFFENDERS,
    REQUIRED_FILE,
    WARRANTS,
    ExchangeError,
)
from app.services.exchange.loading import (
    BulkMode,
    Loader,
    PostgresBulkMode,
    SqliteBulkMode,
    restore_write_ahead_log,
)
from app.services.exchange.reading import (
    Batch,
    FolderReader,
    ReadOptions,
    count_lines,
    stored_timestamp,
)

# (phase, rows done, rows in all or None); it may raise Cancelled to stop, and nothing is kept.
Progress = Callable[[str, int, int | None], None]

# Read and check the files in a forked child process while this one writes (Linux: fork is cheap
# and safe while no other thread runs); elsewhere, in turn, in this process.
READ_IN_CHILD_PROCESS = sys.platform.startswith("linux")
# Where a batch lies in the spool file: offset and length.
_PLACE = struct.Struct("<QQ")


class Cancelled(UserError):
    """The user stopped the import or export; nothing was written."""


class ImportFailed(UserError):
    """The folder has problems; every one is listed and nothing was imported."""

    def __init__(self, folder: Path, errors: list[ExchangeError]):
        self.folder = folder
        self.errors = errors
        count = f"{len(errors):,} problem{'s' if len(errors) != 1 else ''}"
        super().__init__(f"{count} in {folder}; nothing was imported")


@dataclass(frozen=True)
class ImportSummary:
    folder: Path
    counts: dict[str, int]  # rows loaded per file name

    def describe(self) -> str:
        parts = ", ".join(f"{name} {count:,}" for name, count in self.counts.items())
        return f"Imported from {self.folder}: {parts}."


def _folder_files(folder: Path) -> tuple[list[tuple[str, Path]], list[ExchangeError]]:
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder")
    errors: list[ExchangeError] = []
    present = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.name in BY_NAME:
            present[path.name] = path
        elif path.suffix.lower() == ".csv":
            known = ", ".join(spec.name for spec in FILES)
            errors.append(
                ExchangeError(path.name, 0, "file", f"unknown file; the folder's files are {known}")
            )
    if REQUIRED_FILE not in present:
        errors.append(ExchangeError(REQUIRED_FILE, 0, "file", "is missing; it is required"))
    return [(spec.name, present[spec.name]) for spec in FILES if spec.name in present], errors


def _read_all(files: list[tuple[str, Path]], options: ReadOptions) -> Iterator[Batch]:
    reader = FolderReader(options)
    for name, path in files:
        yield from reader.read(BY_NAME[name], path)


def _encoded(batch: Batch) -> bytes:
    # marshal: half the cost of pickle for rows of strings, numbers and None, both ways.
    return marshal.dumps(
        (
            batch.file, batch.rows, batch.lines,
            [(e.file, e.line, e.column, e.message) for e in batch.errors],
            batch.rejected, batch.unresolved, batch.records_read, batch.finished, batch.usable,
            batch.highest_number,
        )
    )  # fmt: skip


def _decoded(data: bytes) -> Batch:
    (file, rows, lines, errors, rejected, unresolved, records_read, finished, usable,
     highest_number) = marshal.loads(data)  # fmt: skip
    return Batch(
        file, rows, lines, [ExchangeError(*e) for e in errors], rejected, unresolved,
        records_read, finished, usable, highest_number,
    )  # fmt: skip


def _send_batches(
    sender: Any, spool: int, files: list[tuple[str, Path]], options: ReadOptions
) -> None:
    """In the child process: every batch written to the spool file and its place sent down the
    pipe, then 'done' (or the error as text).

    Through a pipe alone the reader could be one batch ahead at most, and it would stand idle
    while the writer builds names, links and indexes between files (a third of a minute at a
    million profiles). The spool lets it read on; what waits is in the page cache, not in the
    memory of either process.
    """
    gc.disable()  # millions of short-lived tuples, no cycles: collecting would only cost time
    try:
        offset = 0
        for batch in _read_all(files, options):
            data = _encoded(batch)
            _write_at(spool, data, offset)
            sender.send_bytes(b"B" + _PLACE.pack(offset, len(data)))
            offset += len(data)
        sender.send_bytes(b"D")
    except BaseException:
        sender.send_bytes(b"E" + traceback.format_exc().encode())
    finally:
        sender.close()


def _write_at(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written


def _read_at(fd: int, length: int, offset: int) -> bytes:
    data = os.pread(fd, length, offset)
    while len(data) < length:
        more = os.pread(fd, length - len(data), offset + len(data))
        if not more:
            raise RuntimeError("the import's spool file ended early")
        data += more
    return data


class _Batches:
    """The batches in order, read in a child process when that is safe; `close` stops it."""

    def __init__(self, files: list[tuple[str, Path]], options: ReadOptions):
        self.child = None
        self.receiver = None
        self.spool = None
        if READ_IN_CHILD_PROCESS and threading.active_count() == 1:
            context = multiprocessing.get_context("fork")
            # Unnamed (O_TMPFILE on Linux): it goes once both processes have closed it.
            self.spool = tempfile.TemporaryFile(prefix="compact-office-")  # noqa: SIM115 - close()
            self.receiver, sender = context.Pipe(duplex=False)
            self.child = context.Process(
                target=_send_batches,
                args=(sender, self.spool.fileno(), files, options),
                name="exchange-import",
                daemon=True,
            )
            self.child.start()
            sender.close()
        else:
            self.local = _read_all(files, options)

    def __iter__(self) -> Iterator[Batch]:
        if self.child is None:
            yield from self.local
            return
        while True:
            try:
                message = self.receiver.recv_bytes()
            except EOFError:
                raise RuntimeError("the import's reading process stopped unexpectedly") from None
            if message[:1] == b"D":
                return
            if message[:1] == b"E":
                raise RuntimeError(f"reading the folder failed:\n{message[1:].decode()}")
            offset, length = _PLACE.unpack(message[1:])
            yield _decoded(_read_at(self.spool.fileno(), length, offset))

    def close(self) -> None:
        if self.child is None:
            return
        self.receiver.close()
        if self.child.is_alive():
            self.child.terminate()
        self.child.join()
        self.spool.close()


def import_folder(
    database: Database, actor: Actor, folder: Path | str, progress: Progress | None = None
) -> ImportSummary:
    """Loads every file of the folder in one transaction, or nothing when any row has a problem
    (ImportFailed lists them all, `file:line: column: message`)."""
    require(actor, Permission.LOAD_DATA)
    folder = Path(folder)
    files, folder_errors = _folder_files(folder)
    totals = {name: max(count_lines(path) - 1, 0) for name, path in files}
    total = sum(totals.values())
    report = progress or (lambda _phase, _done, _total: None)
    now = stored_timestamp(database.dialect, utcnow())
    report("Checking the folder", 0, total)
    batches = None
    bulk: BulkMode | None = None
    try:
        with database.unit_of_work(actor) as session:
            loader = Loader(session, actor)
            loader.errors.extend(folder_errors)
            if database.dialect == "sqlite":
                bulk = SqliteBulkMode(loader.connection, total >= loading.DEFER_INDEXES_FROM_ROWS)
                if bulk.defer:
                    bulk.use_rollback_journal()
            options = ReadOptions(
                dialect=database.dialect,
                now=now,
                username=actor.username,
                first_ids=loader.prepare(),
                state=None if actor.sees_all_states else actor.jurisdiction_code,
            )
            if bulk is not None and total * 4 < loader.existing_rows():
                # A small addition to a large database: cheaper to keep the indexes up.
                bulk.defer = False
            elif database.dialect == "postgresql":
                # Only a load that brings most of what there will be (see PostgresBulkMode).
                large = total >= loading.DEFER_INDEXES_FROM_ROWS
                bulk = PostgresBulkMode(
                    loader.connection, large and not loader.holds_more_than(total // 4)
                )
            batches = _Batches(files, options)
            try:
                if bulk is not None:
                    bulk.start()
                counts = _load(session, loader, batches, bulk, totals, report)
                if loader.errors:
                    raise ImportFailed(folder, _in_file_order(loader.errors))
                # The work after the last row, a minute at a million profiles, told step by step.
                if bulk is not None:
                    if bulk.defer:
                        report("Indexing the activities", total, total)
                    bulk.restore_activities()
                loader.derive_cases(lambda phase: report(phase, total, total))
                if bulk is not None:
                    if bulk.defer:
                        report("Indexing the cases", total, total)
                    bulk.restore_cases()
                    if bulk.defer and database.dialect == "postgresql":
                        report("Checking the references between the files", total, total)
                    bulk.restore_references()
            finally:
                if bulk is not None:
                    bulk.close()
            record_event(
                session,
                AuditAction.BULK_LOAD,
                "data_exchange",
                note=f"import of the folder {folder}",
                changes={"folder": str(folder), **counts},
            )
            report("Saving", total, total)
    finally:
        if batches is not None:
            batches.close()
        if bulk is not None and bulk.journal_switched:
            restore_write_ahead_log(database.engine)
    return ImportSummary(folder, counts)


def _load(
    session,
    loader: Loader,
    batches: _Batches,
    bulk: BulkMode | None,
    totals: dict[str, int],
    report: Progress,
) -> dict[str, int]:
    """Every batch into the database; the rows loaded per file.

    Once the profiles, aliases and cases are in, their names, links and indexes are made, before
    the activities are stored (which leaves the activities' indexes to build, alone).
    """
    total = sum(totals.values())
    finished_files = 0
    profiles_done = False

    def derive_profiles() -> None:
        report("Linking profiles and indexing their names", finished_files, total)
        loader.derive_profiles(session, bulk)
        if bulk is not None:
            bulk.restore_profiles()

    for batch in batches:
        if not profiles_done and batch.file in (ACTIVITIES.name, WARRANTS.name):
            profiles_done = True
            if not loader.errors:  # else nothing will be kept: spare the work
                derive_profiles()
        loader.load(batch)
        if batch.finished:
            finished_files += totals.get(batch.file, 0)
            done = finished_files
        else:
            done = finished_files + batch.records_read
        report(f"Checking and loading {batch.file}", min(done, total), total)
        if (
            batch.finished
            and batch.file == OFFENDERS.name
            and bulk is not None
            and not loader.errors
        ):
            # Built while the reader is on the next files, which it reads more slowly than they
            # are stored: time this process would otherwise spend waiting.
            bulk.restore_offenders()
    if not profiles_done and not loader.errors:
        derive_profiles()
    if bulk is not None:
        bulk.stop_checks_skipping()
    return {
        spec.name: loader.targets[spec.name].loaded
        for spec in FILES
        if loader.targets[spec.name].present
    }


def _in_file_order(errors: list[ExchangeError]) -> list[ExchangeError]:
    order = {spec.name: index for index, spec in enumerate(FILES)}
    return sorted(errors, key=lambda e: (order.get(e.file, -1), e.file, e.line))
