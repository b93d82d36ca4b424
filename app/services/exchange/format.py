"""The data-exchange folder's files and columns: names, types and rules, shared by import and export."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.core.vocabulary import (
    ActivityOutcome,
    ActivityStatus,
    ActivityType,
    CaseStatus,
    Sex,
    SupervisionType,
    WarrantStatus,
)


class ColumnType(StrEnum):
    ID = "id"
    REFERENCE = "reference"
    NAME = "name"
    TEXT = "text"
    DATE = "date"
    TIMESTAMP = "timestamp"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    STATE = "state"
    STATE_OR_NATIONAL_OFFICE = "state_or_national_office"
    SSN = "ssn"
    IDENTIFIER = "identifier"
    JSON_OBJECT = "json_object"


# Ids of the source system are kept as they are; every id column holds at most this many characters.
ID_MAX_LENGTH = 40


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    # Part of the minimum contract (/work/shared/design/data-exchange.md): every header must
    # name it. The others are ours, documented in docs/data-exchange.md, and may be left out.
    contract: bool = True
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    references: str | None = None  # the file whose id this column names


@dataclass(frozen=True)
class FileSpec:
    name: str
    table: str
    id_column: str | None
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def contract_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.contract)

    def column(self, name: str) -> Column:
        for candidate in self.columns:
            if candidate.name == name:
                return candidate
        raise KeyError(name)


def _values(enum) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


C = ColumnType

OFFENDERS = FileSpec(
    "offenders.csv",
    "offender",
    "offender_id",
    (
        Column("offender_id", C.ID, required=True, max_length=ID_MAX_LENGTH),
        Column("last_name", C.NAME, required=True, max_length=80),
        Column("first_name", C.NAME, required=True, max_length=80),
        Column("middle_name", C.TEXT, max_length=80),
        Column("suffix", C.TEXT, max_length=10),
        Column("date_of_birth", C.DATE),
        Column("sex", C.CHOICE, choices=_values(Sex)),
        Column("race", C.TEXT, max_length=40),
        Column("ssn", C.SSN),
        Column("fbi_number", C.IDENTIFIER, max_length=20),
        Column("state_id", C.IDENTIFIER, max_length=20),
        Column("sex_offender", C.BOOLEAN),
        Column("victim_sensitive", C.BOOLEAN),
        Column("history_of_assault", C.BOOLEAN),
        Column("created_by_state", C.STATE_OR_NATIONAL_OFFICE, required=True),
        Column("created_at", C.TIMESTAMP),
        Column("confidential", C.BOOLEAN, contract=False),
        Column("updated_at", C.TIMESTAMP, contract=False),
    ),
)

ALIASES = FileSpec(
    "aliases.csv",
    "alias",
    None,
    (
        Column(
            "offender_id",
            C.REFERENCE,
            required=True,
            max_length=ID_MAX_LENGTH,
            references="offenders.csv",
        ),
        Column("last_name", C.NAME, required=True, max_length=80),
        Column("first_name", C.NAME, required=True, max_length=80),
        Column("middle_name", C.TEXT, max_length=80),
        Column("date_of_birth", C.DATE),
    ),
)

CASES = FileSpec(
    "cases.csv",
    "compact_case",
    "case_id",
    (
        Column("case_id", C.ID, required=True, max_length=ID_MAX_LENGTH),
        Column(
            "offender_id",
            C.REFERENCE,
            required=True,
            max_length=ID_MAX_LENGTH,
            references="offenders.csv",
        ),
        Column("sending_state", C.STATE, required=True),
        Column("receiving_state", C.STATE, required=True),
        Column("supervision_type", C.CHOICE, required=True, choices=_values(SupervisionType)),
        Column("status", C.CHOICE, choices=_values(CaseStatus)),
        Column("created_at", C.TIMESTAMP),
        Column("supervision_end_date", C.DATE),
        Column("offense_summary", C.TEXT, contract=False),
        Column("status_changed_at", C.TIMESTAMP, contract=False),
        Column("tolling", C.BOOLEAN, contract=False),
        Column("legacy", C.BOOLEAN, contract=False),
        Column("updated_at", C.TIMESTAMP, contract=False),
    ),
)

ACTIVITIES = FileSpec(
    "activities.csv",
    "activity",
    "activity_id",
    (
        Column("activity_id", C.ID, required=True, max_length=ID_MAX_LENGTH),
        Column(
            "case_id", C.REFERENCE, required=True, max_length=ID_MAX_LENGTH, references="cases.csv"
        ),
        Column("type", C.CHOICE, required=True, choices=_values(ActivityType)),
        Column("from_state", C.STATE, required=True),
        Column("to_state", C.STATE, required=True),
        Column("status", C.CHOICE, choices=_values(ActivityStatus)),
        Column("created_at", C.TIMESTAMP),
        Column("transmitted_at", C.TIMESTAMP),
        Column("reply_to", C.REFERENCE, max_length=ID_MAX_LENGTH, references="activities.csv"),
        Column("outcome", C.CHOICE, choices=_values(ActivityOutcome)),
        Column("submitted_at", C.TIMESTAMP, contract=False),
        Column("withdrawn_at", C.TIMESTAMP, contract=False),
        Column("due_date", C.DATE, contract=False),
        Column("content", C.JSON_OBJECT, contract=False),
        Column("updated_at", C.TIMESTAMP, contract=False),
    ),
)

WARRANTS = FileSpec(
    "warrants.csv",
    "warrant_status_record",
    "warrant_status_id",
    (
        Column("warrant_status_id", C.ID, required=True, max_length=ID_MAX_LENGTH),
        Column("created_ts", C.TIMESTAMP),
        Column("created_by", C.TEXT, max_length=120),
        Column("updated_ts", C.TIMESTAMP),
        Column("updated_by", C.TEXT, max_length=120),
        Column(
            "offender_id",
            C.REFERENCE,
            required=True,
            max_length=ID_MAX_LENGTH,
            references="offenders.csv",
        ),
        Column("warrant_status", C.CHOICE, choices=_values(WarrantStatus)),
        Column("requested_date", C.DATE),
        Column("issued_date", C.DATE, required=True),
        Column("issuing_authority", C.TEXT, required=True, max_length=200),
        Column("issuing_authority_contact", C.TEXT),
        Column("warrant_identifier", C.TEXT, max_length=20),
        Column("ncic_entry_date", C.DATE),
        Column("served_date", C.DATE),
        Column("withdrawn_date", C.DATE),
        Column("ncic_verified_date", C.DATE, contract=False),
        Column("retaking_authority", C.TEXT, contract=False, max_length=200),
        Column("comments", C.TEXT, contract=False),
    ),
)

# In the order they are read: every file refers only to files before it (and activities to
# activities), so each reference can be checked against rows already loaded.
FILES: tuple[FileSpec, ...] = (OFFENDERS, ALIASES, CASES, ACTIVITIES, WARRANTS)
BY_NAME = {spec.name: spec for spec in FILES}
REQUIRED_FILE = OFFENDERS.name

# The outcomes a reply may carry (the contract's list); every other type carries none.
OUTCOMES_BY_TYPE: dict[str, frozenset[str]] = {
    ActivityType.RFRI_REPLY: frozenset({ActivityOutcome.ACCEPTED, ActivityOutcome.REJECTED}),
    ActivityType.RETURN_RFRI_REPLY: frozenset({ActivityOutcome.ACCEPTED, ActivityOutcome.REJECTED}),
    ActivityType.TRANSFER_REPLY: frozenset({ActivityOutcome.ACCEPTED, ActivityOutcome.REJECTED}),
    ActivityType.CASE_CLOSURE_REPLY: frozenset({ActivityOutcome.AGREE, ActivityOutcome.DISAGREE}),
    ActivityType.VIOLATION_RESPONSE: frozenset(
        {ActivityOutcome.WARRANT_ISSUED, ActivityOutcome.RETURN_ORDERED, ActivityOutcome.OTHER}
    ),
}


@dataclass(frozen=True)
class ExchangeError:
    """One problem in the folder, printed as `file:line: column: message`.

    Line 0 stands for the file as a whole (a missing file); `column` names the column concerned,
    or `header`, `encoding`, `row` or `file` when no single column is.
    """

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"
