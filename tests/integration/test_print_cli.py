"""`compact-office print activity ID -o FILE.pdf`: the copy as transmitted, or --current; bad input."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from app.cli import EXIT_OK, EXIT_USER_ERROR, main
from app.core.vocabulary import CaseStatus, Role
from app.db import Database
from app.services import activities, users
from tests.conftest import fresh_database_url
from tests.factories import make_case, make_offender, make_user

RETAKE = {
    "retake_reason": "other",
    "reason_text": "Court order to retake",
    "pending_felony_or_violent_charges": "no",
    "warrant_issued_date": "2026-11-20",
    "issuing_authority": "Board of Pardons and Paroles",
}


@pytest.fixture
def transmitted(tmp_path):
    with fresh_database_url(tmp_path, "print.sqlite3") as url:
        database = Database(url)
        database.migrate()
        with database.read() as session:
            system = users.system_actor(session)
        with database.unit_of_work(system) as session:
            office = make_user(session, "tx.co", "TX", (Role.COMPACT_OFFICE,))
            offender = make_offender(session, last_name="Ødegård", first_name="Åse")
            case = make_case(session, offender, status=CaseStatus.ACCEPTED)
            office_actor = users.actor_from_user(office)
            case_id = case.id
        with database.unit_of_work(office_actor) as session:
            activity = activities.create_draft(
                session, office_actor, case_id, "discretionary_retake", RETAKE
            )
            activities.submit(session, office_actor, activity.id, activity.version)
            number = activity.activity_number
        database.dispose()
        yield url, number


def text_of(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(path.read_bytes())).pages)


def test_prints_the_transmitted_copy_and_the_current_data(capsys, tmp_path, transmitted):
    url, number = transmitted
    sent = tmp_path / "sent.pdf"
    assert main(["print", "activity", number, "-o", str(sent), "--database-url", url]) == EXIT_OK
    assert "as transmitted" in capsys.readouterr().out
    text = text_of(sent)
    assert "Discretionary Retake" in text and "Åse Ødegård" in text
    assert "Copy as transmitted" in text
    current = tmp_path / "current.pdf"
    code = main(
        ["print", "activity", number, "-o", str(current), "--current", "--database-url", url]
    )
    assert code == EXIT_OK
    assert "REGENERATED FROM CURRENT DATA" in text_of(current)


def test_unknown_activity_and_bad_file_name_are_refused(capsys, tmp_path, transmitted):
    url, number = transmitted
    code = main(
        ["print", "activity", "A99999999", "-o", str(tmp_path / "x.pdf"), "--database-url", url]
    )
    assert code == EXIT_USER_ERROR
    assert "no activity numbered 'A99999999'" in capsys.readouterr().err
    code = main(["print", "activity", number, "-o", str(tmp_path / "x.txt"), "--database-url", url])
    assert code == EXIT_USER_ERROR
    assert "must end in .pdf" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.txt").exists()
