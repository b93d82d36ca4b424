"""'Warrant Status Update information is NEEDED' e-mails (seed 002): triggers, recipients, text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from app.core import clock
from app.core.vocabulary import (
    ACTIVE_CASE_STATUSES,
    ACTIVITY_TYPE_LABELS,
    SUPERVISION_TYPE_LABELS,
    WARRANT_DISCLAIMER,
    ActivityOutcome,
    ActivityStatus,
    ActivityType,
    Role,
    WarrantStatus,
)
from app.forms.activities import VIOLATION_ACTIONS
from app.forms.validators import age_on
from app.models import (
    Activity,
    CompactCase,
    Jurisdiction,
    Offender,
    User,
    UserRole,
    WarrantStatusRecord,
)
from app.services.notifications import enqueue, enqueue_for_users
from app.services.workload import SPECIAL_STATUS_LABELS, SpecialStatus

__all__ = [
    "KIND",
    "PROFILE_URL_SCHEME",
    "REMINDER_INTERVAL_DAYS",
    "SUBJECT",
    "activity_trigger_reason",
    "offender_number_from_url",
    "on_activity_transmitted",
    "profile_url",
    "queue_incomplete_warrant_reminders",
]

KIND = "warrant_update_needed"
SUBJECT = (
    "Warrant Status Update information is NEEDED for {state} offender {name} ({offender_number})"
)
PROFILE_URL_SCHEME = "compact-office"
# DECISIONS 'Warrant status': an incomplete Active record is recalled at most once a week.
REMINDER_INTERVAL_DAYS = 7
# Records reminded per call: each costs a few outbox rows (5 to 10 ms a record at a million
# profiles), so a backlog goes out over several runs of `notify send` instead of holding the
# write lock for many seconds in one transaction.
REMINDER_BATCH = 200

_table = WarrantStatusRecord.__table__
_WARRANT_ACTION = dict(VIOLATION_ACTIONS)["warrant_issued"]
_ACTIVITY_TRIGGERS = frozenset(
    {
        ActivityType.NOTICE_OF_FAILURE_TO_ARRIVE,
        ActivityType.VIOLATION_RESPONSE,
        # The sending state's amended response may be the one that asks for the warrant.
        ActivityType.VIOLATION_ADDENDUM,
        ActivityType.DISCRETIONARY_RETAKE,
    }
)


# --- The link that opens a profile ----------------------------------------------------------------
def profile_url(offender_number: str) -> str:
    """`compact-office://offender/{number}`, which the installed application opens on the profile."""
    return f"{PROFILE_URL_SCHEME}://offender/{quote(offender_number, safe='')}"


def offender_number_from_url(url: str) -> str | None:
    """The offender number a profile link names, or None when the text is no such link."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != PROFILE_URL_SCHEME or parts.netloc.lower() != "offender":
        return None
    quoted = parts.path.removeprefix("/")
    if not quoted or "/" in quoted:
        return None
    return unquote(quoted)


# --- What the message says ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Facts:
    """The seed's data fields of one profile, on the case whose sending state is asked."""

    offender_id: int
    offender_number: str
    name: str
    date_of_birth: date | None
    special_statuses: tuple[str, ...]
    case_id: int | None
    case_number: str | None
    sending_state: str
    receiving_state: str | None
    supervision_type: str | None
    sending_officer_id: int | None


# What _facts reads of a profile and of a case, for the batches that read rows instead of entities.
_OFFENDER_COLUMNS = (
    Offender.id,
    Offender.offender_number,
    Offender.first_name,
    Offender.last_name,
    Offender.date_of_birth,
    Offender.sex_offender,
    Offender.victim_sensitive,
    Offender.history_of_assault,
    Offender.created_by_state,
)
_CASE_COLUMNS = (
    CompactCase.id,
    CompactCase.offender_id,
    CompactCase.case_number,
    CompactCase.sending_state,
    CompactCase.receiving_state,
    CompactCase.supervision_type,
    CompactCase.status,
    CompactCase.created_at,
    CompactCase.sending_assigned_user_id,
)


def _facts(offender: Any, case: Any | None, active_warrant: bool) -> _Facts:
    """From an Offender and a CompactCase, or from rows of _OFFENDER_COLUMNS and _CASE_COLUMNS."""
    flags = {
        SpecialStatus.SEX_OFFENDER: offender.sex_offender,
        SpecialStatus.VICTIM_SENSITIVE: offender.victim_sensitive,
        SpecialStatus.HISTORY_OF_ASSAULT: offender.history_of_assault,
        SpecialStatus.ACTIVE_WARRANT: active_warrant,
    }
    return _Facts(
        offender_id=offender.id,
        offender_number=offender.offender_number,
        name=f"{offender.first_name} {offender.last_name}",
        date_of_birth=offender.date_of_birth,
        special_statuses=tuple(SPECIAL_STATUS_LABELS[s] for s, on in flags.items() if on),
        case_id=case.id if case else None,
        case_number=case.case_number if case else None,
        # A profile without a case is asked of the state that created it.
        sending_state=case.sending_state if case else offender.created_by_state,
        receiving_state=case.receiving_state if case else None,
        supervision_type=SUPERVISION_TYPE_LABELS[case.supervision_type] if case else None,
        sending_officer_id=case.sending_assigned_user_id if case else None,
    )


def _message(facts: _Facts, reason: str, today: date) -> tuple[str, str]:
    subject = SUBJECT.format(
        state=facts.sending_state, name=facts.name, offender_number=facts.offender_number
    )
    age = str(age_on(facts.date_of_birth, today)) if facts.date_of_birth else "(no date of birth)"
    lines = [
        f"This email is a notification that Warrant Status update information is NEEDED for "
        f"{facts.sending_state} offender {facts.name} ({facts.offender_number}), based on "
        f"{reason}.",
        "",
        WARRANT_DISCLAIMER,
        "",
        f"Offender Name: {facts.name}",
        f"Age: {age}",
        f"Offender #: {facts.offender_number}",
        f"Case #: {facts.case_number or '(no case)'}",
        "",
        f"Sending State: {facts.sending_state}",
        f"Receiving State: {facts.receiving_state or '(no case)'}",
        f"Supervision Type: {facts.supervision_type or '(no case)'}",
        f"Special Status: {'; '.join(facts.special_statuses) or 'None'}",
        f"Offender Profile: {profile_url(facts.offender_number)}",
    ]
    return subject, "\n".join(lines)


def _day(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%m/%d/%Y") if moment else "(not transmitted)"


def activity_trigger_reason(activity: Activity) -> str | None:
    """Why a transmitted activity asks for warrant status information, in words; None if it does not.

    Seed 002: a notice of failure to arrive, the sending state's 'warrant issued / requested'
    response to a violation report (mandatory retaking), and a Discretionary Retake.
    """
    if activity.status is not ActivityStatus.TRANSMITTED or activity.type not in _ACTIVITY_TRIGGERS:
        return None
    label = ACTIVITY_TYPE_LABELS[activity.type].lower()
    sent = (
        f"the {label} {activity.activity_number} that {activity.from_state} transmitted on "
        f"{_day(activity.transmitted_at)}"
    )
    if activity.type in (ActivityType.VIOLATION_RESPONSE, ActivityType.VIOLATION_ADDENDUM):
        if activity.outcome is not ActivityOutcome.WARRANT_ISSUED:
            return None
        return f"{sent} with the action '{_WARRANT_ACTION}'"
    return sent


def _missing(issuing_authority: str | None, ncic_entry_date: date | None) -> list[str]:
    # The rule of app.services.profile_view.warrant_incomplete, on the columns read here.
    missing = []
    if not (issuing_authority or "").strip():
        missing.append("issuing authority")
    if ncic_entry_date is None:
        missing.append("NCIC entry date")
    return missing


def _record_reason(warrant_status_id: str, issued: date, missing: Sequence[str]) -> str:
    blank = " and ".join(missing)
    verb = "are" if len(missing) > 1 else "is"
    return (
        f"the Active warrant status record {warrant_status_id} (issued {issued:%m/%d/%Y}), which "
        f"is incomplete: its {blank} {verb} blank"
    )


# --- Who is told ----------------------------------------------------------------------------------
class _Offices:
    """Per state, read once per call: the compact office's e-mail address and its users."""

    def __init__(self, session: Session):
        self.session = session
        self._email: dict[str, str | None] = {}
        self._users: dict[str, list[int]] = {}

    def email(self, state: str) -> str | None:
        if state not in self._email:
            address = self.session.scalar(
                select(Jurisdiction.office_email).where(Jurisdiction.code == state)
            )
            self._email[state] = (address or "").strip() or None
        return self._email[state]

    def users(self, state: str) -> list[int]:
        if state not in self._users:
            self._users[state] = list(
                self.session.scalars(
                    select(User.id)
                    .join(UserRole, UserRole.user_id == User.id)
                    .where(
                        User.jurisdiction_code == state,
                        User.active.is_(True),
                        UserRole.role == Role.COMPACT_OFFICE,
                    )
                    .order_by(User.id)
                )
            )
        return self._users[state]


def _queue(
    session: Session,
    offices: _Offices,
    facts: _Facts,
    reason: str,
    dedup_base: str,
    today: date,
    activity_id: int | None = None,
) -> int:
    """DECISIONS 'Warrant status': the sending state's assigned officer, their supervisor and the
    compact office; each recipient once per trigger (dedup `{base}:u{user}` and `{base}:office`)."""
    subject, body = _message(facts, reason, today)
    links = {"offender_id": facts.offender_id, "case_id": facts.case_id, "activity_id": activity_id}
    mailed: list[int] = []
    if facts.sending_officer_id is not None:
        mailed.append(facts.sending_officer_id)
        supervisor = session.scalar(
            select(User.reports_to_id).where(User.id == facts.sending_officer_id)
        )
        if supervisor is not None:
            mailed.append(supervisor)
    common = {"kind": KIND, "dedup_base": dedup_base, "subject": subject, "body": body}
    added = len(enqueue_for_users(session, mailed, **common, **links))
    office_email = offices.email(facts.sending_state)
    office_users = [u for u in offices.users(facts.sending_state) if u not in mailed]
    # With an office mailbox the office reads the e-mail there; its users' copies would repeat it,
    # so they get the inbox row only. Without one, each of them gets the e-mail.
    added += len(
        enqueue_for_users(
            session, office_users, **common, inbox_only=office_email is not None, **links
        )
    )
    if office_email is not None:
        row = enqueue(
            session,
            kind=KIND,
            dedup_key=f"{dedup_base}:office",
            subject=subject,
            body=body,
            recipient_email=office_email,
            **links,
        )
        added += row is not None
    return added


# --- The triggers ---------------------------------------------------------------------------------
def _has_active_warrant(session: Session, offender_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    WarrantStatusRecord.offender_id == offender_id,
                    WarrantStatusRecord.status == WarrantStatus.ACTIVE,
                )
            )
        )
    )


def on_activity_transmitted(session: Session, activity: Activity) -> int:
    """Queues the e-mails a transmitted trigger activity calls for; the number of messages added
    (0 for any other activity, and when this activity already queued them)."""
    reason = activity_trigger_reason(activity)
    if reason is None:
        return 0
    case = activity.case
    offender = session.get(Offender, case.offender_id)
    facts = _facts(offender, case, _has_active_warrant(session, offender.id))
    return _queue(
        session,
        _Offices(session),
        facts,
        reason,
        f"warrant_needed:activity:{activity.id}",
        clock.today(),
        activity_id=activity.id,
    )


def _local_midnight(day: date) -> datetime:
    # The office's local day, as screens show it, in the UTC the column stores.
    return datetime.combine(day, time()).astimezone(UTC)


def _case_of_profile(cases: Iterable[Any]) -> Any | None:
    """The case a profile's reminder names: its newest active case, else its newest case (an
    absconder's case may be closed while the warrant is still out)."""
    return max(
        cases,
        key=lambda c: (c.status in ACTIVE_CASE_STATUSES, c.created_at, c.id),
        default=None,
    )


def queue_incomplete_warrant_reminders(
    session: Session, today: date, *, limit: int = REMINDER_BATCH
) -> int:
    """Reminds of each Active record whose issuing authority or NCIC entry date is blank, at most
    once every REMINDER_INTERVAL_DAYS days; returns the number of messages queued.

    `today` is the office's local date. At most `limit` records are taken per call (the oldest
    first); the next call takes the rest. `last_reminder_at` is bookkeeping: it is set with a
    plain UPDATE that neither bumps the record's version nor touches its updated time, so an
    edit open on a screen is not refused because a reminder went out, and the audit log holds
    the queued messages rather than a change per record.
    """
    now = clock.now()
    cutoff = _local_midnight(today - timedelta(days=REMINDER_INTERVAL_DAYS - 1))
    due = session.execute(
        select(
            _table.c.id,
            _table.c.warrant_status_id,
            _table.c.offender_id,
            _table.c.issued_date,
            _table.c.issuing_authority,
            _table.c.ncic_entry_date,
        )
        .where(
            _table.c.status == WarrantStatus.ACTIVE,
            or_(_table.c.ncic_entry_date.is_(None), func.trim(_table.c.issuing_authority) == ""),
            or_(_table.c.last_reminder_at.is_(None), _table.c.last_reminder_at < cutoff),
        )
        .order_by(_table.c.id)
        .limit(max(1, limit))
    ).all()
    if not due:
        return 0
    offender_ids = sorted({row.offender_id for row in due})
    # Only the columns a message shows: rows, not entities, so a batch fills no identity map.
    offenders = {
        o.id: o
        for o in session.execute(select(*_OFFENDER_COLUMNS).where(Offender.id.in_(offender_ids)))
    }
    cases: dict[int, list[Any]] = {}
    for case in session.execute(
        select(*_CASE_COLUMNS).where(CompactCase.offender_id.in_(offender_ids))
    ):
        cases.setdefault(case.offender_id, []).append(case)
    offices = _Offices(session)
    queued = 0
    for row in due:
        offender = offenders.get(row.offender_id)
        if offender is None:
            continue
        facts = _facts(offender, _case_of_profile(cases.get(offender.id, ())), True)
        reason = _record_reason(
            row.warrant_status_id,
            row.issued_date,
            _missing(row.issuing_authority, row.ncic_entry_date),
        )
        # The day is in the key: two senders running on the same day queue one reminder.
        base = f"warrant_incomplete:{row.id}:{today.isoformat()}"
        queued += _queue(session, offices, facts, reason, base, today)
    session.execute(
        update(_table)
        .where(_table.c.id.in_([row.id for row in due]))
        # updated_ts named as itself: its onupdate would otherwise mark the record as edited.
        .values(last_reminder_at=now, updated_ts=_table.c.updated_ts)
    )
    return queued
