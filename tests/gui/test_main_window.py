"""The main window driven from the keyboard: search while typing, shortcuts, pages, status bar."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.permissions import Actor
from app.core.vocabulary import Role
from app.services.offenders import SearchKind
from app.services.users import actor_from_user
from app.views.context import AppContext
from app.views.events import AppEvents
from app.views.main_window import SEARCH_PLACEHOLDER, MainWindow
from app.views.offender_list import count_text
from tests.factories import make_offender, make_user
from tests.gui.offscreen import OFFSCREEN_LIMITATIONS

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(*OFFSCREEN_LIMITATIONS)]

NAME_COLUMN = 1


def make_actor(db, system, username: str, roles: tuple[Role, ...]) -> Actor:
    with db.unit_of_work(system) as session:
        return actor_from_user(make_user(session, username, state="TX", roles=roles))


@pytest.fixture
def profiles(db, system) -> None:
    with db.unit_of_work(system) as session:
        make_offender(session, last_name="Smith", first_name="Anna", offender_number="TX0000101")
        make_offender(session, last_name="Smithers", first_name="Bob", fbi_number="778899XY1")
        make_offender(session, last_name="Jones", first_name="Carl", state_id="TX55512345")
        make_offender(session, last_name="Goldsmith", first_name="Dana")


def open_window(qtbot, db, actor: Actor) -> MainWindow:
    window = MainWindow(AppContext(database=db, actor=actor, events=AppEvents()))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


@pytest.fixture
def window(qtbot, db, system, profiles) -> MainWindow:
    return open_window(qtbot, db, make_actor(db, system, "admin", (Role.STATE_ADMINISTRATOR,)))


def shown_names(window: MainWindow) -> list[str]:
    model = window.offender_page.table.model()
    return [model.data(model.index(row, NAME_COLUMN)) for row in range(model.rowCount())]


def wait_for_names(qtbot, window: MainWindow, expected: list[str]) -> None:
    qtbot.waitUntil(lambda: shown_names(window) == expected, timeout=2000)


def test_lists_every_visible_profile_at_start(window):
    assert shown_names(window) == ["Goldsmith, Dana", "Jones, Carl", "Smith, Anna", "Smithers, Bob"]
    assert window.offender_page.count_label.text() == "4 offenders"
    assert window.search_field.placeholderText() == SEARCH_PLACEHOLDER
    assert window.search_field.hasFocus()


def test_typing_searches_after_a_pause(qtbot, window):
    qtbot.keyClicks(window.search_field, "smi")

    assert window.search_timer.isActive()
    wait_for_names(qtbot, window, ["Smith, Anna", "Smithers, Bob"])
    assert window.offender_page.count_label.text() == "2 matches"

    qtbot.keyClicks(window.search_field, "thers")
    wait_for_names(qtbot, window, ["Smithers, Bob"])
    assert window.offender_page.count_label.text() == "1 match"


def test_contains_finds_the_text_anywhere_in_names(qtbot, window):
    qtbot.keyClicks(window.search_field, "smith")
    wait_for_names(qtbot, window, ["Smith, Anna", "Smithers, Bob"])

    qtbot.mouseClick(window.contains_box, Qt.MouseButton.LeftButton)

    # The service orders fragment matches by where they were found, not by name.
    qtbot.waitUntil(
        lambda: sorted(shown_names(window)) == ["Goldsmith, Dana", "Smith, Anna", "Smithers, Bob"]
    )


@pytest.mark.parametrize(
    ("typed", "found"),
    [("TX0000101", "Smith, Anna"), ("778899-XY-1", "Smithers, Bob"), ("tx55512345", "Jones, Carl")],
)
def test_finds_a_profile_by_its_numbers(qtbot, window, typed, found):
    qtbot.keyClicks(window.search_field, typed)

    wait_for_names(qtbot, window, [found])


def test_enter_searches_at_once_and_moves_to_the_first_match(qtbot, window):
    window.search_field.setText("smith")
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)

    assert not window.search_timer.isActive()
    assert shown_names(window) == ["Smith, Anna", "Smithers, Bob"]
    assert window.offender_page.table.hasFocus()
    assert window.offender_page.table.selectionModel().isRowSelected(0)
    assert window.profile_windows == {}


def test_enter_on_the_only_match_opens_its_profile(qtbot, window):
    window.search_field.setText("jones")
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)

    [profile] = window.profile_windows.values()
    qtbot.addWidget(profile)
    assert profile.name_label.text() == "Jones, Carl"
    assert profile.isVisible()


def test_enter_on_a_listed_match_opens_it_once(qtbot, window):
    window.search_field.setText("smith")
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    qtbot.keyClick(window.offender_page.table, Qt.Key.Key_Down)
    qtbot.keyClick(window.offender_page.table, Qt.Key.Key_Return)
    qtbot.keyClick(window.offender_page.table, Qt.Key.Key_Return)

    [profile] = window.profile_windows.values()
    qtbot.addWidget(profile)
    assert profile.name_label.text() == "Smithers, Bob"


def test_a_search_without_matches_keeps_the_focus_in_the_field(qtbot, window):
    window.search_field.setText("nobody by this name")
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)

    assert shown_names(window) == []
    assert window.offender_page.count_label.text() == "0 matches"
    assert window.search_field.hasFocus()


def test_escape_clears_the_search(qtbot, window):
    qtbot.keyClicks(window.search_field, "jones")
    wait_for_names(qtbot, window, ["Jones, Carl"])

    qtbot.keyClick(window.search_field, Qt.Key.Key_Escape)

    assert window.search_field.text() == ""
    wait_for_names(
        qtbot, window, ["Goldsmith, Dana", "Jones, Carl", "Smith, Anna", "Smithers, Bob"]
    )


@pytest.mark.parametrize("key", [Qt.Key.Key_K, Qt.Key.Key_F])
def test_ctrl_k_and_ctrl_f_go_to_the_search(qtbot, window, key):
    window.search_field.setText("smith")
    window.offender_page.table.setFocus()
    qtbot.waitUntil(window.offender_page.table.hasFocus)

    qtbot.keyClick(window.offender_page.table, key, Qt.KeyboardModifier.ControlModifier)

    assert window.search_field.hasFocus()
    assert window.search_field.selectedText() == "smith"


def test_ctrl_k_in_the_search_selects_instead_of_deleting(qtbot, window):
    window.search_field.setText("smith")
    window.search_field.setCursorPosition(0)

    qtbot.keyClick(window.search_field, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)

    assert window.search_field.text() == "smith"
    assert window.search_field.selectedText() == "smith"


def test_down_arrow_moves_from_the_search_to_the_list(qtbot, window):
    qtbot.keyClick(window.search_field, Qt.Key.Key_Down)

    assert window.offender_page.table.hasFocus()


def test_ctrl_number_switches_pages_and_the_users_page_lists_users(qtbot, window):
    assert [window.navigation.item(r).text() for r in range(window.navigation.count())] == [
        "Workload",
        "Offenders",
        "Inbox",
        "Warrants",
        "Users",
    ]
    assert window.pages.currentWidget() is window.offender_page

    qtbot.keyClick(window.search_field, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window._inbox_holder
    assert window.inbox_page is not None and window.inbox_page.isVisible()
    assert window.warrants_page is None  # built when first opened
    qtbot.keyClick(window.search_field, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window._warrants_holder
    assert window.warrants_page is not None and window.warrants_page.isVisible()
    qtbot.keyClick(window.search_field, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)

    assert window.pages.currentWidget() is window.user_page
    users_model = window.user_page.model
    assert users_model.rowCount() == 1
    assert [users_model.data(users_model.index(0, c)) for c in range(4)] == [
        "admin",
        "Test User",
        "TX",
        "State administrator",
    ]
    assert window.user_page.count_label.text() == "1 user"

    qtbot.keyClick(window.search_field, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.offender_page


def test_the_workload_is_built_when_first_opened_and_counts_in_the_navigation(qtbot, window):
    assert window.workload_page is None
    qtbot.keyClick(window.search_field, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.workload_page is not None
    assert window.workload_page.isVisible()
    count = window.workload_page.live_count()
    assert window.navigation.item(0).text() == f"Workload ({count:,})"


def test_typing_a_search_on_another_page_shows_the_offenders(qtbot, window):
    window.show_page(2)

    qtbot.keyClicks(window.search_field, "jones")

    wait_for_names(qtbot, window, ["Jones, Carl"])
    assert window.pages.currentWidget() is window.offender_page


def test_an_officer_does_not_see_the_users_page(qtbot, db, system, profiles):
    window = open_window(qtbot, db, make_actor(db, system, "officer", (Role.OFFICER,)))

    titles = [window.navigation.item(r).text() for r in range(window.navigation.count())]
    assert titles == ["Workload", "Offenders", "Inbox", "Warrants"]
    assert window.user_page is None
    assert not window.import_action.isEnabled()


def test_status_bar_names_the_database_and_the_signed_in_user(window, db):
    assert window.user_label.text() == "Signed in: admin, Texas (TX)"
    assert window.database_label.text() == f"Database: {db.description}"
    assert window.user_label.isVisible()


def test_a_change_elsewhere_refreshes_the_list(qtbot, db, system, window):
    with db.unit_of_work(system) as session:
        make_offender(session, last_name="Adams", first_name="Eve")

    window._context.events.changes_applied.emit(object())

    assert shown_names(window)[0] == "Adams, Eve"
    assert window.offender_page.count_label.text() == "5 offenders"


def test_about_names_the_version(qtbot, window, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(
        "app.views.main_window.QMessageBox.about", lambda _parent, _title, text: shown.append(text)
    )

    [help_menu] = [a.menu() for a in window.menuBar().actions() if a.text() == "&Help"]
    help_menu.actions()[0].trigger()

    assert "Compact Office 0.1.0" in shown[0]


def test_ctrl_q_closes_the_window(qtbot, window):
    qtbot.keyClick(window.search_field, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)

    assert not window.isVisible()


@pytest.mark.parametrize(
    ("count", "capped", "kind", "text"),
    [
        (1_000_000, False, SearchKind.ALL, "1,000,000 offenders"),
        (1, False, SearchKind.ALL, "1 offender"),
        (37, False, SearchKind.NAME_PREFIX, "37 matches"),
        (1_000, True, SearchKind.NAME_FRAGMENT, "1,000+ matches — keep typing to narrow"),
    ],
)
def test_count_says_how_many_in_words(count, capped, kind, text):
    assert count_text(count, capped, kind) == text


def test_a_profile_link_from_an_e_mail_opens_the_profile(qtbot, db, system, window):
    with db.unit_of_work(system) as session:
        make_offender(session, last_name="Hidden", first_name="Ohio", offender_number="OH0000001",
                      created_by_state="OH")  # fmt: skip
    opened = window.open_profile_link("compact-office://offender/TX0000101")
    qtbot.addWidget(opened)
    assert opened.name_label.text() == "Smith, Anna"
    assert window.open_profile_link("compact-office://offender/OH0000001") is None
    assert (
        "No offender profile numbered OH0000001 is visible" in window.statusBar().currentMessage()
    )
    assert window.open_profile_link("https://example.org/") is None
    assert window.statusBar().currentMessage() == "Not a profile link: https://example.org/"


def test_gui_takes_a_profile_link_to_open():
    from app.cli import build_parser

    args = build_parser().parse_args(["gui", "--open", "compact-office://offender/TX0000101"])
    assert args.open_url == "compact-office://offender/TX0000101"
