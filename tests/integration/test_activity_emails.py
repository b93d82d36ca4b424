"""Activity e-mails end to end against a real SMTP server on loopback: the hand-off of a submitted
Discretionary Retake to the supervisor, and the overdue reminder of a transfer request left
unanswered, both queued by the services and sent by `compact-office notify send`; with the server
down they wait and go later, once each."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.cli import EXIT_OK, main
from app.core import clock
from app.core.vocabulary import CaseStatus, NotificationStatus, Role
from app.db import Database
from app.models import Jurisdiction, Notification
from app.services import activities, mailer, users
from tests.conftest import fresh_database_url
from tests.factories import make_case, make_offender, make_user
from tests.integration.test_smtp_delivery import SmtpServer, free_port

TRANSFER = {
    "transfer_reason": "resident",
    "justification": "Family and work in Virginia",
    "residence_address": "1 Main St, Richmond VA",
    "offense_details": "Burglary",
    "conditions": "Report monthly",
}
RETAKE = {
    "retake_reason": "non_compliance",
    "reason_text": "Absconded",
    "pending_felony_or_violent_charges": "no",
    "warrant_issued_date": "2026-11-02",
    "issuing_authority": "Judge Lee",
}


def at(moment: datetime, monkeypatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)
    monkeypatch.setattr(clock, "today", lambda: moment.date())


@pytest.fixture
def office(tmp_path, monkeypatch):
    at(datetime(2026, 10, 1, 15, 0, tzinfo=UTC), monkeypatch)
    with fresh_database_url(tmp_path, "mail.sqlite3") as url:
        database = Database(url)
        database.migrate()
        with database.read() as session:
            system = users.system_actor(session)
        with database.unit_of_work(system) as session:
            supervisor = make_user(session, "tx.sup", "TX", (Role.SUPERVISOR,))
            supervisor.email = "dana.sup@tx.example.gov"
            officer = make_user(session, "tx.po", "TX", (Role.OFFICER,))
            officer.email = "pat.po@tx.example.gov"
            officer.reports_to_id = supervisor.id
            office_user = make_user(session, "tx.co", "TX", (Role.COMPACT_OFFICE,))
            va_officer = make_user(session, "va.po", "VA", (Role.OFFICER,))
            va_officer.email = "lee.po@va.example.gov"
            session.get(Jurisdiction, "TX").office_email = "compact@tx.example.gov"
            offender = make_offender(session, last_name="Núñez", first_name="José")
            case = make_case(
                session, offender, status=CaseStatus.PENDING,
                sending_assigned_user_id=officer.id, receiving_assigned_user_id=va_officer.id,
            )  # fmt: skip
            people = {
                u.username: users.actor_from_user(u) for u in (supervisor, officer, office_user)
            }
            case_id = case.id
        yield url, database, people, case_id
        database.dispose()


def configure(database, port: int) -> None:
    with database.read() as session:
        system = users.system_actor(session)
    with database.unit_of_work(system) as session:
        mailer.save_settings(session, system, host="127.0.0.1", port=port, starttls=False,
                             user="", from_address="Compact Office <co@tx.example.gov>")  # fmt: skip


def test_hand_off_and_overdue_reminder_arrive_and_wait_while_the_server_is_down(
    office, monkeypatch, capsys
):
    url, database, people, case_id = office
    officer, office_user = people["tx.po"], people["tx.co"]
    # 10/01/2026: the compact office sends a transfer request; Virginia's reply is due 45 days on.
    with database.unit_of_work(office_user) as session:
        request = activities.create_draft(
            session, office_user, case_id, "transfer_request", TRANSFER
        )
        activities.submit(session, office_user, request.id, request.version)
        request_number, due = request.activity_number, request.due_date
    assert due == date(2026, 11, 15)

    # 11/16/2026, a day past due: the officer submits a retake, which goes to the supervisor.
    at(datetime(2026, 11, 16, 15, 0, tzinfo=UTC), monkeypatch)
    with database.unit_of_work(officer) as session:
        retake = activities.create_draft(session, officer, case_id, "discretionary_retake", RETAKE)
        activities.submit(session, officer, retake.id, retake.version)
        retake_number = retake.activity_number

    down = free_port()  # nothing listens here yet
    configure(database, down)
    assert main(["notify", "send", "--database-url", url]) == EXIT_OK
    assert "sent 0" in capsys.readouterr().out
    with database.read() as session:
        waiting = session.scalars(
            select(Notification).where(Notification.recipient_email.is_not(None))
        ).all()
        assert waiting and all(n.status is NotificationStatus.PENDING for n in waiting)
        assert all(n.attempts == 1 and n.last_error for n in waiting)

    server = SmtpServer(port=down).start()
    try:
        at(datetime(2026, 11, 16, 17, 0, tzinfo=UTC), monkeypatch)  # past the retry delay
        assert main(["notify", "send", "--database-url", url]) == EXIT_OK
        assert main(["notify", "send", "--database-url", url]) == EXIT_OK  # sends nothing new
        messages = server.handler.messages()
    finally:
        server.stop()
    by_subject = {m["Subject"]: m for m in messages}
    assert len(by_subject) == len(messages)  # each once

    hand_off = next(m for s, m in by_subject.items() if retake_number in s)
    assert hand_off["To"] == "dana.sup@tx.example.gov"
    assert "awaits your approval" in hand_off["Subject"]
    body = hand_off.get_content()
    assert "Offender Name: José Núñez" in body and "Case #:" in body

    reminder = next(m for s, m in by_subject.items() if "Transfer Request Reply" in s)
    assert reminder["To"] == "lee.po@va.example.gov"
    assert "due yesterday" in reminder["Subject"]
    assert request_number in reminder.get_content() or "11/15/2026" in reminder.get_content()
