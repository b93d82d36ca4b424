"""Scrolls the offender list model from the first row to the last, as a view would, and reports memory."""

from __future__ import annotations

import resource
import sys
import time

from PySide6.QtCore import QCoreApplication, Qt

from app.db import Database
from app.services.users import actor_for_username
from app.views.offender_table_model import OffenderTableModel

VISIBLE_ROWS = 40


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    url, username = sys.argv[1], sys.argv[2]
    application = QCoreApplication(sys.argv[:1])  # noqa: F841 - models want an application object
    database = Database(url)
    with database.read() as session:
        actor = actor_for_username(session, username)
    model = OffenderTableModel(database, actor)
    start_rss = rss_mib()
    started = time.perf_counter()
    rows = model.rowCount()
    columns = model.columnCount()
    display = Qt.ItemDataRole.DisplayRole
    # A view asks for every cell of the rows on screen; one screenful at a time, top to bottom.
    for top in range(0, rows, VISIBLE_ROWS):
        for row in range(top, min(top + VISIBLE_ROWS, rows)):
            for column in range(columns):
                model.data(model.index(row, column), display)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"rows={rows} seconds={seconds:.1f} start_rss_mib={start_rss:.0f} "
        f"peak_rss_mib={peak:.0f} cached_pages={len(model.cached_pages)}"
    )
    database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
