"""SQLAlchemy entities of the whole domain.

What the first screen needs (people, profiles, cases, the audit log) is imported with the package;
activities, warrants, offender management and drafts on first use (PEP 562), which keeps about a
tenth of a second of class declarations out of start-up. `load_all()` imports every module, for
whatever needs the whole schema (migrations, schema comparisons, bulk loads).
"""

import importlib

from sqlalchemy import MetaData

import app.models.search_index  # noqa: F401  (registers the name index listener)
import app.models.special_status  # noqa: F401  (registers the case special-status listener)
from app.models.base import Base
from app.models.cases import CaseInterest, CaseNote, CompactCase
from app.models.offenders import (
    Alias,
    FormerOffenderNumber,
    Offender,
    OffenderLink,
    OffenderName,
    Residence,
)
from app.models.people import Jurisdiction, User, UserRole
from app.models.system import (
    AuditEntry,
    CalendarAdjustment,
    DeadlineRule,
    Notification,
    NumberCounter,
    Setting,
)

_ON_FIRST_USE = {
    "Activity": "app.models.activities",
    "ActivityStep": "app.models.activities",
    "ProbableCauseRecord": "app.models.activities",
    "TransmittedCopy": "app.models.activities",
    "FormDraft": "app.models.drafts",
    "ManagementApproval": "app.models.management",
    "ManagementRequest": "app.models.management",
    "ReminderRule": "app.models.system",
    "RetentionSnapshot": "app.models.management",
    "WarrantStatusRecord": "app.models.warrants",
}


def __getattr__(name: str):
    module = _ON_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module 'app.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def load_all() -> MetaData:
    """Imports every entity module; returns the complete metadata."""
    for module in sorted(set(_ON_FIRST_USE.values())):
        importlib.import_module(module)
    return Base.metadata


__all__ = [
    "Activity",
    "ActivityStep",
    "Alias",
    "AuditEntry",
    "Base",
    "CalendarAdjustment",
    "CaseInterest",
    "CaseNote",
    "CompactCase",
    "DeadlineRule",
    "FormDraft",
    "FormerOffenderNumber",
    "Jurisdiction",
    "ManagementApproval",
    "ManagementRequest",
    "Notification",
    "NumberCounter",
    "Offender",
    "OffenderLink",
    "OffenderName",
    "ProbableCauseRecord",
    "ReminderRule",
    "Residence",
    "RetentionSnapshot",
    "Setting",
    "TransmittedCopy",
    "User",
    "UserRole",
    "WarrantStatusRecord",
    "load_all",
]
