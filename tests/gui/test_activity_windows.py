"""A Discretionary Retake through the screens as three people do it: the officer drafts it from the
profile and submits, the supervisor returns it with a comment and later approves it from the queue,
the compact office transmits it; then only the assigned officer may withdraw it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox
from sqlalchemy import select

from app.core import clock
from app.core.vocabulary import ActivityStatus, ApprovalDecision, CaseStatus, Role
from app.models import Activity, AuditEntry, TransmittedCopy
from app.services.activities import StepKind
from app.services.users import actor_from_user
from app.views import activity_dialogs
from app.views.activity_dialogs import ActivityFormDialog, ActivityWindow
from app.views.approvals_view import ApprovalsPage
from app.views.context import AppContext
from app.views.events import AppEvents
from app.views.profile_window import ProfileWindow
from tests.factories import make_case, make_offender, make_user
from tests.gui.offscreen import OFFSCREEN_LIMITATIONS

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(*OFFSCREEN_LIMITATIONS)]


@pytest.fixture
def people(db, system, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 30))
    with db.unit_of_work(system) as session:
        supervisor = make_user(session, "tx.sup", "TX", (Role.SUPERVISOR,))
        officer = make_user(session, "tx.po", "TX", (Role.OFFICER,))
        officer.reports_to_id = supervisor.id
        office = make_user(session, "tx.co", "TX", (Role.COMPACT_OFFICE,))
        colleague = make_user(session, "tx.po2", "TX", (Role.OFFICER,))
        offender = make_offender(session, last_name="Ødegård", first_name="Åse")
        case = make_case(
            session, offender, status=CaseStatus.ACCEPTED, sending_assigned_user_id=officer.id
        )
        actors = {u.username: actor_from_user(u) for u in (supervisor, officer, office, colleague)}
        return actors, offender.id, case.id


def context(db, actor) -> AppContext:
    return AppContext(database=db, actor=actor, events=AppEvents())


def shown(qtbot, widget):
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
    return widget


def submitted_retake(db, actor, case_id: int) -> Activity:
    """A Discretionary Retake drafted and submitted by `actor` through the services."""
    from app.services import activities

    with db.unit_of_work(actor) as session:
        activity = activities.create_draft(
            session, actor, case_id, "discretionary_retake",
            {"retake_reason": "other", "reason_text": "Court order",
             "pending_felony_or_violent_charges": "no", "warrant_issued_date": "11/20/2026",
             "issuing_authority": "Parole Board"},
        )  # fmt: skip
        activities.submit(session, actor, activity.id, activity.version)
        return activity


def the_activity(db) -> Activity:
    with db.read() as session:
        activity = session.scalars(select(Activity)).one()
        session.expunge(activity)
        return activity


def test_discretionary_retake_walked_through_the_screens(qtbot, db, people, monkeypatch):
    actors, offender_id, _case_id = people
    officer, supervisor, office = actors["tx.po"], actors["tx.sup"], actors["tx.co"]

    # The officer: Ctrl+Shift+A on the selected case, chooses the type, types the form, Enter.
    profile = shown(qtbot, ProfileWindow(context(db, officer), offender_id))
    monkeypatch.setattr(
        QInputDialog, "getItem", lambda _p, _t, _l, items, *_a: ("Discretionary retake", True)
    )
    opened: list[ActivityFormDialog] = []
    monkeypatch.setattr(ActivityFormDialog, "exec", lambda dialog: opened.append(dialog))
    qtbot.keyClick(
        profile,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    [form] = opened
    shown(qtbot, form)
    form.form.editor("retake_reason").setCurrentIndex(1)
    form.form.editor("pending_felony_or_violent_charges").setCurrentIndex(2)  # "No"
    form.form.editor("reason_text").setFocus()
    qtbot.keyClicks(form.form.editor("reason_text"), "Absconded from supervision")
    for name, text in (("warrant_issued_date", "11/02/2026"), ("issuing_authority", "Judge Lee")):
        form.form.editor(name).setFocus()
        qtbot.keyClicks(form.form.editor(name), text)
    windows: list[int] = []
    monkeypatch.setattr(
        ProfileWindow, "open_activity", lambda _self, activity_id: windows.append(activity_id)
    )
    qtbot.keyClick(form.form.editor("issuing_authority"), Qt.Key.Key_Return)
    draft = the_activity(db)
    assert draft.status is ActivityStatus.DRAFT and windows == [draft.id]
    assert draft.content["issuing_authority"] == "Judge Lee"

    # Submits with Ctrl+Enter from the activity window; told to add a warrant status record.
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, _text: told.append(title))
    window = shown(qtbot, ActivityWindow(context(db, officer), draft.id))
    assert not window.step_buttons[StepKind.TRANSMIT].isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert the_activity(db).status is ActivityStatus.PENDING_SUPERVISOR
    assert told == ["Warrant status record"]

    # The supervisor returns it from the queue with R and a comment.
    queue = shown(qtbot, ApprovalsPage(context(db, supervisor)))
    assert queue.table.row_count() == 1
    queue.table.setFocus()
    queue.table.selectRow(0)
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("Add the court", True))
    qtbot.keyClick(queue.table, Qt.Key.Key_R)
    returned = the_activity(db)
    assert returned.status is ActivityStatus.DRAFT
    assert queue.table.row_count() == 0

    # The officer corrects it (Ctrl+E opens the form on the draft) and submits again.
    window = shown(qtbot, ActivityWindow(context(db, officer), draft.id))
    assert "Add the court" in window.steps_label.text()
    edits: list[ActivityFormDialog] = []
    monkeypatch.setattr(ActivityFormDialog, "exec", lambda dialog: edits.append(dialog))
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    [edit] = edits
    shown(qtbot, edit)
    edit.form.editor("issuing_authority").setFocus()
    qtbot.keyClick(edit.form.editor("issuing_authority"), Qt.Key.Key_End)
    qtbot.keyClicks(edit.form.editor("issuing_authority"), ", 147th District Court")
    qtbot.keyClick(edit.form.editor("issuing_authority"), Qt.Key.Key_Return)
    edit.close()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert the_activity(db).status is ActivityStatus.PENDING_SUPERVISOR

    # The supervisor approves with A; the compact office transmits with A from its queue.
    queue = shown(qtbot, ApprovalsPage(context(db, supervisor)))
    queue.table.setFocus()
    queue.table.selectRow(0)
    qtbot.keyClick(queue.table, Qt.Key.Key_A)
    assert the_activity(db).status is ActivityStatus.PENDING_COMPACT_OFFICE
    office_queue = shown(qtbot, ApprovalsPage(context(db, office)))
    assert office_queue.table.row_count() == 1
    office_queue.table.setFocus()
    office_queue.table.selectRow(0)
    qtbot.keyClick(office_queue.table, Qt.Key.Key_A)
    sent = the_activity(db)
    assert sent.status is ActivityStatus.TRANSMITTED
    assert sent.content["issuing_authority"] == "Judge Lee, 147th District Court"

    # Final: a colleague and the compact office cannot withdraw it; the assigned officer can.
    for outsider in (actors["tx.po2"], office):
        other = shown(qtbot, ActivityWindow(context(db, outsider), sent.id))
        assert not other.step_buttons[StepKind.WITHDRAW].isVisible()
        assert not other.step_buttons[StepKind.EDIT].isVisible()
    mine = shown(qtbot, ActivityWindow(context(db, officer), sent.id))
    assert mine.step_buttons[StepKind.WITHDRAW].isEnabled()
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("Recalled", True))
    qtbot.keyClick(
        mine, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert the_activity(db).status is ActivityStatus.WITHDRAWN

    with db.read() as session:
        steps = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "activity_step").order_by(AuditEntry.id)
        ).all()
        trail = [(entry.actor_name, entry.changes["decision"][1]) for entry in steps]
        assert trail == [
            ("tx.po", ApprovalDecision.SUBMITTED.value),
            ("tx.sup", ApprovalDecision.RETURNED.value),
            ("tx.po", ApprovalDecision.SUBMITTED.value),
            ("tx.sup", ApprovalDecision.APPROVED.value),
            ("tx.co", ApprovalDecision.APPROVED.value),
            ("tx.co", ApprovalDecision.TRANSMITTED.value),
            ("tx.po", ApprovalDecision.WITHDRAWN.value),
        ]
        assert session.get(TransmittedCopy, sent.id).pdf.startswith(b"%PDF")


def test_pdf_saved_and_previewed_from_the_activity_window(qtbot, db, people, tmp_path):
    actors, _offender_id, case_id = people
    office = actors["tx.co"]
    activity = submitted_retake(db, office, case_id)
    activity_id = activity.id
    window = shown(qtbot, ActivityWindow(context(db, office), activity_id))
    saved = window.save_pdf(path=str(tmp_path / "retake.pdf"))
    assert saved.read_bytes().startswith(b"%PDF")
    from app.views.pdf_preview import PdfPreview

    with db.read() as session:
        pdf = session.get(TransmittedCopy, activity_id).pdf
    preview = PdfPreview(pdf, "Preview", window)
    qtbot.addWidget(preview)
    assert preview.page_count() >= 1
    assert activity_dialogs.FORWARD_KEYS == "Ctrl+Return"


def test_inbox_shows_the_hand_off_and_marks_it_read(qtbot, db, people):
    actors, _offender_id, case_id = people
    officer, supervisor = actors["tx.po"], actors["tx.sup"]
    activity = submitted_retake(db, officer, case_id)
    from app.views.inbox_view import InboxPage

    inbox = InboxPage(context(db, supervisor))
    assert inbox.table.row_count() == 1
    assert inbox.count_label.text() == "1 unread"
    shown(qtbot, inbox)
    inbox.table.setFocus()
    inbox.table.selectRow(0)
    assert "awaits your approval" in inbox.body.toPlainText()
    assert inbox.count_label.text() == "No unread messages"
    with db.read() as session:
        from app.services import notifications

        assert notifications.unread_count(session, supervisor) == 0
    opened: list[int] = []
    inbox.open_activity.connect(opened.append)
    qtbot.keyClick(inbox.table, Qt.Key.Key_Return)
    assert opened == [activity.id]


def test_main_window_counts_approvals_and_unread_messages(qtbot, db, people):
    from app.views.main_window import MainWindow

    actors, _offender_id, case_id = people
    officer, supervisor = actors["tx.po"], actors["tx.sup"]
    submitted_retake(db, officer, case_id)
    window = shown(qtbot, MainWindow(context(db, supervisor)))
    titles = lambda: [window.navigation.item(r).text() for r in range(window.navigation.count())]  # noqa: E731
    qtbot.waitUntil(lambda: "Approvals (1)" in titles())
    assert titles() == ["Workload", "Offenders", "Approvals (1)", "Inbox (1)", "Warrants"]
    qtbot.keyClick(window.search_field, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.approvals_page is not None and window.approvals_page.table.row_count() == 1
    window.close()
