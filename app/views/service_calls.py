"""Running a service from a screen: in one unit of work as the signed-in user, with refusals shown
to the user in words and every open view told that data changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.errors import ConcurrencyConflict, UserError
from app.views.context import AppContext

T = TypeVar("T")


def conflict_text(conflict: ConcurrencyConflict) -> str:
    """The message and, field by field, their saved value against the one typed here."""
    lines = [str(conflict)]
    changed = [
        name
        for name in sorted(set(conflict.theirs) | set(conflict.mine))
        if conflict.theirs.get(name) != conflict.mine.get(name)
    ]
    if changed:
        lines.append("")
        lines.append("Field: saved by them → yours")
        for name in changed:
            theirs = conflict.theirs.get(name)
            mine = conflict.mine.get(name)
            lines.append(f"  {name.replace('_', ' ')}: {theirs or '(blank)'} → {mine or '(blank)'}")
    return "\n".join(lines)


def show_refusal(parent: QWidget | None, title: str, error: UserError) -> None:
    if isinstance(error, ConcurrencyConflict):
        box = QMessageBox(QMessageBox.Icon.Warning, title, conflict_text(error), parent=parent)
        box.setObjectName("conflictMessage")
        box.exec()
        return
    QMessageBox.warning(parent, title, str(error))


def run_change(
    parent: QWidget | None,
    context: AppContext,
    title: str,
    work: Callable[[Any], T],
    *,
    changed: Any = None,
) -> T | None:
    """Runs `work(session)` as the signed-in user; None (after telling the user) if refused."""
    try:
        with context.database.unit_of_work(context.actor) as session:
            result = work(session)
    except UserError as error:
        show_refusal(parent, title, error)
        return None
    context.events.changes_applied.emit(changed)
    return result
