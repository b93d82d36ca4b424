"""SQLAlchemy entities of the whole domain; importing this package registers every table."""

import app.models.search_index  # noqa: F401  (registers the name index listener)
from app.models.activities import Activity, ActivityStep, ProbableCauseRecord, TransmittedCopy
from app.models.base import Base
from app.models.cases import CaseInterest, CaseNote, CompactCase
from app.models.drafts import FormDraft
from app.models.management import ManagementApproval, ManagementRequest, RetentionSnapshot
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
from app.models.warrants import WarrantStatusRecord

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
    "Residence",
    "RetentionSnapshot",
    "Setting",
    "TransmittedCopy",
    "User",
    "UserRole",
    "WarrantStatusRecord",
]
