"""Every activity type as one declaration: its form, who drafts it, its chain, its reply and deadline.

The activity engine (`app.services.activities`) reads only these declarations; adding a type is
adding an `ActivitySpec` here (and its value to `ActivityType`), not touching the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.core.vocabulary import ACTIVITY_TYPE_LABELS, ActivityOutcome, ActivityType
from app.forms.fields import Field, FieldKind, FormDefinition, Section
from app.forms.transfer_request import TRANSFER_RESIDENCE_FORM
from app.forms.validators import not_in_future

YES_NO = (("yes", "Yes"), ("no", "No"))


class Initiator(StrEnum):
    """The side of the case that drafts the activity."""

    SENDING = "sending"
    RECEIVING = "receiving"
    EITHER = "either"
    # A reply: the state that received what it answers.
    REPLYING = "replying"


class Withdrawal(StrEnum):
    """When a transmitted activity may still be withdrawn, and by whom."""

    NEVER = "never"  # unmanaged notices: the other state has them at once (DOMAIN 3.1)
    BEFORE_REPLY = "before_reply"  # a managed request, until the other state replies
    ASSIGNED_USER = "assigned_user"  # final once sent, except that the assigned user may withdraw


@dataclass(frozen=True)
class ActivitySpec:
    type: ActivityType
    form: FormDefinition
    initiator: Initiator
    # Managed: officer -> supervisor -> compact office -> other state. Unmanaged: sent at once.
    managed: bool
    # For a reply: the type it answers. Expected reply: what the other state sends back.
    replies_to: ActivityType | None = None
    expected_reply: ActivityType | None = None
    # Deadline rule (app.services.deadlines) for the expected reply, counted from transmission
    # in the replying state's calendar.
    reply_rule: str | None = None
    withdrawal: Withdrawal = Withdrawal.BEFORE_REPLY
    # The content field whose value is the activity's outcome (accept/reject, agree/...).
    outcome_field: str | None = None
    outcomes: Mapping[str, ActivityOutcome] | None = None
    # Offered only once a notice of arrival was transmitted on the case (violation reports).
    needs_arrival: bool = False

    @property
    def label(self) -> str:
        return ACTIVITY_TYPE_LABELS[self.type]


def _required_when(field: str, value: str, needed: str, rule: str):
    def check(values: Mapping[str, Any]) -> list[tuple[str, str]]:
        if values.get(field) == value and not values.get(needed):
            return [(needed, rule)]
        return []

    return check


def _not_before(later: str, earlier: str, rule: str):
    def check(values: Mapping[str, Any]) -> list[tuple[str, str]]:
        first, second = values.get(earlier), values.get(later)
        if first and second and second < first:
            return [(later, rule)]
        return []

    return check


def _form(name: str, title: str, *sections: Section, checks=()) -> FormDefinition:
    return FormDefinition(
        name=f"activity_{name}", title=title, sections=sections, cross_checks=checks
    )


def _text(name: str, label: str, *, required: bool = False, length: int = 200) -> Field:
    return Field(name, label, FieldKind.TEXT, required=required, max_length=length)


def _long(name: str, label: str, *, required: bool = False) -> Field:
    return Field(name, label, FieldKind.MULTILINE, required=required, max_length=8000)


def _date(name: str, label: str, *, required: bool = False, past: bool = False) -> Field:
    validators = (not_in_future,) if past else ()
    return Field(name, label, FieldKind.DATE, required=required, validators=validators)


def _choice(name: str, label: str, choices, *, required: bool = True) -> Field:
    return Field(name, label, FieldKind.CHOICE, required=required, choices=tuple(choices))


# --- Discretionary Retake (seed 002; DECISIONS 'Cases and activities') ---------------------------
RETAKE_REASONS = (
    ("non_compliance", "Non-compliance with the conditions of supervision"),
    ("progress_report", "Non-compliance reported on a progress report"),
    ("sentencing_authority", "Ordered by the sentencing or releasing authority"),
    ("other", "Other (explain)"),
)


def _no_pending_charges(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    if values.get("pending_felony_or_violent_charges") == "yes":
        return [
            (
                "pending_felony_or_violent_charges",
                "discretionary retaking cannot be started while felony or violent-crime charges "
                "are pending (Rule 5.101-1); send a progress report instead",
            )
        ]
    return []


def _warrant_given(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The warrant: a link to the profile's record, or its issue date and issuing authority."""
    if values.get("warrant_status_id"):
        return []
    problems = []
    if not values.get("warrant_issued_date"):
        problems.append(
            ("warrant_issued_date", "is required unless a warrant status record is linked")
        )
    if not values.get("issuing_authority"):
        problems.append(
            ("issuing_authority", "is required unless a warrant status record is linked")
        )
    return problems


DISCRETIONARY_RETAKE_FORM = _form(
    "discretionary_retake",
    "Discretionary Retake",
    Section(
        "Intent to retake (Rule 5.101(b))",
        (
            _choice("retake_reason", "Reason", RETAKE_REASONS),
            _long("reason_text", "Explanation of the reason", required=True),
            _choice("pending_felony_or_violent_charges",
                    "Felony or violent-crime charges pending?", YES_NO),
        ),
    ),
    Section(
        "Warrant",
        (
            _text("warrant_status_id", "Warrant status record", length=40),
            _date("warrant_issued_date", "Date the warrant was issued", past=True),
            _text("issuing_authority", "Issuing authority (name and title)"),
            _text("warrant_identifier", "Warrant identifier (NIC number)", length=20),
        ),
    ),
    checks=(_no_pending_charges, _warrant_given),
)  # fmt: skip


# --- The other types (DOMAIN 3.2) -----------------------------------------------------------------
RFRI_REASONS = (
    ("military", "Military member or veteran (Rule 3.101-1)"),
    ("family", "Family member transferring (Rule 3.101-1)"),
    ("living_in_rs", "Living in the receiving state at sentencing (Rule 3.103)"),
    ("expedited", "Expedited reporting instructions (Rule 3.106)"),
    ("sex_offender", "Sex offender (Rule 3.101-3)"),
    ("other", "Other emergency"),
)
GRANT = (("granted", "Granted"), ("denied", "Denied"))
ACCEPT = (("accepted", "Accepted"), ("rejected", "Rejected"))
AGREE = (("agree", "Agree"), ("disagree", "Disagree"))
TRANSFER_REASONS = (
    ("resident", "Resident of the receiving state (Rule 1.101)"),
    ("resident_family", "Resident family in the receiving state (Rule 1.101)"),
    ("discretionary", "Discretionary transfer (Rule 3.101-2)"),
    ("military", "Military, family member or veteran (Rule 3.101-1)"),
)
VIOLATION_ACTIONS = (
    ("warrant_issued", "Warrant issued / requested"),
    ("return_ordered", "Order to return"),
    ("continue_supervision", "Continue supervision"),
    ("other", "Other action"),
)
CLOSURE_REASONS = (
    ("discharge", "Discharge of supervision"),
    ("absconded", "Notification of absconding"),
    ("incarcerated", "Sentence of incarceration of 180 days or more"),
    ("death", "Death"),
    ("returned", "Return to the sending state"),
    ("subsequent_state", "Transfer to a subsequent state"),
)
CAR_KINDS = (
    ("progress_report", "Request for a progress report"),
    ("fines_fees", "Fines, fees or restitution"),
    ("expiration_date", "Change of the supervision expiration date"),
    ("profile_correction", "Correction of the offender profile"),
    ("travel_permit", "Travel permit notice (Rule 3.110)"),
    ("subsequent_state", "Transfer to a subsequent state (Rule 4.110)"),
    ("other", "Other"),
)

_DECIDED = {"granted": ActivityOutcome.ACCEPTED, "denied": ActivityOutcome.REJECTED}
_ACCEPTED = {"accepted": ActivityOutcome.ACCEPTED, "rejected": ActivityOutcome.REJECTED}
_AGREED = {"agree": ActivityOutcome.AGREE, "disagree": ActivityOutcome.DISAGREE}
_ACTED = {
    "warrant_issued": ActivityOutcome.WARRANT_ISSUED,
    "return_ordered": ActivityOutcome.RETURN_ORDERED,
    "continue_supervision": ActivityOutcome.OTHER,
    "other": ActivityOutcome.OTHER,
}

SPECS: tuple[ActivitySpec, ...] = (
    ActivitySpec(
        ActivityType.RFRI,
        _form("rfri", "Request for reporting instructions", Section("Request", (
            _choice("reason", "Reason for reporting instructions", RFRI_REASONS),
            _text("residence_address", "Proposed residence", required=True, length=300),
            _date("intended_departure_date", "Intended departure date"),
            _long("justification", "Justification", required=True),
        ))),
        Initiator.SENDING, managed=True, expected_reply=ActivityType.RFRI_REPLY,
        reply_rule="rfri_reply",
    ),
    ActivitySpec(
        ActivityType.RFRI_REPLY,
        _form("rfri_reply", "Reply to request for reporting instructions", Section("Reply", (
            _choice("decision", "Decision", GRANT),
            _date("report_date", "Report date"),
            _long("instructions", "Reporting instructions"),
            _long("denial_reason", "Reason for denial"),
        )), checks=(
            _required_when("decision", "granted", "report_date", "is required when granted"),
            _required_when("decision", "denied", "denial_reason", "is required when denied"),
        )),
        Initiator.REPLYING, managed=True, replies_to=ActivityType.RFRI,
        outcome_field="decision", outcomes=_DECIDED,
    ),
    ActivitySpec(
        ActivityType.RETURN_RFRI,
        _form("return_rfri", "Request for return reporting instructions", Section("Return", (
            _text("returning_residence", "Returning residence", required=True, length=300),
            _text("means_of_support", "Employment or means of support", length=300),
            _date("departure_date", "Departure date", required=True),
            _date("intended_return_date", "Intended return date"),
            _long("reason", "Reason for return", required=True),
        ))),
        Initiator.RECEIVING, managed=True, expected_reply=ActivityType.RETURN_RFRI_REPLY,
        reply_rule="return_rfri_reply",
    ),
    ActivitySpec(
        ActivityType.RETURN_RFRI_REPLY,
        # No valid reason exists to refuse a person returning to the sending state (Rule 4.111).
        _form("return_rfri_reply", "Reply to request for return reporting instructions",
              Section("Reply", (
                  _date("report_date", "Report date", required=True),
                  _long("instructions", "Reporting instructions", required=True),
              ))),
        Initiator.REPLYING, managed=True, replies_to=ActivityType.RETURN_RFRI,
    ),
    ActivitySpec(
        ActivityType.TRANSFER_REQUEST,
        _form("transfer_request", "Transfer request", Section("Transfer", (
            _choice("transfer_reason", "Reason for transfer", TRANSFER_REASONS),
            _long("justification", "Reason and justification", required=True),
            _date("intended_departure_date", "Intended departure date"),
            _text("residence_address", "Proposed residence", required=True, length=300),
            _text("sponsor", "Sponsor and others in the home", length=300),
            _text("means_of_support", "Employment or means of support", length=300),
            _long("offense_details", "Offense details", required=True),
            _long("conditions", "Conditions of supervision", required=True),
        )), *TRANSFER_RESIDENCE_FORM.sections),
        Initiator.SENDING, managed=True, expected_reply=ActivityType.TRANSFER_REPLY,
        reply_rule="transfer_reply",
    ),
    ActivitySpec(
        ActivityType.TRANSFER_REPLY,
        _form("transfer_reply", "Reply to transfer request", Section("Reply", (
            _choice("decision", "Decision", ACCEPT),
            _date("report_date", "Report date"),
            _long("instructions", "Reporting instructions"),
            _long("rejection_reasons", "Reasons for rejection"),
        )), checks=(
            _required_when("decision", "accepted", "instructions",
                           "is required: an acceptance includes reporting instructions"),
            _required_when("decision", "rejected", "rejection_reasons",
                           "is required: a rejection gives its specific reasons"),
        )),
        Initiator.REPLYING, managed=True, replies_to=ActivityType.TRANSFER_REQUEST,
        outcome_field="decision", outcomes=_ACCEPTED,
    ),
    ActivitySpec(
        ActivityType.NOTICE_OF_DEPARTURE,
        _form("notice_of_departure", "Notice of departure", Section("Departure", (
            _date("departure_date", "Departure date", required=True, past=True),
            _date("report_date", "Report date"),
            _long("comments", "Comments"),
        ))),
        Initiator.EITHER, managed=False, withdrawal=Withdrawal.NEVER,
    ),
    ActivitySpec(
        ActivityType.NOTICE_OF_ARRIVAL,
        _form("notice_of_arrival", "Notice of arrival", Section("Arrival", (
            _date("arrival_date", "Arrival date", required=True, past=True),
            _text("address", "Address", length=300),
            _long("comments", "Comments"),
        ))),
        Initiator.EITHER, managed=False, withdrawal=Withdrawal.NEVER,
    ),
    ActivitySpec(
        ActivityType.NOTICE_OF_FAILURE_TO_ARRIVE,
        _form("notice_of_failure_to_arrive", "Notice of failure to arrive", Section("Did not arrive", (
            _date("expected_report_date", "Expected report date", required=True),
            _long("efforts_to_locate", "Efforts to locate", required=True),
        ))),
        Initiator.EITHER, managed=False, withdrawal=Withdrawal.NEVER,
    ),
    ActivitySpec(
        ActivityType.PROGRESS_REPORT,
        _form("progress_report", "Progress report", Section("Progress (Rule 4.106)", (
            _text("current_address", "Current address, phone and e-mail", required=True, length=300),
            _text("employer", "Employer", length=200),
            _long("conduct_summary", "Conduct and compliance", required=True),
            _long("treatment", "Treatment programs"),
            _long("sanctions", "Sanctions since the last report"),
            _long("recommendation", "Recommendation"),
        ))),
        # Reviewed inside the receiving state, then sent; no reply (DOMAIN 3.1).
        Initiator.RECEIVING, managed=True, withdrawal=Withdrawal.ASSIGNED_USER,
    ),
    ActivitySpec(
        ActivityType.VIOLATION_REPORT,
        _form("violation_report", "Violation report", Section("Violation (Rule 4.109)", (
            _date("discovery_date", "Date the behavior was discovered", required=True, past=True),
            _long("behavior", "Dates and description of the behavior", required=True),
            _long("responses_used", "Graduated responses used and the outcome", required=True),
            _choice("retaking_requested", "Retaking requested?", YES_NO),
            _choice("available_for_retaking", "Available for retaking?", YES_NO),
            _long("recommendation", "Recommendation"),
        ))),
        Initiator.RECEIVING, managed=True, expected_reply=ActivityType.VIOLATION_RESPONSE,
        reply_rule="violation_response", needs_arrival=True,
    ),
    ActivitySpec(
        ActivityType.VIOLATION_RESPONSE,
        _form("violation_response", "Violation report response", Section("Response", (
            _choice("action", "Action the sending state will take", VIOLATION_ACTIONS),
            _date("action_start_date", "Start date", required=True),
            _date("estimated_completion_date", "Estimated completion"),
            _long("comments", "Comments"),
        )), checks=(_not_before("estimated_completion_date", "action_start_date",
                                "cannot be before the start date"),)),
        Initiator.REPLYING, managed=True, replies_to=ActivityType.VIOLATION_REPORT,
        outcome_field="action", outcomes=_ACTED,
    ),
    ActivitySpec(
        ActivityType.VIOLATION_ADDENDUM,
        _form("violation_addendum", "Addendum to violation report response", Section("Addendum", (
            _choice("action", "Action the sending state will take", VIOLATION_ACTIONS),
            _long("comments", "What changed", required=True),
        ))),
        Initiator.SENDING, managed=True, outcome_field="action", outcomes=_ACTED,
        needs_arrival=True,
    ),
    ActivitySpec(
        ActivityType.CASE_CLOSURE_NOTICE,
        _form("case_closure_notice", "Case closure notice", Section("Closure (Rule 4.112)", (
            _choice("closure_reason", "Reason for closure", CLOSURE_REASONS),
            _date("closure_date", "Date of closure", required=True),
            _long("reason", "Details", required=True),
        ))),
        Initiator.RECEIVING, managed=True, expected_reply=ActivityType.CASE_CLOSURE_REPLY,
        reply_rule="case_closure_reply",
    ),
    ActivitySpec(
        ActivityType.CASE_CLOSURE_REPLY,
        _form("case_closure_reply", "Reply to case closure notice", Section("Reply", (
            _choice("decision", "Decision", AGREE),
            _long("comment", "Comment"),
        )), checks=(_required_when("decision", "disagree", "comment",
                                   "is required when disagreeing"),)),
        Initiator.REPLYING, managed=True, replies_to=ActivityType.CASE_CLOSURE_NOTICE,
        outcome_field="decision", outcomes=_AGREED,
    ),
    ActivitySpec(
        ActivityType.COMPACT_ACTION_REQUEST,
        _form("compact_action_request", "Compact action request", Section("Request", (
            _choice("request_kind", "Kind of request", CAR_KINDS),
            _long("details", "Details", required=True),
        ))),
        Initiator.EITHER, managed=False, withdrawal=Withdrawal.NEVER,
    ),
    ActivitySpec(
        ActivityType.COMPACT_ACTION_REPLY,
        _form("compact_action_reply", "Reply to compact action request", Section("Reply", (
            _long("reply", "Reply", required=True),
        ))),
        Initiator.REPLYING, managed=False, replies_to=ActivityType.COMPACT_ACTION_REQUEST,
        withdrawal=Withdrawal.NEVER,
    ),
    ActivitySpec(
        ActivityType.DISCRETIONARY_RETAKE,
        DISCRETIONARY_RETAKE_FORM,
        # Mirrors the progress report's chain, but the sending state transmits (seed 002).
        Initiator.SENDING, managed=True, withdrawal=Withdrawal.ASSIGNED_USER,
    ),
)  # fmt: skip

ACTIVITY_SPECS: dict[ActivityType, ActivitySpec] = {spec.type: spec for spec in SPECS}


def spec_for(activity_type: ActivityType | str) -> ActivitySpec:
    return ACTIVITY_SPECS[ActivityType(activity_type)]
