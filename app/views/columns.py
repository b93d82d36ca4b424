"""What table models share about their columns: a title each, shown as the horizontal header."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from PySide6.QtCore import Qt


class TitledColumn(Protocol):
    title: str


def column_header(
    columns: Sequence[TitledColumn], section: int, orientation: Qt.Orientation, role: int
) -> Any:
    if (
        orientation == Qt.Orientation.Horizontal
        and role == Qt.ItemDataRole.DisplayRole
        and 0 <= section < len(columns)
    ):
        return columns[section].title
    return None
