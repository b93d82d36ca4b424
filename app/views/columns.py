"""What table models share about their columns: a title each, shown as the horizontal header."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import Qt

RowT = TypeVar("RowT")


@dataclass(frozen=True)
class Column(Generic[RowT]):
    title: str
    text: Callable[[RowT], str]


def column_header(
    columns: Sequence[Column[Any]], section: int, orientation: Qt.Orientation, role: int
) -> Any:
    if (
        orientation == Qt.Orientation.Horizontal
        and role == Qt.ItemDataRole.DisplayRole
        and 0 <= section < len(columns)
    ):
        return columns[section].title
    return None
