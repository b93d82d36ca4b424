"""The offender list model: consistent for Qt, paged on demand, bounded in memory."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.exc import OperationalError

from app.core.vocabulary import Role
from app.models import Alias, Offender
from app.services import core_reads, offenders
from app.services.links import refresh_links
from app.services.offenders import OffenderSearch
from app.services.users import actor_from_user
from app.views.offender_table_model import COLUMNS, OFFENDER_ROW_ROLE, OffenderTableModel
from tests.factories import make_offender, make_user
from tests.gui.offscreen import OFFSCREEN_LIMITATIONS

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(*OFFSCREEN_LIMITATIONS)]

NAME = [c.title for c in COLUMNS].index("Name")


def make_many_offenders(database, actor, count: int, state: str = "TX") -> None:
    """One flush for all rows: a thousand profiles through the factory one by one would be slow."""
    with database.unit_of_work(actor) as session:
        rows = [
            Offender(
                offender_number=f"M{number:07d}",
                last_name=f"Last{number:04d}",
                first_name="Pat",
                created_by_state=state,
            )
            for number in range(count)
        ]
        session.add_all(rows)
        session.flush()
        refresh_links(session, [row.id for row in rows])


def cell(model: OffenderTableModel, row: int, column: int) -> str:
    return model.data(model.index(row, column))


@pytest.fixture
def count_page_fetches(monkeypatch) -> list[tuple[int, int, bool]]:
    """(offset, limit, whether the page started after the previous page's last row) per fetch of
    the whole list (read with Core) or of a search's matches."""
    fetched: list[tuple[int, int, bool]] = []
    whole_list_page = core_reads.whole_list_page
    search_page = offenders.offender_page

    def counting_whole_list(connection, actor, offset, limit, after=None):
        fetched.append((offset, limit, after is not None))
        return whole_list_page(connection, actor, offset, limit, after=after)

    def counting_search(session, actor, search, offset, limit, after=None):
        fetched.append((offset, limit, after is not None))
        return search_page(session, actor, search, offset, limit, after=after)

    monkeypatch.setattr(core_reads, "whole_list_page", counting_whole_list)
    monkeypatch.setattr(offenders, "offender_page", counting_search)
    return fetched


def test_passes_qt_model_checks_before_and_after_a_new_search(qtmodeltester, db, system):
    with db.unit_of_work(system) as session:
        for number in range(23):
            make_offender(session, last_name="Tester" if number % 2 else "Other")
    model = OffenderTableModel(db, system, page_size=5, cached_pages=2)

    qtmodeltester.check(model)
    model.set_search(OffenderSearch("test"))
    qtmodeltester.check(model)

    assert model.rowCount() == 11


def test_shows_each_column_as_the_clerk_reads_it(qtbot, db, system):
    with db.unit_of_work(system) as session:
        make_offender(
            session,
            offender_number="TX1234567",
            last_name="Núñez",
            first_name="María",
            middle_name="José",
            date_of_birth=date(1979, 3, 4),
            sex="F",
            fbi_number="123456AB7",
            state_id="TX99887766",
            created_by_state="TX",
            sex_offender=True,
            victim_sensitive=True,
        )
    model = OffenderTableModel(db, system)

    assert [cell(model, 0, column) for column in range(model.columnCount())] == [
        "TX1234567",
        "Núñez, María José",
        "03/04/1979",
        "F",
        "123456AB7",
        "TX99887766",
        "TX",
        "Sex offender; Victim sensitive",
    ]
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(8)] == [
        "Offender #",
        "Name",
        "Date of birth",
        "Sex",
        "FBI #",
        "SID",
        "Created by",
        "Special statuses",
    ]
    assert model.data(model.index(0, 0), OFFENDER_ROW_ROLE).offender_number == "TX1234567"


def test_a_match_on_an_alias_says_so_in_the_name(qtbot, db, system):
    with db.unit_of_work(system) as session:
        offender = make_offender(session, last_name="Walker", first_name="Ann")
        offender.aliases.append(Alias(last_name="Quimby", first_name="Annie"))
        session.flush()
    model = OffenderTableModel(db, system)

    model.set_search(OffenderSearch("quimby"))

    assert model.rowCount() == 1
    assert cell(model, 0, NAME) == "Walker, Ann (alias: Quimby, Annie)"


def test_new_search_resets_the_model(qtbot, db, system):
    with db.unit_of_work(system) as session:
        make_offender(session, last_name="Alpha")
        make_offender(session, last_name="Beta")
    model = OffenderTableModel(db, system)
    assert model.rowCount() == 2

    with qtbot.waitSignal(model.modelAboutToBeReset), qtbot.waitSignal(model.modelReset):
        model.set_search(OffenderSearch("bet"))

    assert model.rowCount() == 1
    assert cell(model, 0, NAME).startswith("Beta, ")


def test_fetches_only_the_pages_it_is_asked_for(qtbot, db, system, count_page_fetches):
    make_many_offenders(db, system, 1000)
    model = OffenderTableModel(db, system, page_size=50, cached_pages=4)

    assert model.rowCount() == 1000
    assert count_page_fetches == []

    assert cell(model, 0, 0) == "M0000000"
    assert cell(model, 49, NAME) == "Last0049, Pat"
    assert cell(model, 520, 0) == "M0000520"

    assert count_page_fetches == [(0, 50, False), (500, 50, False)]
    assert model.cached_pages == [0, 10]


def test_scrolling_the_whole_list_keeps_a_bounded_cache(qtbot, db, system, count_page_fetches):
    make_many_offenders(db, system, 1000)
    model = OffenderTableModel(db, system, page_size=50, cached_pages=4)

    numbers = [cell(model, row, 0) for row in range(model.rowCount())]

    assert numbers == [f"M{number:07d}" for number in range(1000)]
    assert len(count_page_fetches) == 20
    # Page after page, each starts after the row before instead of counting an offset.
    assert [after for _offset, _limit, after in count_page_fetches] == [False] + [True] * 19
    assert model.cached_pages == [16, 17, 18, 19]
    cell(model, 0, 0)
    assert len(count_page_fetches) == 21


def test_a_state_user_sees_only_profiles_linked_to_their_state(qtbot, db, system):
    with db.unit_of_work(system) as session:
        make_offender(session, last_name="Texan", created_by_state="TX")
        make_offender(session, last_name="Virginian", created_by_state="VA")
        officer = actor_from_user(make_user(session, state="VA", roles=(Role.OFFICER,)))
    model = OffenderTableModel(db, officer)

    assert model.rowCount() == 1
    assert cell(model, 0, NAME).startswith("Virginian, ")


def test_a_lost_connection_is_reported_not_raised(qtbot, db, system, monkeypatch):
    with db.unit_of_work(system) as session:
        make_offender(session)
    model = OffenderTableModel(db, system)

    def failing(*_args, **_keywords):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(core_reads, "whole_list_page", failing)
    with qtbot.waitSignal(model.fetch_failed) as reported:
        assert cell(model, 0, 0) is None

    assert "server closed the connection" in reported.args[0]


def test_a_lost_connection_during_a_search_is_reported_not_raised(qtbot, db, system, monkeypatch):
    with db.unit_of_work(system) as session:
        make_offender(session, last_name="Walker")
    model = OffenderTableModel(db, system)
    model.set_search(OffenderSearch("walk"))

    def failing(*_args, **_keywords):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(offenders, "offender_page", failing)
    with qtbot.waitSignal(model.fetch_failed) as reported:
        assert cell(model, 0, 0) is None

    assert "server closed the connection" in reported.args[0]
