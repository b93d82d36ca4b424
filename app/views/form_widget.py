"""A form drawn from its declaration in app/forms: a labelled editor per field, problems beside them."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.core import jurisdictions
from app.forms.fields import (
    Field,
    FieldKind,
    FormDefinition,
    Section,
    format_date,
    parse_date,
)

# Problems are said in words and marked with an icon; the colour only helps the eye find them.
PROBLEM_COLOUR = "#b00020"
REQUIRED_MARK = "*"
DATE_PLACEHOLDER = "MM/DD/YYYY"
STATE_PLACEHOLDER = "Code or name, e.g. TX or Texas"
MULTILINE_ROWS = 4

_CODE_IN_PARENTHESES = re.compile(r"\(([A-Za-z]{2})\)\s*$")


def _with_mnemonic(text: str, used: set[str]) -> str:
    """Marks the first free letter, preferring the start of a word, so every label has an Alt key."""
    escaped = text.replace("&", "&&")
    starts = [
        i for i, ch in enumerate(text) if ch.isalpha() and (i == 0 or not text[i - 1].isalpha())
    ]
    others = [i for i, ch in enumerate(text) if ch.isalpha() and i not in starts]
    for index in (*starts, *others):
        letter = text[index].lower()
        if letter not in used:
            used.add(letter)
            position = index + text[:index].count("&")
            return escaped[:position] + "&" + escaped[position:]
    return escaped


def _text_of(value: Any) -> str:
    """A stored value as the text a user would type for it."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return format_date(value.date())
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def state_code(text: str) -> str | None:
    """The jurisdiction code for a code, a name, or a completion such as 'Texas (TX)'."""
    found = jurisdictions.lookup(text)
    if found is None:
        match = _CODE_IN_PARENTHESES.search(text)
        found = jurisdictions.lookup(match.group(1)) if match else None
    return found.code if found else None


class CodeCompleter(QCompleter):
    """Offers 'Name (CODE)' entries matched anywhere, case-insensitively, and puts the code in."""

    CODE_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, entries: Iterable[tuple[str, str]], parent: QObject | None = None):
        model = QStandardItemModel(parent)
        for code, name in entries:
            item = QStandardItem(f"{name} ({code})" if name and name != code else code)
            item.setData(code, self.CODE_ROLE)
            model.appendRow(item)
        super().__init__(model, parent)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

    def pathFromIndex(self, index) -> str:  # noqa: N802 - Qt's name
        return str(index.data(self.CODE_ROLE))


def _member_states() -> list[tuple[str, str]]:
    members = [j for j in jurisdictions.JURISDICTIONS if j.code in jurisdictions.MEMBER_CODES]
    return [(j.code, j.name) for j in sorted(members, key=lambda j: j.name)]


@dataclass(eq=False)
class _Row:
    field: Field
    label: QLabel
    editor: QWidget
    problem_row: QWidget
    problem_icon: QLabel
    problem_text: QLabel
    form: QFormLayout
    problem: str = ""
    # Changed by the user since the values were loaded (or marked clean).
    edited: bool = False
    # Reported by a save attempt: it may be a rule only the service knows, so leaving the field
    # keeps it; editing the field is what answers it.
    problem_from_save: bool = False


class FormWidget(QWidget):
    """Renders a FormDefinition; reads and writes values as typed; shows each field's problems.

    `changed` is emitted for every edit the user makes (not for set_values).
    `submit_requested` is emitted on Ctrl+Enter inside a multi-line field (Enter adds a line there).
    """

    changed = Signal()
    submit_requested = Signal()

    def __init__(
        self,
        definition: FormDefinition,
        parent: QWidget | None = None,
        *,
        reserved_mnemonics: str = "",
    ):
        super().__init__(parent)
        self._declared = definition
        self._fields: dict[str, Field] = {f.name: f for f in definition.fields}
        self._rows: dict[str, _Row] = {}
        self._loading = False
        self._read_only = False
        used = {letter.lower() for letter in reserved_mnemonics}

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if any(f.required for f in definition.fields):
            legend = QLabel(f"Fields marked {REQUIRED_MARK} are required.")
            legend.setObjectName("required_legend")
            layout.addWidget(legend)
        self.form_problem, self._form_problem_text = self._problem_widgets()
        layout.addWidget(self.form_problem)
        for section in definition.sections:
            layout.addWidget(self._section_box(section, used))
        layout.addStretch(1)

        self._align_labels()
        editors = [row.editor for row in self._rows.values()]
        for before, after in zip(editors, editors[1:], strict=False):
            QWidget.setTabOrder(before, after)
        self._baseline = self.raw_values()

    # ---- building -------------------------------------------------------------------------

    def _section_box(self, section: Section, used: set[str]) -> QGroupBox:
        box = QGroupBox(section.title)
        box.setObjectName(f"section_{section.title}")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        for form_field in section.fields:
            self._add_row(form, form_field, used)
        box.installEventFilter(self)
        return box

    def _add_row(self, form: QFormLayout, form_field: Field, used: set[str]) -> None:
        editor = self._editor_for(form_field)
        editor.setObjectName(form_field.name)
        required = f" {REQUIRED_MARK}" if form_field.required else ""
        label = QLabel(_with_mnemonic(form_field.label, used) + required + ":")
        label.setBuddy(editor)
        editor.setAccessibleName(form_field.label + (" (required)" if form_field.required else ""))
        if form_field.help:
            tip = f"{form_field.label}: {form_field.help}"
            editor.setToolTip(tip)
            label.setToolTip(tip)
        if form_field.kind is FieldKind.MULTILINE:
            # The label reads with the first line of a tall editor, not beside its middle.
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
            label.setContentsMargins(0, editor.frameWidth() + 2, 0, 0)
        form.addRow(label, editor)
        problem_row, problem_text = self._problem_widgets()
        problem_row.setObjectName(f"{form_field.name}_problem")
        form.addRow("", problem_row)
        form.setRowVisible(problem_row, False)
        self._rows[form_field.name] = _Row(
            form_field,
            label,
            editor,
            problem_row,
            problem_row.findChild(QLabel, "problem_icon"),
            problem_text,
            form,
        )
        editor.installEventFilter(self)

    def _problem_widgets(self) -> tuple[QWidget, QLabel]:
        row = QWidget()
        icon = QLabel()
        icon.setObjectName("problem_icon")
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        pixmap = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size)
        if pixmap.isNull():
            icon.setText("\u26a0")
        else:
            icon.setPixmap(pixmap)
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        icon.setAccessibleName("Problem")
        text = QLabel()
        text.setObjectName("problem_text")
        text.setWordWrap(True)
        text.setStyleSheet(f"color: {PROBLEM_COLOUR};")
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(text, 1)
        row.hide()
        return row, text

    def _editor_for(self, form_field: Field) -> QWidget:
        kind = form_field.kind
        if kind is FieldKind.MULTILINE:
            editor = QPlainTextEdit()
            editor.setTabChangesFocus(True)
            editor.setPlaceholderText(form_field.help)
            lines = editor.fontMetrics().lineSpacing() * MULTILINE_ROWS
            margins = 2 * (editor.frameWidth() + int(editor.document().documentMargin()))
            editor.setFixedHeight(lines + margins)
            editor.textChanged.connect(lambda: self._edited(form_field.name))
            return editor
        if kind is FieldKind.CHOICE:
            editor = QComboBox()
            self._fill_combo(editor, form_field.choices)
            editor.currentIndexChanged.connect(lambda _index: self._edited(form_field.name))
            return editor
        if kind is FieldKind.FLAG:
            editor = QCheckBox()
            editor.toggled.connect(lambda _on: self._edited(form_field.name))
            return editor
        editor = QLineEdit()
        if kind is FieldKind.DATE:
            editor.setPlaceholderText(DATE_PLACEHOLDER)
            editor.setMaxLength(len("YYYY-MM-DD") + 2)
            self._fit_width(editor, "00/00/00000")
        elif kind is FieldKind.STATE:
            editor.setPlaceholderText(STATE_PLACEHOLDER)
            editor.setCompleter(CodeCompleter(_member_states(), editor))
        else:
            editor.setPlaceholderText(form_field.help)
            if form_field.max_length:
                editor.setMaxLength(form_field.max_length)
        editor.textChanged.connect(lambda _text: self._edited(form_field.name))
        return editor

    @staticmethod
    def _fit_width(editor: QLineEdit, sample: str) -> None:
        # A short editor says a short value is expected; the sample plus the frame and margins.
        metrics = editor.fontMetrics()
        editor.setMaximumWidth(
            metrics.horizontalAdvance(sample) + 2 * metrics.averageCharWidth() + 12
        )

    @staticmethod
    def _fill_combo(combo: QComboBox, choices: Sequence[tuple[str, str]]) -> None:
        combo.addItem("", "")
        for value, label in choices:
            combo.addItem(label, value)

    def _align_labels(self) -> None:
        """Each section has its own layout; one label width keeps the editors in one column."""
        width = max((row.label.sizeHint().width() for row in self._rows.values()), default=0)
        for row in self._rows.values():
            row.label.setMinimumWidth(width)

    # ---- values ---------------------------------------------------------------------------

    @property
    def definition(self) -> FormDefinition:
        """The declaration with the choices given at run time (set_choices) in place."""
        sections = tuple(
            dataclasses.replace(s, fields=tuple(self._fields[f.name] for f in s.fields))
            for s in self._declared.sections
        )
        return dataclasses.replace(self._declared, sections=sections)

    def field_names(self) -> list[str]:
        return list(self._rows)

    def editor(self, name: str) -> QWidget:
        return self._rows[name].editor

    def label(self, name: str) -> QLabel:
        return self._rows[name].label

    def _raw(self, row: _Row) -> str | bool:
        editor = row.editor
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QComboBox):
            data = editor.currentData()
            return "" if data is None else str(data)
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText()
        return editor.text()

    def raw_values(self) -> dict[str, str | bool]:
        """Every field as typed: text, the chosen value of a list ('' for none), True/False."""
        return {name: self._raw(row) for name, row in self._rows.items()}

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Shows stored values (dates, enums, booleans, None) or typed ones; other fields stay."""
        self._loading = True
        try:
            for name, value in values.items():
                row = self._rows.get(name)
                if row is not None:
                    self._put(row, value)
        finally:
            self._loading = False

    def _put(self, row: _Row, value: Any) -> None:
        editor = row.editor
        if isinstance(editor, QCheckBox):
            try:
                editor.setChecked(bool(row.field.parse(value)))
            except ValueError:
                editor.setChecked(False)
        elif isinstance(editor, QComboBox):
            self._choose(editor, _text_of(value))
        elif isinstance(editor, QPlainTextEdit):
            editor.setPlainText(_text_of(value))
        else:
            editor.setText(_text_of(value))
            editor.setCursorPosition(0)

    @staticmethod
    def _choose(combo: QComboBox, text: str) -> None:
        index = combo.findData(text) if text else 0
        if index < 0:
            index = next(
                (
                    i
                    for i in range(combo.count())
                    if combo.itemText(i).casefold() == text.casefold()
                ),
                -1,
            )
        if index < 0:
            # A value outside the list (an old code) is shown, not dropped; saving judges it.
            combo.addItem(text, text)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    def is_dirty(self) -> bool:
        return self.raw_values() != self._baseline

    def mark_clean(self) -> None:
        """What is shown now becomes what 'changed' is measured against."""
        self._baseline = self.raw_values()
        for row in self._rows.values():
            row.edited = False

    def set_choices(self, name: str, choices: Sequence[tuple[str, str]]) -> None:
        """(value, label) pairs known only at run time: the list of a choice field, or what a text
        or state field completes to (the value is what goes into the field)."""
        row = self._rows[name]
        choices = tuple(choices)
        self._fields[name] = dataclasses.replace(row.field, choices=choices)
        row.field = self._fields[name]
        editor = row.editor
        if isinstance(editor, QComboBox):
            current = self._raw(row)
            self._loading = True
            try:
                editor.clear()
                self._fill_combo(editor, choices)
                self._choose(editor, str(current))
            finally:
                self._loading = False
        elif isinstance(editor, QLineEdit):
            replaced = editor.completer()
            editor.setCompleter(CodeCompleter(choices, editor))
            if replaced is not None:
                replaced.deleteLater()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for row in self._rows.values():
            editor = row.editor
            if isinstance(editor, QLineEdit | QPlainTextEdit):
                editor.setReadOnly(read_only)
            else:
                editor.setEnabled(not read_only)

    def is_read_only(self) -> bool:
        return self._read_only

    # ---- problems -------------------------------------------------------------------------

    def _parsed(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, row in self._rows.items():
            try:
                values[name] = self._fields[name].parse(self._raw(row))
            except ValueError:
                values[name] = None
        return values

    def problem_of(self, name: str) -> str:
        """The rule the field's value breaks (parsing, required, its validators), or ''."""
        row = self._rows[name]
        form_field = self._fields[name]
        try:
            value = form_field.parse(self._raw(row))
        except ValueError as exc:
            return str(exc)
        if value in (None, ""):
            return "is required" if form_field.required else ""
        others = self._parsed()
        for validator in form_field.validators:
            rule = validator(value, others)
            if rule:
                return rule
        return ""

    def problem_text(self, name: str) -> str:
        """The problem shown beside the field, as the user reads it ('' when none)."""
        row = self._rows[name]
        return row.problem_text.text() if row.problem else ""

    def _show_problem(self, row: _Row, rule: str) -> None:
        row.problem = rule
        message = f"{row.field.label} {rule}" if rule else ""
        row.problem_text.setText(message)
        row.form.setRowVisible(row.problem_row, bool(rule))
        row.problem_row.setVisible(bool(rule))
        row.editor.setAccessibleDescription(message)
        self._fit_problem(row)

    def _fit_problem(self, row: _Row) -> None:
        """Gives a wrapped problem the height its lines need at the width of the field column.

        QFormLayout sizes wrapped text in a row for a guessed width and cuts the second line off,
        so the height is set here from the column's real width (again whenever the form resizes).
        """
        if not row.problem:
            row.problem_text.setMinimumHeight(0)
            return
        spacing = max(row.form.horizontalSpacing(), 0)
        column = row.form.contentsRect().right() - row.label.geometry().right() - spacing
        icon = row.problem_icon.sizeHint().width() + row.problem_row.layout().spacing()
        width = column - icon
        if width > 0:
            row.problem_text.setMinimumHeight(row.problem_text.heightForWidth(width))

    def show_errors(self, problems: Iterable[tuple[str, str]]) -> None:
        """Shows (field name, rule) pairs beside their fields; others above the form. Clears the rest."""
        by_field: dict[str, list[str]] = {}
        elsewhere: list[str] = []
        for name, rule in problems:
            if name in self._rows:
                by_field.setdefault(name, []).append(rule)
            else:
                label = name.replace("_", " ").capitalize()
                elsewhere.append(f"{label} {rule}" if name else rule)
        for name, row in self._rows.items():
            self._show_problem(row, "; ".join(by_field.get(name, [])))
            row.problem_from_save = bool(row.problem)
        self._form_problem_text.setText("\n".join(elsewhere))
        self.form_problem.setVisible(bool(elsewhere))

    def clear_errors(self) -> None:
        self.show_errors([])

    def has_errors(self) -> bool:
        return self.form_problem.isVisibleTo(self) or any(r.problem for r in self._rows.values())

    def focus_first_error(self) -> bool:
        """Puts the cursor in the first field with a problem, in reading order; False if none."""
        for row in self._rows.values():
            if row.problem:
                self._focus(row.editor)
                return True
        return False

    def _focus(self, editor: QWidget) -> None:
        editor.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(editor, QLineEdit):
            editor.selectAll()
        ancestor = self.parentWidget()
        while ancestor is not None and not isinstance(ancestor, QScrollArea):
            ancestor = ancestor.parentWidget()
        if ancestor is not None:
            ancestor.ensureWidgetVisible(editor)

    def check_changed_fields(self) -> None:
        """Judges every field that differs from what was loaded as if the user had just left it
        (after restoring a draft, whose typing may break a rule)."""
        for name, row in self._rows.items():
            if self._raw(row) != self._baseline.get(name):
                row.edited = True
                row.problem_from_save = False
                self._show_problem(row, self.problem_of(name))

    def validate(self) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Every rule of the form (cross-field ones too), shown beside the fields; returns
        the parsed values and the problems."""
        values, problems = self.definition.validate(self.raw_values())
        self.show_errors(problems)
        return values, problems

    # ---- editing --------------------------------------------------------------------------

    def _edited(self, name: str) -> None:
        if self._loading:
            return
        row = self._rows[name]
        row.edited = True
        row.problem_from_save = False
        if row.problem and not self.problem_of(name):
            self._show_problem(row, "")
        self.changed.emit()

    def _left(self, name: str) -> None:
        row = self._rows[name]
        kind = row.field.kind
        editor = row.editor
        if kind is FieldKind.DATE and isinstance(editor, QLineEdit):
            try:
                shown = format_date(parse_date(editor.text()))
            except ValueError:
                shown = editor.text()  # left as typed; the problem beside it says why
            if shown != editor.text():
                editor.setText(shown)
        elif kind is FieldKind.STATE and isinstance(editor, QLineEdit):
            code = state_code(editor.text())
            if code and code != editor.text():
                editor.setText(code)
        if not row.edited or row.problem_from_save:
            # Untouched fields are judged when saving: tabbing through an empty required field,
            # or past a masked value, is not a mistake.
            return
        self._show_problem(row, self.problem_of(name))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and isinstance(watched, QGroupBox):
            # The section's rows have their new geometry by now; wrapped problems follow it.
            for row in self._rows.values():
                if row.problem and row.form is watched.layout():
                    self._fit_problem(row)
        elif event.type() == QEvent.Type.FocusOut and isinstance(watched, QWidget):
            reason = event.reason()
            if reason not in (
                Qt.FocusReason.PopupFocusReason,
                Qt.FocusReason.ActiveWindowFocusReason,
            ):
                name = watched.objectName()
                if name in self._rows and not self._read_only:
                    self._left(name)
        elif (
            event.type() == QEvent.Type.KeyPress
            and isinstance(watched, QPlainTextEdit)
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.submit_requested.emit()
            return True
        return super().eventFilter(watched, event)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().sizeHint()
        # Room for a one-line problem beside the longest labels without the dialog jumping wider.
        return QSize(max(hint.width(), 40 * self.fontMetrics().averageCharWidth()), hint.height())
