"""The application-wide change signal through which open views learn that data changed."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class AppEvents(QObject):
    """Re-emits the change set a service returned; each open view decides whether to refresh."""

    changes_applied = Signal(object)
