"""Today's date and the current time, in one place so that tests and reports can pin them."""

from __future__ import annotations

from datetime import UTC, date, datetime


def today() -> date:
    return date.today()


def now() -> datetime:
    return datetime.now(UTC)
