"""Starting the desktop application: Qt and its fonts, the database, signing in, the main window."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMessageBox

from app import __version__
from app.core.errors import DatabaseUnavailable
from app.core.permissions import Actor
from app.db import Database
from app.views.context import AppContext
from app.views.events import AppEvents
from app.views.start_up import PasswordCheck, Start, begin, open_database

# The fallback clock for start-up time where /proc is missing; the earliest moment this code sees.
_MODULE_LOADED_AT = time.perf_counter()

APP_NAME = "Compact Office"
BUNDLED_FONT_FAMILY = "DejaVu Sans"
RESOURCES_DIR = Path(__file__).resolve().parent.parent.parent / "resources"

EXIT_OK = 0
EXIT_SIGN_IN_FAILED = 1
EXIT_DATABASE = 3


def seconds_since_process_start() -> float:
    """Includes the interpreter's own start-up where the kernel says when the process began."""
    try:
        stat = Path("/proc/self/stat").read_text()
        # Field 22 (starttime, in clock ticks after boot); the name in field 2 may contain spaces.
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
        now = time.clock_gettime(time.CLOCK_BOOTTIME)
        return now - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _MODULE_LOADED_AT


def run_gui(
    database_url: str | None,
    sign_in_as: str | None,
    password: str | None,
    exit_after_shown: bool,
    *,
    started: Start | None = None,
    open_url: str | None = None,
) -> int:
    """`started` is `start_up.begin` for the same arguments, when the caller ran it before Qt;
    `open_url` a profile link to open once the window is painted."""
    os.environ.setdefault("LANG", "C.UTF-8")
    if started is None:
        started = begin(database_url, sign_in_as, password, opener=open_database)
    if started.database is None:
        _application()
        QMessageBox.critical(None, APP_NAME, str(started.refusal))
        return EXIT_DATABASE
    database = started.database
    try:
        if started.password_check is not None:
            return _run_signed_in(database, started.password_check, exit_after_shown, open_url)
        application = _application()
        actor = _ask_who_signs_in(database, sign_in_as)
        if actor is None:
            return EXIT_OK
        context = AppContext(database=database, actor=actor, events=AppEvents())
        window = _import_main_window()(context)
        _open_when_painted(window, open_url)
        return _run_main_window(application, window, exit_after_shown)
    finally:
        database.dispose()


def _open_when_painted(window, open_url: str | None) -> None:
    if open_url:
        window.first_painted.connect(lambda: window.open_profile_link(open_url))


def _run_signed_in(
    database: Database, check: PasswordCheck, exit_after_shown: bool, open_url: str | None = None
) -> int:
    """A password given at start: the main window is built for the account it names while argon2
    checks it, and shown only once the password is right.

    Until the window is painted everything is read with SQLAlchemy Core; the sign-in is audited
    right after the first paint, which is when the ORM and the entity classes are imported.
    """
    application = _application()
    candidate = check.candidate
    window = None
    if candidate is not None:
        context = AppContext(database=database, actor=candidate.actor, events=AppEvents())
        window = _import_main_window()(context, offender_count=check.offender_count())
    if not check.password_is_right() or candidate is None or window is None:
        if window is not None:
            window.deleteLater()
        unrecorded = _record_sign_in(database, check.username, None)
        QMessageBox.critical(None, APP_NAME, unrecorded or _sign_in_failed_text())
        return EXIT_SIGN_IN_FAILED
    actor = candidate.actor
    _open_when_painted(window, open_url)
    recorded = False
    problem: str | None = None

    def record_once() -> None:
        nonlocal recorded, problem
        if recorded:
            return
        recorded = True
        problem = _record_sign_in(database, check.username, actor)
        if problem is not None:
            # Nothing may be done in a session whose sign-in the database would not record.
            window.hide()
            QMessageBox.critical(None, APP_NAME, problem)
            application.exit(EXIT_SIGN_IN_FAILED)

    code = _run_main_window(application, window, exit_after_shown, after_first_paint=record_once)
    # A window closed before its first paint still leaves its sign-in in the audit log.
    record_once()
    return EXIT_SIGN_IN_FAILED if problem is not None else code


def _record_sign_in(database: Database, username: str, actor: Actor | None) -> str | None:
    """Audits the attempt (`actor` when the password was right); the problem to show when the
    database refused to record it, else None."""
    from app.services import users

    try:
        with database.unit_of_work(None) as session:
            users.record_sign_in(session, username, actor)
    except DatabaseUnavailable as exc:
        return str(exc)
    return None


def _sign_in_failed_text() -> str:
    from app.services import users

    return str(users.sign_in_failed())


def _import_main_window() -> type:
    """Imported when first needed, so that the import overlaps the password check."""
    from app.views.main_window import MainWindow

    return MainWindow


def _application() -> QApplication:
    existing = QApplication.instance()
    application = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    application.setApplicationName(APP_NAME)
    application.setApplicationVersion(__version__)
    _load_bundled_fonts(application)
    return application


def _load_bundled_fonts(application: QApplication) -> None:
    """A machine without fonts would show empty boxes; the bundled DejaVu covers accented names."""
    families = QFontDatabase.families()
    if BUNDLED_FONT_FAMILY in families:
        return
    for path in sorted((RESOURCES_DIR / "fonts").glob("DejaVuSans*.ttf")):
        QFontDatabase.addApplicationFont(str(path))
    if not families:
        application.setFont(QFont(BUNDLED_FONT_FAMILY))


def _ask_who_signs_in(database: Database, username: str | None) -> Actor | None:
    from app.services import users

    with database.read() as session:
        first_start = users.needs_first_administrator(session)
    # The dialogs are only needed when nobody signed in from the command line.
    from app.views.sign_in import FirstAdministratorDialog, SignInDialog

    dialog: FirstAdministratorDialog | SignInDialog
    if first_start:
        dialog = FirstAdministratorDialog(database)
    else:
        dialog = SignInDialog(database)
        if username:
            dialog.username_field.setText(username)
            dialog.password_field.setFocus()
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    actor = dialog.actor if accepted else None
    dialog.deleteLater()
    return actor


def _run_main_window(
    application: QApplication,
    window: QMainWindow,
    exit_after_shown: bool,
    after_first_paint: Callable[[], None] | None = None,
) -> int:
    # The report comes first, so that it times the first frame and not the work that follows it.
    if exit_after_shown:
        window.first_painted.connect(lambda: _report_shown_and_quit(application))
    if after_first_paint is not None:
        window.first_painted.connect(after_first_paint)
    window.show()
    try:
        return application.exec()
    finally:
        window.close()
        window.deleteLater()


def _report_shown_and_quit(application: QApplication) -> None:
    print(f"shown_after_ms={seconds_since_process_start() * 1000:.1f}", flush=True)
    application.exit(EXIT_OK)
