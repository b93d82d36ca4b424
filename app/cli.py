"""The `compact-office` command line: the same services as the screens, for scripts and schedulers."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from app import __version__
from app.core.errors import DatabaseUnavailable, UserError
from app.core.settings import DATABASE_URL_ENV, resolve_database_url

NEW_PASSWORD_ENV = "COMPACT_OFFICE_PASSWORD"
AS_PASSWORD_ENV = "COMPACT_OFFICE_AS_PASSWORD"

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_DATABASE = 3


def _common(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    """Options every command takes, before or after the sub-command name."""
    # A sub-command's own default would overwrite what was given before the sub-command name.
    default = None if top_level else argparse.SUPPRESS
    parser.add_argument(
        "--database-url",
        default=default,
        help=f"sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DB (also ${DATABASE_URL_ENV}); "
        "default: the embedded database in your user data folder",
    )
    parser.add_argument(
        "--as",
        dest="as_user",
        metavar="USERNAME",
        default=default,
        help=f"act as this user (password from ${AS_PASSWORD_ENV} or asked); "
        "default: the local system account",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="compact-office",
        description="Compact Office: offender profiles, compact cases, activities and warrants.",
    )
    parser.add_argument("--version", action="version", version=f"compact-office {__version__}")
    _common(parser, top_level=True)
    parser.add_argument("--exit-after-shown", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = commands.add_parser("gui", help="open the main window (the default)")
    _common(gui)
    # SUPPRESS as default: the sub-command must not reset a flag given before it.
    gui.add_argument(
        "--exit-after-shown", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    gui.add_argument(
        "--open",
        dest="open_url",
        metavar="URL",
        help="open a profile link (compact-office://offender/NUMBER, as e-mails carry) once signed in",
    )

    user = commands.add_parser("user", help="manage user accounts (administrators)")
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_commands.add_parser(
        "add", help=f"add a user; the password comes from ${NEW_PASSWORD_ENV} or is asked"
    )
    _common(add)
    add.add_argument("username")
    add.add_argument(
        "--state", required=True, help="two-letter code, or NO for the National Office"
    )
    add.add_argument(
        "--role",
        dest="roles",
        action="append",
        required=True,
        help="officer, supervisor, compact_office, state_administrator or national_office "
        "(repeat for several)",
    )
    add.add_argument("--full-name", help="defaults to the user name")
    add.add_argument("--email")
    listing = user_commands.add_parser("list", help="list users")
    _common(listing)
    listing.add_argument("--state")
    disable = user_commands.add_parser(
        "disable", help="disable a user (they can no longer sign in)"
    )
    _common(disable)
    disable.add_argument("username")

    demo = commands.add_parser("demo-data", help="load a reproducible synthetic data set")
    _common(demo)
    demo.add_argument(
        "--offenders", type=int, default=1000, help="how many profiles (default 1000)"
    )
    demo.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")

    load = commands.add_parser(
        "import", help="load a data-exchange folder: every row, or nothing if any has a problem"
    )
    _common(load)
    load.add_argument("folder", metavar="DIR", help="the folder holding offenders.csv and the rest")
    dump = commands.add_parser(
        "export", help="write what you may see as a data-exchange folder (files are replaced)"
    )
    _common(dump)
    dump.add_argument("folder", metavar="DIR", help="created if missing")

    upgrade = commands.add_parser("upgrade-database", help="bring the database schema up to date")
    _common(upgrade)

    settings = commands.add_parser(
        "database", help="show or set which database this installation opens by default"
    )
    settings.add_argument("url", nargs="?", help="the URL to open from now on")
    settings.add_argument(
        "--embedded", action="store_true", help="go back to the embedded database file"
    )
    _notify_parser(commands)
    _print_parser(commands)
    _report_parser(commands)
    _calendar_parser(commands)
    return parser


def _calendar_parser(commands) -> None:
    """`calendar show|close|open|remove`: the office's business-day calendar (docs/deadlines.md)."""
    calendar = commands.add_parser(
        "calendar", help="the legal holidays deadlines skip, and the office's own closures"
    )
    actions = calendar.add_subparsers(dest="calendar_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="the year's holidays and closures")
    _common(show)
    show.add_argument("--state", help="default: your state")
    show.add_argument("--year", type=int, help="default: this year")
    for name, text in (
        ("close", "add a closure day (weather, a state-declared closure)"),
        ("open", "mark a listed holiday as a day the office works"),
        ("remove", "undo a closure or an open day"),
    ):
        action = actions.add_parser(name, help=text)
        _common(action)
        action.add_argument("day", metavar="DATE", help="MM/DD/YYYY or YYYY-MM-DD")
        action.add_argument("--state", help="default: your state")
        if name != "remove":
            action.add_argument("--reason", required=True)


def _calendar(database, actor, args) -> int:
    from app.core import clock
    from app.forms.fields import format_date, parse_date
    from app.services import calendar

    state = (args.state or actor.jurisdiction_code).strip().upper()
    if args.calendar_command == "show":
        year = args.year or clock.today().year
        with database.read() as session:
            entries = calendar.calendar_for(session, state).holidays_in(year)
        print(f"{state} {year}: {len(entries)} day(s) off the business calendar or changed")
        for entry in entries:
            mark = "closed" if entry.closed else "open"
            changed = " (office)" if entry.adjusted else ""
            print(f"{format_date(entry.day)}  {entry.day:%a}  {mark:<6}{changed:<9} {entry.name}")
        return EXIT_OK
    try:
        day = parse_date(args.day)
    except ValueError as error:
        raise UserError(f"DATE: {error}") from None
    with database.unit_of_work(actor) as session:
        if args.calendar_command == "close":
            calendar.add_closure(session, actor, state, day, args.reason)
        elif args.calendar_command == "open":
            calendar.mark_open(session, actor, state, day, args.reason)
        else:
            calendar.remove_adjustment(session, actor, state, day)
    print(f"{state} {format_date(day)}: {args.calendar_command} recorded")
    return EXIT_OK


def _print_parser(commands) -> None:
    """`print activity ID -o FILE.pdf`: an activity's form, as transmitted unless --current."""
    printing = commands.add_parser("print", help="print a form to a PDF file")
    kinds = printing.add_subparsers(dest="print_command", metavar="WHAT", required=True)
    activity = kinds.add_parser(
        "activity", help="an activity's form: the copy as transmitted, or a draft as it stands"
    )
    _common(activity)
    activity.add_argument(
        "activity", metavar="ACTIVITY_ID", help="its number (as imported or shown)"
    )
    activity.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    activity.add_argument(
        "--current",
        action="store_true",
        help="regenerate from the current data (labelled as not the copy that was sent)",
    )


def _print(database, actor, args) -> int:
    from app.services.activities import find_activity_id
    from app.services.activity_print import print_activity

    target = Path(args.output)
    if target.suffix.lower() != ".pdf":
        raise UserError("-o: the file name must end in .pdf")
    with database.read() as session:
        activity_id = find_activity_id(session, args.activity)
        if activity_id is None:
            raise UserError(f"ACTIVITY_ID: no activity numbered {args.activity!r}")
        printed = print_activity(session, actor, activity_id, current=args.current)
    partial = target.with_name(target.name + ".partial")
    try:
        partial.write_bytes(printed.pdf)
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise UserError(f"-o: cannot write {target}: {error.strerror}") from None
    print(f"{target}: {args.activity}, {printed.label}")
    return EXIT_OK


REPORTS = ("warrant-status",)


def _report_parser(commands) -> None:
    """`report NAME [--state XX] --format csv|xlsx -o FILE`: a report of the user's state."""
    report = commands.add_parser("report", help="write a report to a CSV or XLSX file")
    _common(report)
    report.add_argument("name", metavar="NAME", choices=REPORTS, help=", ".join(REPORTS))
    report.add_argument(
        "--state",
        help="two-letter code; default: your state (the National Office: every state, or ALL)",
    )
    report.add_argument("--format", dest="report_format", choices=["csv", "xlsx"], required=True)
    report.add_argument("-o", "--output", required=True, metavar="FILE")


def _report(database, actor, args) -> int:
    from app.services.warrant_export import ExportFormat, export_warrant_status

    try:
        written = export_warrant_status(
            database,
            actor,
            Path(args.output),
            state=args.state,
            export_format=ExportFormat(args.report_format),
        )
    except OSError as error:
        raise UserError(f"-o: cannot write {args.output}: {error.strerror or error}") from None
    print(written.describe())
    return EXIT_OK


def _error(message: str) -> None:
    print(f"compact-office: {message}", file=sys.stderr)


def _open_database(url: str):
    from app.db import Database

    database = Database(url)
    backup = database.migrate()
    if backup:
        print(f"Database upgraded; the previous version was copied to {backup}", file=sys.stderr)
    return database


def _ask_secret(prompt: str, env: str) -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise UserError(f"no password: set ${env} or run from a terminal to be asked")
    return getpass.getpass(prompt)


def _actor(database, as_user: str | None):
    from app.services import users

    if not as_user:
        with database.read() as session:
            return users.system_actor(session)
    password = _ask_secret(f"Password for {as_user}: ", AS_PASSWORD_ENV)
    with database.unit_of_work(None) as session:
        actor = users.authenticate(session, as_user, password)
    if actor is None:
        raise users.sign_in_failed()
    return actor


def _user_add(database, actor, args) -> int:
    from app.core.vocabulary import Role
    from app.services import users

    try:
        roles = [Role(r.strip().lower()) for r in args.roles]
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise UserError(f"role: must be one of {allowed}") from None
    password = _ask_secret(f"New password for {args.username}: ", NEW_PASSWORD_ENV)
    asked = NEW_PASSWORD_ENV not in os.environ and sys.stdin.isatty()
    if asked and getpass.getpass("Repeat the password: ") != password:
        raise UserError("password: the two entries differ")
    with database.unit_of_work(actor) as session:
        user = users.add_user(
            session,
            actor,
            username=args.username,
            full_name=args.full_name or args.username,
            state=args.state,
            roles=roles,
            password=password,
            email=args.email,
        )
        summary = (
            f"Added {user.username} ({user.jurisdiction_code}; {', '.join(r.value for r in roles)})"
        )
    print(summary)
    return EXIT_OK


def _user_list(database, actor, args) -> int:
    from app.services import users

    with database.read() as session:
        rows = users.list_users(session, actor, args.state)
    print(f"{'USERNAME':<24} {'STATE':<5} {'ACTIVE':<6} {'ROLES':<40} FULL NAME")
    for row in rows:
        active = "yes" if row.active else "no"
        print(
            f"{row.username:<24} {row.jurisdiction_code:<5} {active:<6} {','.join(row.roles):<40} {row.full_name}"
        )
    print(f"{len(rows)} user(s)")
    return EXIT_OK


def _user_disable(database, actor, args) -> int:
    from app.services import users

    with database.unit_of_work(actor) as session:
        users.disable_user(session, actor, args.username)
    print(f"Disabled {args.username.strip().lower()}")
    return EXIT_OK


def _demo_data(database, actor, args) -> int:
    from app.services.demo_data import generate_demo_data

    if args.offenders < 1:
        raise UserError("--offenders: must be at least 1")

    def progress(done: int, total: int) -> None:
        print(f"\r{done:,} / {total:,} offenders", end="", file=sys.stderr, flush=True)

    summary = generate_demo_data(
        database, actor, offenders=args.offenders, seed=args.seed, progress=progress
    )
    print(file=sys.stderr)
    print(summary.describe())
    return EXIT_OK


class _ProgressLine:
    """Progress on stderr: one line rewritten in place on a terminal, plain lines otherwise
    (on each new phase and every tenth of the way), so that logs stay short."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.in_place = self.stream.isatty()
        self.phase = ""
        self.step = -1
        self.shown_at = 0.0
        self.width = 0

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        share = done / total if total else None
        step = int(share * 10) if share is not None else 0
        now = time.monotonic()
        if self.in_place:
            if phase == self.phase and now - self.shown_at < 0.1:
                return
        elif phase == self.phase and step == self.step:
            return
        self.phase, self.step, self.shown_at = phase, step, now
        counted = f": {done:,} of {total:,} rows ({share:.0%})" if total else ""
        text = f"{phase}{counted}"
        if self.in_place:
            print(f"\r{text:<{self.width}}", end="", file=self.stream, flush=True)
            self.width = max(self.width, len(text))
        else:
            print(text, file=self.stream, flush=True)

    def end(self) -> None:
        if self.in_place and self.width:
            print(file=self.stream, flush=True)
        self.width = 0


def _import_folder(database, actor, args) -> int:
    from app.services.exchange import ImportFailed, import_folder

    progress = _ProgressLine()
    try:
        summary = import_folder(database, actor, args.folder, progress)
    except ImportFailed as failure:
        progress.end()
        for error in failure.errors:
            print(error, file=sys.stderr)
        raise
    finally:
        progress.end()
    print(summary.describe())
    return EXIT_OK


def _export_folder(database, actor, args) -> int:
    from app.services.exchange import export_folder

    progress = _ProgressLine()
    try:
        summary = export_folder(database, actor, args.folder, progress)
    finally:
        progress.end()
    print(summary.describe())
    return EXIT_OK


def _upgrade(database, actor, args) -> int:
    print(f"The {database.description} is up to date.")
    return EXIT_OK


def _database_setting(args) -> int:
    from app.core import settings
    from app.db import Database, describe_url

    values = settings.load()
    if args.embedded:
        values.pop("database_url", None)
        settings.save(values)
    elif args.url:
        database = Database(args.url)
        try:
            database.check_connection()
        finally:
            database.dispose()
        values["database_url"] = args.url
        settings.save(values)
    current = resolve_database_url(None)
    source = "from $" + DATABASE_URL_ENV if os.environ.get(DATABASE_URL_ENV) else "default"
    if "database_url" in settings.load() and not os.environ.get(DATABASE_URL_ENV):
        source = f"set in {settings.settings_file()}"
    print(f"{describe_url(current)} ({source})")
    return EXIT_OK


def _notify_parser(commands) -> None:
    """`notify send|settings|list|retry`: the e-mail outbox (app.services.mailer)."""
    notify = commands.add_parser("notify", help="send queued e-mail notifications; SMTP settings")
    actions = notify.add_subparsers(dest="notify_command", metavar="ACTION", required=True)
    send = actions.add_parser("send", help="send the e-mails that are due (for a scheduler)")
    _common(send)
    send.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
    smtp = actions.add_parser(
        "settings", help="show or change the SMTP settings (administrators); never the password"
    )
    _common(smtp)
    smtp.add_argument("--host")
    smtp.add_argument("--port", type=int)
    smtp.add_argument("--starttls", action=argparse.BooleanOptionalAction, default=None)
    smtp.add_argument("--user", help="user name to log in with; an empty value means no login")
    smtp.add_argument("--from", dest="from_address", metavar="ADDRESS")
    smtp.add_argument(
        "--password-from-env",
        action="store_true",
        help="store $COMPACT_OFFICE_SMTP_PASSWORD in the system keyring",
    )
    listing = actions.add_parser("list", help="the latest messages of the outbox")
    _common(listing)
    listing.add_argument("--status", choices=["pending", "sent", "failed"])
    listing.add_argument("--limit", type=int, default=50)
    retry = actions.add_parser("retry", help="queue failed e-mails again (all, or --id)")
    _common(retry)
    retry.add_argument("--id", dest="ids", type=int, action="append")


def _notify(database, actor, args) -> int:
    from app.core.vocabulary import NotificationStatus
    from app.services import mailer

    if args.notify_command == "send":
        if args.limit < 1:
            raise UserError("--limit: must be at least 1")
        from app.core import clock
        from app.services.reminders import queue_scheduled_messages

        # Reminders are queued once a day per offset (their dedup keys say which), so a scheduler
        # may run this as often as it likes.
        with database.unit_of_work(actor) as session:
            queue_scheduled_messages(session, clock.today())
        report = mailer.send_pending(database, limit=args.limit)
        if not report.configured:
            raise UserError("e-mail is not set up: run compact-office notify settings --host ...")
        if report.server_error:
            _error(f"stopped early: {report.server_error}")
        print(report.describe())
    elif args.notify_command == "settings":
        changes = {
            "host": args.host,
            "port": args.port,
            "starttls": args.starttls,
            "user": args.user,
            "from_address": args.from_address,
        }
        with database.unit_of_work(actor) as session:
            if any(value is not None for value in changes.values()):
                current = mailer.save_settings(session, actor, **changes)
            else:
                current = mailer.load_settings(session)
        if args.password_from_env:
            password = os.environ.get(mailer.PASSWORD_ENV)
            if not password:
                raise UserError(f"${mailer.PASSWORD_ENV} is not set; no password was stored")
            mailer.store_password(actor, current, password)
            print(f"The password for {current.keyring_key} is in the system keyring.")
        for label, value in current.describe():
            print(f"{label:<10}{value}")
    elif args.notify_command == "list":
        status = NotificationStatus(args.status) if args.status else None
        with database.read() as session:
            rows = mailer.list_outbox(session, actor, status=status, limit=args.limit)
        print(f"{'ID':>7} {'STATUS':<8} {'TRIES':>5} {'WHEN (UTC)':<16} {'TO':<32} SUBJECT")
        for row in rows:
            when = (row.sent_at or row.send_after).strftime("%Y-%m-%d %H:%M")
            print(
                f"{row.id:>7} {row.status:<8} {row.attempts:>5} {when:<16} "
                f"{row.recipient[:32]:<32} {row.subject[:60]}"
            )
            if row.last_error and row.status != "sent":
                print(f"{'':>7} last error: {row.last_error[:100]}")
        print(f"{len(rows)} message(s)")
    else:
        with database.unit_of_work(actor) as session:
            count = mailer.retry_failed(session, actor, args.ids)
        print(f"{count} failed message(s) queued again")
    return EXIT_OK


def _gui(args) -> int:
    # Before Qt: PySide6 passes every import made after its own through the hook of its
    # `__feature__` support, which makes SQLAlchemy's few hundred modules about half as slow again
    # to import; and argon2 checks a password given here (a quarter of a second of CPU) on a thread
    # while Qt loads.
    from app.views.start_up import begin

    password = None
    if args.as_user:
        password = _ask_secret(f"Password for {args.as_user}: ", AS_PASSWORD_ENV)
    started = begin(args.database_url, args.as_user, password)
    from app.views.application import run_gui

    return run_gui(
        database_url=args.database_url,
        sign_in_as=args.as_user,
        password=password,
        exit_after_shown=args.exit_after_shown,
        started=started,
        open_url=getattr(args, "open_url", None),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command in (None, "gui"):
            return _gui(args)
        if args.command == "database":
            return _database_setting(args)
        handlers: dict[str, Callable] = {
            "demo-data": _demo_data,
            "import": _import_folder,
            "export": _export_folder,
            "upgrade-database": _upgrade,
            "notify": _notify,
            "print": _print,
            "report": _report,
            "calendar": _calendar,
        }
        if args.command == "user":
            handler = {"add": _user_add, "list": _user_list, "disable": _user_disable}[
                args.user_command
            ]
        else:
            handler = handlers[args.command]
        database = _open_database(resolve_database_url(args.database_url))
        try:
            actor = _actor(database, args.as_user)
            return handler(database, actor, args)
        finally:
            database.dispose()
    except DatabaseUnavailable as exc:
        _error(str(exc))
        return EXIT_DATABASE
    except UserError as exc:
        _error(str(exc))
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        _error("interrupted; nothing further was written")
        return 130
