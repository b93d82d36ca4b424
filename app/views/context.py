"""What every window needs to work, handed over explicitly instead of through globals."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.permissions import Actor
from app.db import Database
from app.views.events import AppEvents


@dataclass(frozen=True)
class AppContext:
    database: Database
    actor: Actor
    events: AppEvents
