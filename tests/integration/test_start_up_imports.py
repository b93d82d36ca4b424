"""Start-up paints the signed-in window before it imports the ORM and what the first screen does not use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from app.core.vocabulary import AuditAction
from app.db import Database
from app.models import AuditEntry
from app.services import users
from tests.conftest import fresh_database_url
from tests.factories import make_offender, make_user

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
# Each costs start-up tens of milliseconds or more; none is needed for the first frame.
LATER = (
    "sqlalchemy.orm",
    "app.models",
    "app.services.offenders",
    "app.services.users",
    "app.services.activities",
    "app.services.notifications",
    "app.services.workload",
    "alembic",
    "reportlab",
    "holidays",
    "openpyxl",
)
# Runs the application as `--as USER --exit-after-shown` (URL, user, password) does and says, when the first frame is
# on screen, which of LATER were imported by then.
SCRIPT = """
import sys
from app.views import application

def report(qt_application, _report=application._report_shown_and_quit):
    loaded = [name for name in sys.argv[4:] if name in sys.modules]
    print("loaded before the first frame:", ",".join(loaded) or "nothing", flush=True)
    _report(qt_application)

application._report_shown_and_quit = report
sys.exit(application.run_gui(*sys.argv[1:4], exit_after_shown=True))
"""


def test_the_first_frame_needs_neither_the_orm_nor_the_later_pages(tmp_path):
    with fresh_database_url(tmp_path, "start.sqlite3") as url:
        database = Database(url)
        database.migrate()
        with database.unit_of_work(None) as session:
            session.info["actor"] = users.system_actor(session)
            make_user(session, "clerk")
            make_offender(session, last_name="Painted")
        try:
            completed = subprocess.run(
                [sys.executable, "-c", SCRIPT, url, "clerk", PASSWORD, *LATER],
                cwd=ROOT,
                env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                capture_output=True,
                text=True,
                timeout=120,
            )

            assert completed.returncode == 0, completed.stderr
            assert "loaded before the first frame: nothing\n" in completed.stdout
            with database.read() as session:
                actions = session.scalars(
                    select(AuditEntry.action).where(AuditEntry.action == AuditAction.SIGN_IN)
                ).all()
            assert actions == [AuditAction.SIGN_IN]
        finally:
            database.dispose()


def test_what_runs_before_qt_imports_no_qt():
    # The command line opens the database and starts the password check with this module before
    # it imports Qt, whose import hook would slow every import made after it.
    completed = subprocess.run(
        [sys.executable, "-c", "import sys, app.views.start_up; print(sorted(sys.modules))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    loaded = completed.stdout
    assert "sqlalchemy" in loaded
    assert "PySide6" not in loaded and "shiboken6" not in loaded
    assert "sqlalchemy.orm" not in loaded
