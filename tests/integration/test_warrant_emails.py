"""'Warrant Status Update information is NEEDED' e-mails through a real SMTP server on loopback: each
of the four triggers, the seed's subject and fields, the recipients, once per trigger, weekly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.cli import EXIT_OK, main
from app.core import clock
from app.core.vocabulary import (
    WARRANT_DISCLAIMER,
    ActivityType,
    AuditAction,
    CaseStatus,
    Role,
    WarrantStatus,
)
from app.db import Database
from app.models import Activity, AuditEntry, Jurisdiction, Notification, WarrantStatusRecord
from app.services import activities, mailer, notifications, users
from app.services import warrant_notifications as warrants
from app.services.users import actor_from_user
from app.services.workload import SPECIAL_STATUS_LABELS, SpecialStatus
from tests.conftest import fresh_database_url
from tests.factories import make_case, make_offender, make_user
from tests.integration.test_smtp_delivery import FROM, SmtpServer, configure

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
OFFICE_MAILBOX = "compact.office@tx.example.gov"
OFFICER_MAIL = "po@tx.example.gov"
SUPERVISOR_MAIL = "sup@tx.example.gov"
RETAKE = {
    "retake_reason": "non_compliance",
    "reason_text": "Failed to report for three months.",
    "pending_felony_or_violent_charges": "no",
    "warrant_issued_date": "11/02/2026",
    "issuing_authority": "Judge Ann Smith, 147th District Court",
}


def pin_clock(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)
    monkeypatch.setattr(clock, "today", lambda: moment.date())


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def office(db, system, monkeypatch, smtp):
    """Texas sends, Virginia receives. Texas: an officer reporting to a supervisor, a compact office
    user and the office's own mailbox; a profile per trigger, each on a case the officer holds."""
    pin_clock(monkeypatch, NOW)
    configure(db, system, smtp.port)
    with db.unit_of_work(system) as session:
        supervisor = make_user(session, "tx.sup", "TX", (Role.SUPERVISOR,))
        supervisor.email = SUPERVISOR_MAIL
        officer = make_user(session, "tx.po", "TX", (Role.OFFICER,))
        officer.email = OFFICER_MAIL
        officer.reports_to_id = supervisor.id
        tx_office = make_user(session, "tx.co", "TX", (Role.COMPACT_OFFICE,))
        tx_office.email = "co.user@tx.example.gov"
        va_officer = make_user(session, "va.po", "VA", (Role.OFFICER,))
        va_officer.email = "po@va.example.gov"
        va_office = make_user(session, "va.co", "VA", (Role.COMPACT_OFFICE,))
        va_office.email = "co@va.example.gov"
        session.get(Jurisdiction, "TX").office_email = OFFICE_MAILBOX
        session.get(Jurisdiction, "VA").office_email = "compact.office@va.example.gov"
        cases = {}
        for key, first, last in (
            ("nofa", "José", "Núñez"),
            ("violation", "Ann", "Baker"),
            ("retake", "Carl", "Diaz"),
            ("record", "Dana", "Evans"),
        ):
            offender = make_offender(
                session,
                first_name=first,
                last_name=last,
                date_of_birth=date(1980, 12, 15),
                sex_offender=key == "nofa",
            )
            case = make_case(
                session,
                offender,
                status=CaseStatus.ACCEPTED,
                sending_assigned_user_id=officer.id,
                receiving_assigned_user_id=va_officer.id,
            )
            cases[key] = (offender.id, offender.offender_number, case.id, case.case_number)
        session.flush()
        actors = {
            u.username: actor_from_user(u)
            for u in (supervisor, officer, tx_office, va_officer, va_office)
        }
        return {"cases": cases, **actors}


def _send(db, actor, activity_type, case_id, content) -> int:
    with db.unit_of_work(actor) as session:
        activity = activities.create_draft(session, actor, case_id, activity_type, content)
        activity_id = activity.id
    with db.unit_of_work(actor) as session:
        version = session.get(Activity, activity_id).version
        activities.submit(session, actor, activity_id, version)
    return activity_id


def _transmit(db, actor, activity_id) -> None:
    with db.unit_of_work(actor) as session:
        version = session.get(Activity, activity_id).version
        activities.transmit(session, actor, activity_id, version)


def _warrant_messages(smtp, name: str):
    """(envelope recipients, message) of every received warrant e-mail about this offender."""
    return [
        (envelope.rcpt_tos, message)
        for envelope, message in zip(smtp.handler.envelopes, smtp.handler.messages(), strict=True)
        if message["Subject"].startswith("Warrant Status Update information is NEEDED")
        and name in message["Subject"]
    ]


def _check_message(message, number: str, case_number: str, name: str, reason: str) -> str:
    assert message["Subject"] == (
        f"Warrant Status Update information is NEEDED for TX offender {name} ({number})"
    )
    assert message["From"] == FROM
    body = message.get_content()
    assert body.startswith(
        "This email is a notification that Warrant Status update information is NEEDED for "
        f"TX offender {name} ({number}), based on "
    )
    assert reason in body.split("\n", 1)[0]
    assert WARRANT_DISCLAIMER in body
    for line in (
        f"Offender Name: {name}",
        "Age: 45",  # born 12/15/1980; 11/30/2026 is before the birthday
        f"Offender #: {number}",
        f"Case #: {case_number}",
        "Sending State: TX",
        "Receiving State: VA",
        "Supervision Type: Parole",
        f"Offender Profile: compact-office://offender/{number}",
    ):
        assert line in body.splitlines(), line
    return body


def _recipients(received) -> list[str]:
    return sorted(address for rcpt_tos, _ in received for address in rcpt_tos)


WARRANT_LABEL = SPECIAL_STATUS_LABELS[SpecialStatus.ACTIVE_WARRANT]
MAILED = sorted([OFFICER_MAIL, SUPERVISOR_MAIL, OFFICE_MAILBOX])


def _second_firing_sends_nothing(db, activity_id: int, smtp) -> None:
    before = len(smtp.handler.envelopes)
    with db.unit_of_work(users_system(db)) as session:
        assert warrants.on_activity_transmitted(session, session.get(Activity, activity_id)) == 0
    assert mailer.send_pending(db).sent == 0
    assert len(smtp.handler.envelopes) == before


def users_system(db):
    with db.read() as session:
        return users.system_actor(session)


def test_a_notice_of_failure_to_arrive_asks_the_sending_state(db, office, smtp):
    offender_id, number, case_id, case_number = office["cases"]["nofa"]
    notice = {"expected_report_date": "11/20/2026", "efforts_to_locate": "Called the sponsor."}
    activity_id = _send(
        db, office["va.po"], ActivityType.NOTICE_OF_FAILURE_TO_ARRIVE, case_id, notice
    )
    mailer.send_pending(db)

    received = _warrant_messages(smtp, "José Núñez")
    assert _recipients(received) == MAILED
    with db.read() as session:
        activity_number = session.get(Activity, activity_id).activity_number
    for _, message in received:
        body = _check_message(
            message,
            number,
            case_number,
            "José Núñez",
            f"the notice of failure to arrive {activity_number} that VA transmitted on 11/30/2026",
        )
        assert "Special Status: Sex offender" in body.splitlines()
    # The compact office's users read it in their inbox; the office reads the mailbox.
    with db.read() as session:
        inbox = notifications.inbox(session, office["tx.co"])
        assert [item.subject for item in inbox if item.kind == warrants.KIND] == [
            received[0][1]["Subject"]
        ]
        assert inbox[0].activity_id == activity_id and inbox[0].offender_id == offender_id
        assert notifications.inbox(session, office["tx.po"])[0].kind == warrants.KIND
        # Virginia, which sent the notice, is not asked for Texas's warrant.
        assert not [
            i for i in notifications.inbox(session, office["va.co"]) if i.kind == warrants.KIND
        ]
    _second_firing_sends_nothing(db, activity_id, smtp)


def test_a_violation_response_of_warrant_issued_asks_and_another_action_does_not(db, office, smtp):
    _, number, case_id, case_number = office["cases"]["violation"]
    va_po, va_co, tx_co = office["va.po"], office["va.co"], office["tx.co"]
    _send(db, va_po, ActivityType.NOTICE_OF_ARRIVAL, case_id, {"arrival_date": "11/02/2026"})
    violation = {
        "discovery_date": "11/20/2026",
        "behavior": "Absconded from the approved residence.",
        "responses_used": "Office visit, curfew.",
        "retaking_requested": "yes",
        "available_for_retaking": "yes",
    }
    report_id = _send(db, va_po, ActivityType.VIOLATION_REPORT, case_id, violation)
    _transmit(db, va_co, report_id)
    response = {"action": "warrant_issued", "action_start_date": "11/30/2026"}
    response_id = _send(db, tx_co, ActivityType.VIOLATION_RESPONSE, case_id, response)
    mailer.send_pending(db)

    received = _warrant_messages(smtp, "Ann Baker")
    assert _recipients(received) == MAILED
    with db.read() as session:
        response_number = session.get(Activity, response_id).activity_number
    for _, message in received:
        _check_message(
            message,
            number,
            case_number,
            "Ann Baker",
            f"the violation report response {response_number} that TX transmitted on 11/30/2026 "
            "with the action 'Warrant issued / requested'",
        )
    _second_firing_sends_nothing(db, response_id, smtp)

    # An addendum that orders a return instead is no trigger.
    addendum = {"action": "return_ordered", "comments": "Return ordered instead."}
    addendum_id = _send(db, tx_co, ActivityType.VIOLATION_ADDENDUM, case_id, addendum)
    with db.read() as session:
        assert warrants.activity_trigger_reason(session.get(Activity, addendum_id)) is None
        assert not session.scalars(
            select(Notification).where(
                Notification.activity_id == addendum_id, Notification.kind == warrants.KIND
            )
        ).all()


def test_a_transmitted_discretionary_retake_asks_once_through_the_chain(db, office, smtp):
    _, number, case_id, case_number = office["cases"]["retake"]
    officer, supervisor, tx_co = office["tx.po"], office["tx.sup"], office["tx.co"]
    retake_id = _send(db, officer, ActivityType.DISCRETIONARY_RETAKE, case_id, RETAKE)
    with db.unit_of_work(supervisor) as session:
        version = session.get(Activity, retake_id).version
        activities.approve(session, supervisor, retake_id, version)
    mailer.send_pending(db)
    assert _warrant_messages(smtp, "Carl Diaz") == []  # not before it is transmitted
    _transmit(db, tx_co, retake_id)
    mailer.send_pending(db)

    received = _warrant_messages(smtp, "Carl Diaz")
    assert _recipients(received) == MAILED
    with db.read() as session:
        retake_number = session.get(Activity, retake_id).activity_number
    for _, message in received:
        body = _check_message(
            message,
            number,
            case_number,
            "Carl Diaz",
            f"the discretionary retake {retake_number} that TX transmitted on 11/30/2026",
        )
        assert "Special Status: None" in body.splitlines()
    _second_firing_sends_nothing(db, retake_id, smtp)


def _add_record(db, system, offender_id: int, **values) -> int:
    defaults = dict(
        warrant_status_id=f"WS-T{offender_id}",
        offender_id=offender_id,
        status=WarrantStatus.ACTIVE,
        issued_date=date(2026, 11, 2),
        issuing_authority="Travis County District Court",
        created_by="tx.po",
        updated_by="tx.po",
    )
    defaults.update(values)
    with db.unit_of_work(system) as session:
        record = WarrantStatusRecord(**defaults)
        session.add(record)
        session.flush()
        return record.id


def _remind(db, system) -> int:
    with db.unit_of_work(system) as session:
        return warrants.queue_incomplete_warrant_reminders(session, clock.today())


def test_an_incomplete_active_record_is_recalled_weekly(db, system, office, smtp, monkeypatch):
    offender_id, number, _, case_number = office["cases"]["record"]
    record_id = _add_record(db, system, offender_id)
    # Complete, executed or withdrawn records are never recalled.
    complete = _add_record(db, system, offender_id, warrant_status_id="WS-DONE",
                           ncic_entry_date=date(2026, 11, 3))  # fmt: skip
    _add_record(db, system, offender_id, warrant_status_id="WS-OLD", status=WarrantStatus.EXECUTED,
                served_date=date(2026, 6, 1))  # fmt: skip
    with db.read() as session:
        version_before = session.get(WarrantStatusRecord, record_id).version
        updated_before = session.get(WarrantStatusRecord, record_id).updated_ts
        audit_before = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))

    assert _remind(db, system) == 4  # officer, supervisor, office mailbox, office user's inbox
    assert mailer.send_pending(db).sent == 3
    received = _warrant_messages(smtp, "Dana Evans")
    assert _recipients(received) == MAILED
    for _, message in received:
        body = _check_message(
            message,
            number,
            case_number,
            "Dana Evans",
            f"the Active warrant status record WS-T{offender_id} (issued 11/02/2026), which is "
            "incomplete: its NCIC entry date is blank",
        )
        assert f"Special Status: {WARRANT_LABEL}" in body.splitlines()

    with db.read() as session:
        record = session.get(WarrantStatusRecord, record_id)
        assert record.last_reminder_at == NOW
        # Bookkeeping only: no new version, no edit time, no audit row about the record.
        assert record.version == version_before and record.updated_ts == updated_before
        assert session.get(WarrantStatusRecord, complete).last_reminder_at is None
        entities = set(
            session.scalars(select(AuditEntry.entity).where(AuditEntry.id > audit_before))
        )
        assert entities <= {"notification", "setting"}

    assert _remind(db, system) == 0  # the same day: nothing new
    pin_clock(monkeypatch, NOW + timedelta(days=3))
    assert _remind(db, system) == 0
    assert mailer.send_pending(db).sent == 0
    assert len(_warrant_messages(smtp, "Dana Evans")) == 3

    pin_clock(monkeypatch, NOW + timedelta(days=7))
    assert _remind(db, system) == 4
    assert mailer.send_pending(db).sent == 3
    assert len(_warrant_messages(smtp, "Dana Evans")) == 6

    # Completed: no more reminders, however long it waits.
    with db.unit_of_work(system) as session:
        session.get(WarrantStatusRecord, record_id).ncic_entry_date = date(2026, 12, 8)
    pin_clock(monkeypatch, NOW + timedelta(days=30))
    assert _remind(db, system) == 0


def test_a_blank_issuing_authority_is_named_and_no_mailbox_mails_the_office_users(
    db, system, office, smtp
):
    offender_id, _, _, _ = office["cases"]["record"]
    with db.unit_of_work(system) as session:
        session.get(Jurisdiction, "TX").office_email = None
    _add_record(db, system, offender_id, issuing_authority="  ", ncic_entry_date=None)
    assert _remind(db, system) == 3
    mailer.send_pending(db)
    received = _warrant_messages(smtp, "Dana Evans")
    assert _recipients(received) == sorted(
        [OFFICER_MAIL, SUPERVISOR_MAIL, "co.user@tx.example.gov"]
    )
    first_line = received[0][1].get_content().splitlines()[0]
    assert "its issuing authority and NCIC entry date are blank" in first_line


def test_the_profile_link_names_the_offender_number():
    assert warrants.profile_url("TX 100/7") == "compact-office://offender/TX%20100%2F7"
    assert warrants.offender_number_from_url("compact-office://offender/TX%20100%2F7") == "TX 100/7"
    assert warrants.offender_number_from_url("https://offender/1") is None
    assert warrants.offender_number_from_url("compact-office://offender/") is None


def test_notify_send_queues_the_weekly_reminders_first(tmp_path, monkeypatch):
    server = SmtpServer().start()
    try:
        with fresh_database_url(tmp_path, "cli.sqlite3") as url:
            database = Database(url)
            database.migrate()
            try:
                with database.read() as session:
                    system = users.system_actor(session)
                configure(database, system, server.port)
                with database.unit_of_work(system) as session:
                    officer = make_user(session, "tx.po", "TX", (Role.OFFICER,))
                    officer.email = OFFICER_MAIL
                    offender = make_offender(session, first_name="Eve", last_name="Ford")
                    make_case(session, offender, sending_assigned_user_id=officer.id)
                    session.add(
                        WarrantStatusRecord(
                            warrant_status_id="WS-CLI", offender_id=offender.id,
                            issued_date=date(2026, 11, 2), issuing_authority="Travis County",
                            created_by="tx.po", updated_by="tx.po",
                        )
                    )  # fmt: skip
            finally:
                database.dispose()
            assert main(["notify", "send", "--database-url", url]) == EXIT_OK
            assert main(["notify", "send", "--database-url", url]) == EXIT_OK
    finally:
        server.stop()
    (message,) = server.handler.messages()
    assert message["To"] == OFFICER_MAIL
    assert message["Subject"].endswith(f"TX offender Eve Ford ({offender.offender_number})")
    assert "WS-CLI" in message.get_content()


def test_reminders_leave_no_audit_entry_of_an_update(db, system, office):
    offender_id = office["cases"]["record"][0]
    record_id = _add_record(db, system, offender_id)
    _remind(db, system)
    with db.read() as session:
        updates = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "warrant_status_record",
                AuditEntry.entity_id == str(record_id),
                AuditEntry.action == AuditAction.UPDATE,
            )
        ).all()
    assert updates == []
