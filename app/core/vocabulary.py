"""The compact's own words as enumerations, shared by models, services, forms and views."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    COMPACT_OFFICE = "compact_office"
    STATE_ADMINISTRATOR = "state_administrator"
    NATIONAL_OFFICE = "national_office"


ROLE_LABELS = {
    Role.OFFICER: "Officer (PO)",
    Role.SUPERVISOR: "Supervisor",
    Role.COMPACT_OFFICE: "Compact office",
    Role.STATE_ADMINISTRATOR: "State administrator",
    Role.NATIONAL_OFFICE: "National office",
}


class JurisdictionKind(StrEnum):
    STATE = "state"
    DISTRICT = "district"
    TERRITORY = "territory"
    NATIONAL_OFFICE = "national_office"


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"
    OTHER = "X"
    UNKNOWN = "U"


class SupervisionType(StrEnum):
    PAROLE = "parole"
    PROBATION = "probation"
    # One person under both a parole and a probation term sent on one case.
    BOTH = "both"


SUPERVISION_TYPE_LABELS = {
    SupervisionType.PAROLE: "Parole",
    SupervisionType.PROBATION: "Probation",
    SupervisionType.BOTH: "Parole and probation",
}


class CaseStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


ACTIVE_CASE_STATUSES = frozenset({CaseStatus.PENDING, CaseStatus.ACCEPTED, CaseStatus.REJECTED})
HISTORICAL_CASE_STATUSES = frozenset({CaseStatus.WITHDRAWN, CaseStatus.CLOSED})


class InterestSide(StrEnum):
    SENDING = "sending"
    RECEIVING = "receiving"


class ActivityType(StrEnum):
    RFRI = "rfri"
    RFRI_REPLY = "rfri_reply"
    RETURN_RFRI = "return_rfri"
    RETURN_RFRI_REPLY = "return_rfri_reply"
    TRANSFER_REQUEST = "transfer_request"
    TRANSFER_REPLY = "transfer_reply"
    NOTICE_OF_DEPARTURE = "notice_of_departure"
    NOTICE_OF_ARRIVAL = "notice_of_arrival"
    NOTICE_OF_FAILURE_TO_ARRIVE = "notice_of_failure_to_arrive"
    PROGRESS_REPORT = "progress_report"
    VIOLATION_REPORT = "violation_report"
    VIOLATION_RESPONSE = "violation_response"
    VIOLATION_ADDENDUM = "violation_addendum"
    CASE_CLOSURE_NOTICE = "case_closure_notice"
    CASE_CLOSURE_REPLY = "case_closure_reply"
    COMPACT_ACTION_REQUEST = "compact_action_request"
    COMPACT_ACTION_REPLY = "compact_action_reply"
    DISCRETIONARY_RETAKE = "discretionary_retake"


ACTIVITY_TYPE_LABELS = {
    ActivityType.RFRI: "Request for reporting instructions",
    ActivityType.RFRI_REPLY: "Reply to request for reporting instructions",
    ActivityType.RETURN_RFRI: "Request for return reporting instructions",
    ActivityType.RETURN_RFRI_REPLY: "Reply to request for return reporting instructions",
    ActivityType.TRANSFER_REQUEST: "Transfer request",
    ActivityType.TRANSFER_REPLY: "Reply to transfer request",
    ActivityType.NOTICE_OF_DEPARTURE: "Notice of departure",
    ActivityType.NOTICE_OF_ARRIVAL: "Notice of arrival",
    ActivityType.NOTICE_OF_FAILURE_TO_ARRIVE: "Notice of failure to arrive",
    ActivityType.PROGRESS_REPORT: "Progress report",
    ActivityType.VIOLATION_REPORT: "Violation report",
    ActivityType.VIOLATION_RESPONSE: "Violation report response",
    ActivityType.VIOLATION_ADDENDUM: "Addendum to violation report response",
    ActivityType.CASE_CLOSURE_NOTICE: "Case closure notice",
    ActivityType.CASE_CLOSURE_REPLY: "Reply to case closure notice",
    ActivityType.COMPACT_ACTION_REQUEST: "Compact action request",
    ActivityType.COMPACT_ACTION_REPLY: "Reply to compact action request",
    ActivityType.DISCRETIONARY_RETAKE: "Discretionary retake",
}


class ActivityStatus(StrEnum):
    DRAFT = "draft"
    PENDING_SUPERVISOR = "pending_supervisor"
    PENDING_COMPACT_OFFICE = "pending_compact_office"
    TRANSMITTED = "transmitted"
    WITHDRAWN = "withdrawn"


class ActivityOutcome(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    AGREE = "agree"
    DISAGREE = "disagree"
    WARRANT_ISSUED = "warrant_issued"
    RETURN_ORDERED = "return_ordered"
    OTHER = "other"


class ApprovalDecision(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    TRANSMITTED = "transmitted"
    WITHDRAWN = "withdrawn"
    ACKNOWLEDGED = "acknowledged"


# Seed 002: on every warrant screen, PDF and e-mail.
WARRANT_DISCLAIMER = (
    "IMPORTANT: Arrests should not occur based on this information alone. Warrant Status does not "
    "necessarily indicate an active NCIC warrant, though the process of issuing a warrant may have "
    "been initiated. Inaccurate information should be reported to your state compact office "
    "immediately."
)


class WarrantStatus(StrEnum):
    ACTIVE = "Active"
    EXECUTED = "Executed"
    WITHDRAWN = "Withdrawn"


# Seed 002 names the special status a profile has while one of its warrant records is Active.
WARRANT_SPECIAL_STATUS = "Warrant Status"


class ManagementKind(StrEnum):
    MOVE = "move"
    MERGE = "merge"
    DELETE = "delete"


class ManagementStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DISAPPROVED = "disapproved"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class AuditAction(StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    BULK_LOAD = "bulk_load"
    VIEW_SENSITIVE = "view_sensitive"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"


class CalendarAdjustmentKind(StrEnum):
    CLOSED = "closed"  # an extra closure day (weather, state-declared closure)
    OPEN = "open"  # a listed holiday on which this office works


class DayCountUnit(StrEnum):
    BUSINESS = "business"
    CALENDAR = "calendar"
