"""Reminder e-mails for transmitted activities awaiting a reply, on the days reminder_rule lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Row, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app.core import clock
from app.core.calendar import BusinessCalendar
from app.core.jurisdictions import BY_CODE
from app.core.vocabulary import (
    ACTIVITY_TYPE_LABELS,
    ActivityStatus,
    ActivityType,
    DayCountUnit,
    Role,
)
from app.models import (
    Activity,
    CompactCase,
    DeadlineRule,
    Offender,
    ReminderRule,
    Setting,
    User,
    UserRole,
)
from app.services.calendar import calendars_for
from app.services.deadlines import Due, rule_in_force
from app.services.notifications import enqueue
from app.services.warrant_notifications import queue_incomplete_warrant_reminders

__all__ = [
    "CATCH_UP_DAYS",
    "DailyScheduledMessages",
    "REMINDER_KIND",
    "queue_due_reminders",
    "queue_reminders_since_last_run",
    "queue_scheduled_messages",
]

REMINDER_KIND = "deadline_reminder"
# When no reminders were queued for some days (the office closed, no one signed in, no scheduler
# running), the next run queues theirs too, this many days back at most: a reminder of a reply
# due weeks ago is noise, and the overdue badges say it anyway.
CATCH_UP_DAYS = 14
# The last day whose reminders were queued (ISO date), in the settings table.
QUEUED_THROUGH_KEY = "reminders.queued_through"

# What each reminded activity awaits: its name in the e-mail, and the rule whose due date it is
# (for activities stored without their rule, such as loaded or generated ones).
_AWAITED: dict[ActivityType, tuple[str, str]] = {
    ActivityType.TRANSFER_REQUEST: ("Transfer Request Reply", "transfer_reply"),
    ActivityType.RFRI: ("Reporting Instructions Reply", "rfri_reply"),
    ActivityType.RETURN_RFRI: ("Return Reporting Instructions Reply", "return_rfri_reply"),
    ActivityType.VIOLATION_REPORT: ("Violation Report Response", "violation_response"),
    ActivityType.CASE_CLOSURE_NOTICE: ("Case Closure Notice Reply", "case_closure_reply"),
}


@dataclass(frozen=True)
class _Window:
    """Transmission days (first included, end excluded) of one reminder in some states' calendars."""

    first: date
    end: date
    # None: the count is the same in every state (calendar days).
    states: tuple[str, ...] | None


def _local_midnight(day: date) -> datetime:
    # Transmission days are the office's local days, as screens show them; a naive datetime's
    # astimezone() uses the machine's zone with its daylight-saving rule on that very day.
    return datetime.combine(day, time()).astimezone(UTC)


def _windows(
    rule: ReminderRule, today: date, calendars: Mapping[str, BusinessCalendar]
) -> list[_Window]:
    """The transmission days whose offset lands on today.

    In business days the Nth business day after d is today exactly when today is a business day
    and d lies from the Nth business day before today up to (not including) the (N-1)th, which
    is the run of days, weekends and holidays among them, that follows one business day.
    """
    if rule.unit is not DayCountUnit.BUSINESS or rule.offset <= 0:
        first = today - timedelta(days=rule.offset)
        return [_Window(first, first + timedelta(days=1), None)]
    by_range: dict[tuple[date, date], list[str]] = defaultdict(list)
    for code, calendar in sorted(calendars.items()):
        if not calendar.is_business_day(today):
            continue
        first = calendar.add_business_days(today, -rule.offset)
        end = calendar.add_business_days(today, -(rule.offset - 1))
        by_range[(first, end)].append(code)
    return [_Window(first, end, tuple(codes)) for (first, end), codes in sorted(by_range.items())]


def _awaiting(activity_type: ActivityType, window: _Window):
    """Transmitted activities of the type, sent in the window, with a due date and no transmitted
    reply: a range of the (type, transmitted_at) index, then one reply lookup each."""
    reply = aliased(Activity)
    answered = exists().where(
        reply.reply_to_id == Activity.id, reply.status == ActivityStatus.TRANSMITTED
    )
    query = (
        select(
            Activity.id,
            Activity.activity_number,
            Activity.type,
            Activity.to_state,
            Activity.transmitted_at,
            Activity.due_date,
            Activity.deadline_rule_id,
            CompactCase.id.label("case_id"),
            CompactCase.case_number,
            CompactCase.sending_state,
            CompactCase.receiving_state,
            CompactCase.sending_assigned_user_id,
            CompactCase.receiving_assigned_user_id,
            Offender.id.label("offender_id"),
            Offender.offender_number,
            Offender.first_name,
            Offender.last_name,
        )
        .join(CompactCase, CompactCase.id == Activity.case_id)
        .join(Offender, Offender.id == CompactCase.offender_id)
        .where(
            Activity.type == activity_type,
            Activity.status == ActivityStatus.TRANSMITTED,
            Activity.transmitted_at >= _local_midnight(window.first),
            Activity.transmitted_at < _local_midnight(window.end),
            Activity.due_date.is_not(None),
            ~answered,
        )
        .order_by(Activity.id)
    )
    if window.states is not None:
        query = query.where(Activity.to_state.in_(window.states))
    return query


class _Recipients:
    """Who is reminded: the replying state's assigned user on the case, else its compact office."""

    def __init__(self, session: Session):
        self.session = session
        self._compact_office: dict[str, list[int]] = {}
        self._active: dict[int, bool] = {}

    def load_users(self, user_ids: Iterable[int]) -> None:
        wanted = {user_id for user_id in user_ids if user_id not in self._active}
        if wanted:
            rows = self.session.execute(select(User.id, User.active).where(User.id.in_(wanted)))
            self._active.update({row.id: row.active for row in rows})

    def compact_office(self, code: str) -> list[int]:
        found = self._compact_office.get(code)
        if found is None:
            found = list(
                self.session.scalars(
                    select(User.id)
                    .join(UserRole, UserRole.user_id == User.id)
                    .where(
                        User.jurisdiction_code == code,
                        User.active.is_(True),
                        User.is_system.is_(False),
                        UserRole.role == Role.COMPACT_OFFICE,
                    )
                    .order_by(User.id)
                )
            )
            self._compact_office[code] = found
        return found

    def of(self, row: Row) -> list[int]:
        assigned = _assigned(row)
        # A disabled account reads no mail: its state's compact office takes the reminder.
        if assigned is not None and self._active.get(assigned):
            return [assigned]
        return self.compact_office(row.to_state)


def _assigned(row: Row) -> int | None:
    if row.to_state == row.sending_state:
        return row.sending_assigned_user_id
    if row.to_state == row.receiving_state:
        return row.receiving_assigned_user_id
    return None


def _state_name(code: str) -> str:
    info = BY_CODE.get(code)
    return info.name if info else code


def _awaited_name(activity_type: ActivityType) -> str:
    known = _AWAITED.get(activity_type)
    if known:
        return known[0]
    return f"Reply to {ACTIVITY_TYPE_LABELS[activity_type].lower()}"


class _Rules:
    """The deadline rule each activity's due date came from, for the e-mail to name."""

    def __init__(self, session: Session):
        self.session = session
        self._by_id: dict[int, DeadlineRule | None] = {}

    def describe(self, row: Row, sent_on: date) -> str:
        rule: DeadlineRule | None = None
        if row.deadline_rule_id is not None:
            if row.deadline_rule_id not in self._by_id:
                self._by_id[row.deadline_rule_id] = self.session.get(
                    DeadlineRule, row.deadline_rule_id
                )
            rule = self._by_id[row.deadline_rule_id]
        elif row.type in _AWAITED:
            rule = rule_in_force(self.session, _AWAITED[row.type][1], sent_on)
        if rule is None:
            return "not recorded"
        return Due(
            due_date=row.due_date,
            rule_id=rule.id,
            rule_key=rule.rule_key,
            rule_number=rule.rule_number,
            days=rule.days,
            unit=rule.unit,
        ).describe()


def _late_label(due: date, queued_on: date) -> str:
    """What a reminder queued after its day says of the due date, as of the day it goes out."""
    if due < queued_on:
        return f"overdue (it was due on {due:%m/%d/%Y})"
    if due == queued_on:
        return "due today"
    return f"due on {due:%m/%d/%Y}"


def _message(row: Row, label: str, rule_text: str, sent_on: date) -> tuple[str, str]:
    item = _awaited_name(row.type)
    name = f"{row.first_name} {row.last_name}"
    sending, receiving = _state_name(row.sending_state), _state_name(row.receiving_state)
    subject = f"A {item} for {sending} offender {name} ({row.offender_number}) is {label}."
    due = f"{row.due_date:%m/%d/%Y}"
    body = "\n".join(
        [
            f"This is a reminder that the {item} to activity {row.activity_number} is due on "
            f"{due}. Please sign in to Compact Office and complete it.",
            "",
            f"Offender name: {name}",
            f"Offender number: {row.offender_number}",
            f"Case number: {row.case_number}",
            f"Sending state: {sending}",
            f"Receiving state: {receiving}",
            f"Transmitted: {sent_on:%m/%d/%Y}",
            f"Due date: {due}",
            f"Rule: {rule_text}",
        ]
    )
    return subject, body


def queue_due_reminders(session: Session, today: date, *, queued_on: date | None = None) -> int:
    """Queues the reminders of the day `today`, one per recipient; returns how many were new.

    Run it once a day or more often: a reminder already queued (same activity, offset, unit and
    recipient) is not queued again. Each query is one type's transmissions of a day or a few (a
    weekend), so the work follows the day's traffic, not the size of the activity table.
    `queued_on`: the day it actually runs, when that is later (a missed day caught up); such a
    reminder says where the due date stands on that day rather than the rule's words.
    """
    return _queue_days(session, [today], queued_on or today)


def _queue_days(session: Session, days: list[date], queued_on: date) -> int:
    """The reminders of each day given, the rules, calendars and recipients read once for all."""
    rules = session.scalars(select(ReminderRule).order_by(ReminderRule.id)).all()
    if not rules or not days:
        return 0
    calendars = calendars_for(session, list(BY_CODE))
    recipients, deadline_rules = _Recipients(session), _Rules(session)
    queued = 0
    for day in days:
        late = queued_on > day
        for rule in rules:
            unit = "bd" if rule.unit is DayCountUnit.BUSINESS else "cd"
            for window in _windows(rule, day, calendars):
                rows = session.execute(_awaiting(rule.activity_type, window)).all()
                recipients.load_users(user for row in rows if (user := _assigned(row)) is not None)
                for row in rows:
                    sent_on = row.transmitted_at.astimezone().date()
                    label = _late_label(row.due_date, queued_on) if late else rule.label
                    subject, body = _message(
                        row, label, deadline_rules.describe(row, sent_on), sent_on
                    )
                    for user_id in recipients.of(row):
                        added = enqueue(
                            session,
                            kind=REMINDER_KIND,
                            dedup_key=f"reminder:{row.id}:{rule.offset}{unit}:u{user_id}",
                            subject=subject,
                            body=body,
                            recipient_user_id=user_id,
                            offender_id=row.offender_id,
                            case_id=row.case_id,
                            activity_id=row.id,
                        )
                        if added is not None:
                            queued += 1
    return queued


def queue_reminders_since_last_run(session: Session, today: date) -> int:
    """Today's reminders and those of the days since the last run that queued any (at most
    CATCH_UP_DAYS back; on the first run ever, today's alone); returns how many were new.

    Safe to run from several processes at once: the dedup keys stop a second message, and the
    day reached only moves forward.
    """
    last = queued_through(session)
    first = today - timedelta(days=CATCH_UP_DAYS - 1)
    if last is None or last >= today:
        first = today
    elif last + timedelta(days=1) > first:
        first = last + timedelta(days=1)
    days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
    queued = _queue_days(session, days, today)
    _mark_queued_through(session, today)
    return queued


def queued_through(session: Session) -> date | None:
    """The last day whose reminders were queued, if any ever were."""
    value = session.scalar(select(Setting.value).where(Setting.key == QUEUED_THROUGH_KEY))
    return date.fromisoformat(value) if value else None


def _mark_queued_through(session: Session, today: date) -> None:
    # Bookkeeping, like a warrant record's last_reminder_at: a plain statement that neither bumps
    # a version (two processes may both get here) nor fills the audit log with a row a day; the
    # messages queued are what the log holds. ISO dates compare as text.
    table = Setting.__table__
    value = today.isoformat()
    moved = session.execute(
        update(table)
        .where(table.c.key == QUEUED_THROUGH_KEY, table.c.value < value)
        .values(value=value)
    )
    if moved.rowcount or queued_through(session) is not None:
        return
    try:
        with session.begin_nested():
            session.execute(insert(table).values(key=QUEUED_THROUGH_KEY, value=value, version=1))
    except IntegrityError:
        pass  # another process recorded it meanwhile


def queue_scheduled_messages(session: Session, today: date) -> int:
    """Everything queued by the calendar rather than by a user's action: the reminders of replies
    awaited (missed days caught up) and the weekly reminders of incomplete warrant records.
    Run by `compact-office notify send` and once a day by the application's background sender."""
    return queue_reminders_since_last_run(session, today) + queue_incomplete_warrant_reminders(
        session, today
    )


class DailyScheduledMessages:
    """queue_scheduled_messages, as the local system account, the first time it runs on each
    local day: the application's background sender calls it every minute, and a day's reminders
    go out even where no scheduler runs `notify send` (the dedup keys make a second office's
    application, or the scheduler as well, harmless)."""

    def __init__(self, database):
        self.database = database
        self.done_on: date | None = None

    def run(self, today: date | None = None) -> int:
        from app.services.users import system_actor

        today = today or clock.today()
        if self.done_on == today:
            return 0
        with self.database.read() as session:
            actor = system_actor(session)
        with self.database.unit_of_work(actor) as session:
            queued = queue_scheduled_messages(session, today)
        self.done_on = today
        return queued
