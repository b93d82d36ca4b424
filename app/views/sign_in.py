"""Signing in: the sign-in dialog, the first administrator's dialog on a new database, and the check both use."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core import jurisdictions
from app.core.errors import DatabaseUnavailable, UserError, ValidationError
from app.core.permissions import Actor
from app.core.security import MIN_PASSWORD_LENGTH
from app.db import Database
from app.services import users

# Problems are said in words; the colour only helps the eye find them.
_PROBLEM_STYLE = "color: #b00020;"


def sign_in(database: Database, username: str, password: str) -> Actor:
    """The signed-in actor; raises AuthenticationFailed once the failed attempt is on record."""
    with database.unit_of_work(None) as session:
        actor = users.authenticate(session, username, password)
    if actor is None:
        raise users.sign_in_failed()
    return actor


def _problem_label(*, wrapped: bool = True) -> QLabel:
    label = QLabel()
    # A wrapped label inside a form row is sized for a guessed width and leaves gaps; field
    # problems are short, so they stay on one line and widen the dialog when they must.
    label.setWordWrap(wrapped)
    label.setStyleSheet(_PROBLEM_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _show_problem(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


class SignInDialog(QDialog):
    """Asks for a user name and password; a wrong password keeps the dialog open for another try."""

    def __init__(self, database: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self._database = database
        self.actor: Actor | None = None
        self.setWindowTitle("Sign in to Compact Office")

        self.username_field = QLineEdit()
        self.username_field.setAccessibleName("User name")
        self.password_field = QLineEdit()
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_field.setAccessibleName("Password")
        self.problem_label = _problem_label()

        form = QFormLayout()
        form.addRow("&User name:", self.username_field)
        form.addRow("&Password:", self.password_field)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        self.buttons.accepted.connect(self._try_sign_in)
        self.buttons.rejected.connect(self.reject)

        database_label = QLabel(f"Database: {database.description}")
        database_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(database_label)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def _try_sign_in(self) -> None:
        try:
            actor = sign_in(self._database, self.username_field.text(), self.password_field.text())
        except (UserError, DatabaseUnavailable) as exc:
            _show_problem(self.problem_label, str(exc))
            self.password_field.clear()
            self.password_field.setFocus()
            return
        self.actor = actor
        self.password_field.clear()
        self.accept()


class StateComboBox(QComboBox):
    """The member jurisdictions and the National Office; typing a code or a name completes it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for info in sorted(jurisdictions.JURISDICTIONS, key=lambda j: j.name):
            self.addItem(f"{info.name} ({info.code})", info.code)
        self.setCurrentIndex(-1)
        self.lineEdit().setPlaceholderText("Code or name, e.g. TX or Texas")
        completer = QCompleter(self.model(), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # 'York' finds New York and 'TX' finds Texas (TX): the code sits inside the item text.
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)

    def state_text(self) -> str:
        """The code of the chosen item, or what was typed (the service accepts a code or a name)."""
        typed = self.currentText().strip()
        index = self.findText(typed, Qt.MatchFlag.MatchFixedString)
        return str(self.itemData(index)) if index >= 0 else typed


class FirstAdministratorDialog(QDialog):
    """On a database without users: creates the first state administrator and signs them in."""

    def __init__(self, database: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self._database = database
        self.actor: Actor | None = None
        self.setWindowTitle("Create the first administrator")

        self.username_field = QLineEdit()
        self.username_field.setPlaceholderText("lowercase, e.g. jsmith")
        self.full_name_field = QLineEdit()
        self.state_field = StateComboBox()
        self.email_field = QLineEdit()
        self.email_field.setPlaceholderText("optional")
        self.password_field = QLineEdit()
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_field.setPlaceholderText(f"at least {MIN_PASSWORD_LENGTH} characters")
        self.repeat_field = QLineEdit()
        self.repeat_field.setEchoMode(QLineEdit.EchoMode.Password)

        self._form = QFormLayout()
        self.problem_labels: dict[str, QLabel] = {}
        self._add_field("username", "&User name:", self.username_field)
        self._add_field("full name", "&Full name:", self.full_name_field)
        self._add_field("state", "&State:", self.state_field)
        self._add_field("e-mail", "&E-mail:", self.email_field)
        self._add_field("password", "&Password:", self.password_field)
        self._add_field("repeat password", "&Repeat password:", self.repeat_field)
        self.general_problem_label = _problem_label()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create and sign in")
        self.buttons.accepted.connect(self._try_create)
        self.buttons.rejected.connect(self.reject)

        introduction = QLabel(
            f"The {database.description} has no users yet. Create the first state "
            "administrator; they add everybody else."
        )
        introduction.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(introduction)
        layout.addLayout(self._form)
        layout.addWidget(self.general_problem_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

    def _add_field(self, field: str, label: str, widget: QWidget) -> None:
        widget.setAccessibleName(label.replace("&", "").rstrip(":"))
        self._form.addRow(label, widget)
        problem = _problem_label(wrapped=False)
        self._form.addRow("", problem)
        self.problem_labels[field] = problem

    def problems(self) -> dict[str, str]:
        """The problems now shown, by field ('' for those that belong to no field)."""
        shown = {field: label.text() for field, label in self.problem_labels.items()}
        shown[""] = self.general_problem_label.text()
        return {field: text for field, text in shown.items() if text}

    def _show_problems(self, problems: list[tuple[str, str]]) -> None:
        by_field: dict[str, list[str]] = {}
        general: list[str] = []
        for field, rule in problems:
            if field in self.problem_labels:
                by_field.setdefault(field, []).append(rule)
            else:
                general.append(f"{field}: {rule}" if field else rule)
        for field, label in self.problem_labels.items():
            text = "; ".join(by_field.get(field, []))
            _show_problem(label, text[:1].upper() + text[1:])
        _show_problem(self.general_problem_label, "; ".join(general))
        # Grow to show a long problem whole, never shrink what the user has enlarged.
        self.layout().activate()
        self.resize(self.size().expandedTo(self.sizeHint()))

    def _try_create(self) -> None:
        self._show_problems([])
        password = self.password_field.text()
        if password != self.repeat_field.text():
            self._show_problems([("repeat password", "the two passwords differ")])
            self.repeat_field.setFocus()
            self.repeat_field.selectAll()
            return
        username = self.username_field.text()
        try:
            with self._database.read() as session:
                system = users.system_actor(session)
            with self._database.unit_of_work(system) as session:
                users.create_first_administrator(
                    session,
                    username=username,
                    full_name=self.full_name_field.text(),
                    state=self.state_field.state_text(),
                    password=password,
                    email=self.email_field.text(),
                )
            actor = sign_in(self._database, username, password)
        except ValidationError as exc:
            self._show_problems(exc.problems)
            return
        except (UserError, DatabaseUnavailable) as exc:
            self._show_problems([("", str(exc))])
            return
        self.actor = actor
        self.password_field.clear()
        self.repeat_field.clear()
        self.accept()
