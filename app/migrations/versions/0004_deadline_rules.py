"""Deadline rules by version, the reminder schedule, and the index the daily reminders read."""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Rules effective 1 Aug 2004; the business/calendar convention and the 10-business-day warrants
# from 1 Mar 2014; 15-business-day warrants and the 5.101(b) notice from 1 Apr 2022; the new 5.105
# and the amended 3.103 from 1 Apr 2026. A version lasts until the next one of its key; no version
# before a key's first means no rule was in force (DOMAIN.md 8.2).
RULES_2004 = date(2004, 8, 1)
CONVENTION_2014 = date(2014, 3, 1)
AMENDED_2022 = date(2022, 4, 1)
AMENDED_2026 = date(2026, 4, 1)
B, C = "business", "calendar"

# (rule_key, rule_number, description, effective_from, days, unit)
DEADLINE_RULES = (
    ("rfri_reply", "3.106", "The receiving state replies to a request for reporting instructions.", CONVENTION_2014, 2, B),
    ("rfri_sex_offender_reply", "3.101-3", "The receiving state replies to a request for reporting instructions for a sex offender.", CONVENTION_2014, 5, B),
    ("return_rfri_reply", "4.111", "The sending state grants return reporting instructions.", CONVENTION_2014, 2, B),
    ("transfer_request_after_ri", "3.106(c)", "The sending state sends the completed transfer request after reporting instructions were granted.", CONVENTION_2014, 7, B),
    ("transfer_reply", "3.104", "The receiving state investigates and replies to a completed transfer request.", RULES_2004, 45, C),
    ("living_in_rs_rfri", "3.103", "The sending state requests reporting instructions for a person living in the receiving state at sentencing.", CONVENTION_2014, 7, B),
    ("living_in_rs_rfri", "3.103", "The sending state requests reporting instructions for a person living in the receiving state at sentencing or released within 90 days of it.", AMENDED_2026, 10, B),
    ("progress_report_on_request", "4.106", "The receiving state sends a progress report the sending state requested.", CONVENTION_2014, 30, C),
    ("violation_report", "4.109", "The receiving state reports behavior requiring retaking, from its discovery.", CONVENTION_2014, 30, C),
    ("violation_response", "4.109", "The sending state responds to a violation report.", CONVENTION_2014, 10, B),
    ("warrant_after_violation_report", "5.103(a)", "The sending state issues a warrant after receiving a violation report requiring retaking.", CONVENTION_2014, 15, B),
    ("warrant_after_violation_report", "5.105", "The sending state issues a warrant after receiving a violation report requiring retaking.", AMENDED_2026, 15, B),
    ("warrant_after_failure_to_return", "5.103(c)", "The sending state issues a nationwide warrant after a failure to return as directed (2.110, 4.111, 5.101(a), 5.103(c)).", CONVENTION_2014, 10, B),
    ("warrant_after_failure_to_return", "5.103(c)", "The sending state issues a nationwide warrant after a failure to return as directed (2.110, 4.111, 5.101(a), 5.103(c)).", AMENDED_2022, 15, B),
    ("discretionary_retake_notice", "5.101(b)", "The sending state notifies the receiving state of a discretionary retaking, from the warrant's issue.", AMENDED_2022, 15, B),
    ("case_closure_notice", "4.112(c)", "The receiving state notifies the sending state of case closure, after the maximum expiration date.", CONVENTION_2014, 10, B),
    ("case_closure_reply", "4.112(d)", "The sending state replies to a case closure notice.", CONVENTION_2014, 10, B),
    ("probable_cause_report", "5.108(e)", "The receiving state sends the written report of a probable cause hearing.", CONVENTION_2014, 10, B),
    ("probable_cause_decision", "5.108(f)", "The sending state notifies its decision after receiving the probable cause hearing report.", CONVENTION_2014, 15, B),
    ("retake_after_custody", "5.105", "The sending state retakes a person held solely on its warrant.", CONVENTION_2014, 30, C),
)  # fmt: skip

# (activity type awaiting a reply, offset, unit, label), from ICOTS's e-mail schedule (DOMAIN.md
# 3.3), counted from the transmission in the replying state's calendar. The violation report's
# 'due in 4 days' at 6 days and 'due 10 days ago' at 20 are business days: only so do they agree
# with its 10-business-day 'due today'. The return request for reporting instructions follows the
# request for reporting instructions, whose reply has the same 2 business days.
REMINDER_RULES = (
    ("transfer_request", 30, C, "due in 15 days"),
    ("transfer_request", 44, C, "due tomorrow"),
    ("transfer_request", 45, C, "due today"),
    ("transfer_request", 46, C, "due yesterday"),
    ("transfer_request", 75, C, "due 30 days ago"),
    ("transfer_request", 105, C, "due 60 days ago"),
    ("case_closure_notice", 5, B, "due in 5 days"),
    ("case_closure_notice", 10, B, "due today"),
    ("case_closure_notice", 17, B, "due 7 days ago"),
    ("rfri", 2, B, "due today"),
    ("return_rfri", 2, B, "due today"),
    ("violation_report", 6, B, "due in 4 days"),
    ("violation_report", 10, B, "due today"),
    ("violation_report", 20, B, "due 10 days ago"),
)

ACTIVITY_TYPES = (
    "rfri", "rfri_reply", "return_rfri", "return_rfri_reply", "transfer_request",
    "transfer_reply", "notice_of_departure", "notice_of_arrival", "notice_of_failure_to_arrive",
    "progress_report", "violation_report", "violation_response", "violation_addendum",
    "case_closure_notice", "case_closure_reply", "compact_action_request", "compact_action_reply",
    "discretionary_retake",
)  # fmt: skip

_deadline_rule = sa.table(
    "deadline_rule",
    sa.column("id", sa.Integer),
    sa.column("rule_key", sa.String),
    sa.column("rule_number", sa.String),
    sa.column("description", sa.Text),
    sa.column("effective_from", sa.Date),
    sa.column("days", sa.Integer),
    sa.column("unit", sa.String),
)
_activity = sa.table("activity", sa.column("deadline_rule_id", sa.Integer))
# The daily reminders read one type's transmissions of a day. Without it they walk every
# transmitted activity with a due date: 150 s a night at 3 million activities, 0.1 s with it
# (building it there takes about 7 s).
TRANSMITTED_INDEX = "ix_activity_type_transmitted"


def upgrade() -> None:
    op.bulk_insert(
        _deadline_rule,
        [
            dict(
                rule_key=key,
                rule_number=number,
                description=description,
                effective_from=effective_from,
                days=days,
                unit=unit,
            )
            for key, number, description, effective_from, days, unit in DEADLINE_RULES
        ],
    )
    reminder_rule = op.create_table(
        "reminder_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "activity_type",
            sa.Enum(
                *ACTIVITY_TYPES, name="activity_type", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("offset", sa.Integer(), nullable=False),
        sa.Column(
            "unit",
            sa.Enum(
                "business",
                "calendar",
                name="day_count_unit",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_rule")),
        sa.UniqueConstraint(
            "activity_type", "offset", "unit", name=op.f("uq_reminder_rule_activity_type")
        ),
    )
    op.bulk_insert(
        reminder_rule,
        [
            dict(activity_type=kind, offset=offset, unit=unit, label=label)
            for kind, offset, unit, label in REMINDER_RULES
        ],
    )
    op.create_index(TRANSMITTED_INDEX, "activity", ["type", "transmitted_at"], unique=False)


def downgrade() -> None:
    op.drop_index(TRANSMITTED_INDEX, table_name="activity")
    op.drop_table("reminder_rule")
    seeded = sa.tuple_(_deadline_rule.c.rule_key, _deadline_rule.c.effective_from).in_(
        [(key, effective_from) for key, _, _, effective_from, _, _ in DEADLINE_RULES]
    )
    seeded_ids = sa.select(_deadline_rule.c.id).where(seeded)
    # Activities keep their due dates; only the link to a rule that no longer exists goes.
    op.execute(
        _activity.update()
        .where(_activity.c.deadline_rule_id.in_(seeded_ids))
        .values(deadline_rule_id=None)
    )
    op.execute(_deadline_rule.delete().where(seeded))
