"""Initial schema: the whole domain, name search indexes, the append-only audit log, reference data."""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.core.jurisdictions import JURISDICTIONS
from app.core.vocabulary import Role

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "insert",
                "update",
                "delete",
                "bulk_load",
                "view_sensitive",
                "sign_in",
                "sign_in_failed",
                name="audit_action",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("entity", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.String(length=80), nullable=True),
        sa.Column("offender_id", sa.Integer(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entry_entity", ["entity", "entity_id"], unique=False)
        batch_op.create_index("ix_audit_entry_offender", ["offender_id", "id"], unique=False)

    op.create_table(
        "deadline_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_key", sa.String(length=60), nullable=False),
        sa.Column("rule_number", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_rule")),
        sa.UniqueConstraint("rule_key", "effective_from", name=op.f("uq_deadline_rule_rule_key")),
    )
    op.create_table(
        "jurisdiction",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "state",
                "district",
                "territory",
                "national_office",
                name="jurisdiction_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("divided", sa.Boolean(), nullable=False),
        sa.Column("office_address", sa.Text(), nullable=True),
        sa.Column("office_phone", sa.String(length=40), nullable=True),
        sa.Column("office_fax", sa.String(length=40), nullable=True),
        sa.Column("office_email", sa.String(length=254), nullable=True),
        sa.Column("designee_name", sa.String(length=120), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_jurisdiction")),
        sa.UniqueConstraint("name", name=op.f("uq_jurisdiction_name")),
    )
    op.create_table(
        "number_counter",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("next_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_number_counter")),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("jurisdiction_code", sa.String(length=2), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("is_system", sa.Boolean(), nullable=False),
        sa.Column("on_leave", sa.Boolean(), nullable=False),
        sa.Column("reports_to_id", sa.Integer(), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_app_user_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["reports_to_id"], ["app_user.id"], name=op.f("fk_app_user_reports_to_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_app_user_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )

    op.create_table(
        "calendar_adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=2), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "closed",
                "open",
                name="calendar_adjustment_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_calendar_adjustment_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_adjustment")),
        sa.UniqueConstraint(
            "jurisdiction_code", "day", name=op.f("uq_calendar_adjustment_jurisdiction_code")
        ),
    )
    op.create_table(
        "offender",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "offender_number",
            sa.String(length=40).with_variant(sa.String(length=40, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("middle_name", sa.String(length=80), nullable=True),
        sa.Column("suffix", sa.String(length=10), nullable=True),
        sa.Column(
            "last_name_key",
            sa.String(length=80).with_variant(sa.String(length=80, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "first_name_key",
            sa.String(length=80).with_variant(sa.String(length=80, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column(
            "sex",
            sa.Enum("M", "F", "X", "U", name="sex", native_enum=False, create_constraint=True),
            nullable=True,
        ),
        sa.Column("race", sa.String(length=40), nullable=True),
        sa.Column("ssn", sa.String(length=9), nullable=True),
        sa.Column(
            "fbi_number",
            sa.String(length=20).with_variant(sa.String(length=20, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "state_id",
            sa.String(length=20).with_variant(sa.String(length=20, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("sex_offender", sa.Boolean(), nullable=False),
        sa.Column("victim_sensitive", sa.Boolean(), nullable=False),
        sa.Column("history_of_assault", sa.Boolean(), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("created_by_state", sa.String(length=2), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("not_duplicate_certified_by_id", sa.Integer(), nullable=True),
        sa.Column("not_duplicate_certified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_state"],
            ["jurisdiction.code"],
            name=op.f("fk_offender_created_by_state_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_offender_created_by_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["not_duplicate_certified_by_id"],
            ["app_user.id"],
            name=op.f("fk_offender_not_duplicate_certified_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offender")),
        sa.UniqueConstraint("offender_number", name=op.f("uq_offender_offender_number")),
    )
    with op.batch_alter_table("offender", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offender_created_by_state"), ["created_by_state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_offender_created_by_user_id"), ["created_by_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_offender_date_of_birth"), ["date_of_birth"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_offender_fbi_number"), ["fbi_number"], unique=False)
        batch_op.create_index(
            "ix_offender_first_name", ["first_name_key", "last_name_key"], unique=False
        )
        batch_op.create_index(
            "ix_offender_name", ["last_name_key", "first_name_key", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_offender_ssn"), ["ssn"], unique=False)
        batch_op.create_index(batch_op.f("ix_offender_state_id"), ["state_id"], unique=False)

    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "officer",
                "supervisor",
                "compact_office",
                "state_administrator",
                "national_office",
                name="role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_user_role_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_role")),
    )
    op.create_table(
        "alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offender_id", sa.Integer(), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("middle_name", sa.String(length=80), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column(
            "last_name_key",
            sa.String(length=80).with_variant(sa.String(length=80, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "first_name_key",
            sa.String(length=80).with_variant(sa.String(length=80, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offender_id"],
            ["offender.id"],
            name=op.f("fk_alias_offender_id_offender"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alias")),
    )
    with op.batch_alter_table("alias", schema=None) as batch_op:
        batch_op.create_index("ix_alias_name", ["last_name_key", "first_name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_alias_offender_id"), ["offender_id"], unique=False)

    op.create_table(
        "compact_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "case_number",
            sa.String(length=40).with_variant(sa.String(length=40, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("offender_id", sa.Integer(), nullable=False),
        sa.Column("sending_state", sa.String(length=2), nullable=False),
        sa.Column("receiving_state", sa.String(length=2), nullable=False),
        sa.Column(
            "supervision_type",
            sa.Enum(
                "parole",
                "probation",
                name="supervision_type",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "rejected",
                "withdrawn",
                "closed",
                name="case_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("offense_summary", sa.Text(), nullable=True),
        sa.Column("supervision_end_date", sa.Date(), nullable=True),
        sa.Column("sending_assigned_user_id", sa.Integer(), nullable=True),
        sa.Column("receiving_assigned_user_id", sa.Integer(), nullable=True),
        sa.Column("tolling", sa.Boolean(), nullable=False),
        sa.Column("legacy", sa.Boolean(), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["offender_id"],
            ["offender.id"],
            name=op.f("fk_compact_case_offender_id_offender"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["receiving_assigned_user_id"],
            ["app_user.id"],
            name=op.f("fk_compact_case_receiving_assigned_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["receiving_state"],
            ["jurisdiction.code"],
            name=op.f("fk_compact_case_receiving_state_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["sending_assigned_user_id"],
            ["app_user.id"],
            name=op.f("fk_compact_case_sending_assigned_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["sending_state"],
            ["jurisdiction.code"],
            name=op.f("fk_compact_case_sending_state_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compact_case")),
        sa.UniqueConstraint("case_number", name=op.f("uq_compact_case_case_number")),
    )
    with op.batch_alter_table("compact_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compact_case_offender_id"), ["offender_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_compact_case_receiving_assigned_user_id"),
            ["receiving_assigned_user_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_compact_case_receiving_status", ["receiving_state", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_compact_case_sending_assigned_user_id"),
            ["sending_assigned_user_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_compact_case_sending_status", ["sending_state", "status"], unique=False
        )

    op.create_table(
        "former_offender_number",
        sa.Column(
            "number",
            sa.String(length=40).with_variant(sa.String(length=40, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("offender_id", sa.Integer(), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["offender_id"],
            ["offender.id"],
            name=op.f("fk_former_offender_number_offender_id_offender"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_former_offender_number")),
    )
    with op.batch_alter_table("former_offender_number", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_former_offender_number_offender_id"), ["offender_id"], unique=False
        )

    op.create_table(
        "offender_link",
        sa.Column("jurisdiction_code", sa.String(length=2), nullable=False),
        sa.Column("offender_id", sa.Integer(), nullable=False),
        sa.Column(
            "last_name_key",
            sa.String(length=80).with_variant(sa.String(length=80, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "first_name_key",
            sa.String(length=80).with_variant(sa.String(length=80, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_offender_link_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["offender_id"],
            ["offender.id"],
            name=op.f("fk_offender_link_offender_id_offender"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jurisdiction_code", "offender_id", name=op.f("pk_offender_link")),
    )
    with op.batch_alter_table("offender_link", schema=None) as batch_op:
        batch_op.create_index(
            "ix_offender_link_name",
            ["jurisdiction_code", "last_name_key", "first_name_key", "offender_id"],
            unique=False,
        )
        batch_op.create_index("ix_offender_link_offender", ["offender_id"], unique=False)

    op.create_table(
        "residence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offender_id", sa.Integer(), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=80), nullable=True),
        sa.Column("state_code", sa.String(length=2), nullable=True),
        sa.Column("postal_code", sa.String(length=10), nullable=True),
        sa.Column("from_date", sa.Date(), nullable=True),
        sa.Column("to_date", sa.Date(), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offender_id"],
            ["offender.id"],
            name=op.f("fk_residence_offender_id_offender"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residence")),
    )
    with op.batch_alter_table("residence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_residence_offender_id"), ["offender_id"], unique=False)

    op.create_table(
        "warrant_status_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warrant_status_id", sa.String(length=40), nullable=False),
        sa.Column("offender_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "Active",
                "Executed",
                "Withdrawn",
                name="warrant_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("requested_date", sa.Date(), nullable=True),
        sa.Column("issued_date", sa.Date(), nullable=False),
        sa.Column("issuing_authority", sa.String(length=200), nullable=False),
        sa.Column("issuing_authority_contact", sa.Text(), nullable=True),
        sa.Column("warrant_identifier", sa.String(length=20), nullable=True),
        sa.Column("ncic_entry_date", sa.Date(), nullable=True),
        sa.Column("ncic_verified_date", sa.Date(), nullable=True),
        sa.Column("served_date", sa.Date(), nullable=True),
        sa.Column("withdrawn_date", sa.Date(), nullable=True),
        sa.Column("retaking_authority", sa.String(length=200), nullable=True),
        sa.Column("comments", sa.Text(), nullable=True),
        sa.Column("created_ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("last_reminder_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offender_id"],
            ["offender.id"],
            name=op.f("fk_warrant_status_record_offender_id_offender"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warrant_status_record")),
        sa.UniqueConstraint(
            "warrant_status_id", name=op.f("uq_warrant_status_record_warrant_status_id")
        ),
    )
    with op.batch_alter_table("warrant_status_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_warrant_status_offender_status", ["offender_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_warrant_status_record_warrant_identifier"),
            ["warrant_identifier"],
            unique=False,
        )

    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_number", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "rfri",
                "rfri_reply",
                "return_rfri",
                "return_rfri_reply",
                "transfer_request",
                "transfer_reply",
                "notice_of_departure",
                "notice_of_arrival",
                "notice_of_failure_to_arrive",
                "progress_report",
                "violation_report",
                "violation_response",
                "violation_addendum",
                "case_closure_notice",
                "case_closure_reply",
                "compact_action_request",
                "compact_action_reply",
                "discretionary_retake",
                name="activity_type",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("from_state", sa.String(length=2), nullable=False),
        sa.Column("to_state", sa.String(length=2), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "pending_supervisor",
                "pending_compact_office",
                "transmitted",
                "withdrawn",
                name="activity_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("assigned_user_id", sa.Integer(), nullable=True),
        sa.Column("reply_to_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "accepted",
                "rejected",
                "agree",
                "disagree",
                "warrant_issued",
                "return_ordered",
                "other",
                name="activity_outcome",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("transmitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("deadline_rule_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_user_id"],
            ["app_user.id"],
            name=op.f("fk_activity_assigned_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["app_user.id"], name=op.f("fk_activity_author_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["compact_case.id"],
            name=op.f("fk_activity_case_id_compact_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["deadline_rule_id"],
            ["deadline_rule.id"],
            name=op.f("fk_activity_deadline_rule_id_deadline_rule"),
        ),
        sa.ForeignKeyConstraint(
            ["from_state"], ["jurisdiction.code"], name=op.f("fk_activity_from_state_jurisdiction")
        ),
        sa.ForeignKeyConstraint(
            ["reply_to_id"], ["activity.id"], name=op.f("fk_activity_reply_to_id_activity")
        ),
        sa.ForeignKeyConstraint(
            ["to_state"], ["jurisdiction.code"], name=op.f("fk_activity_to_state_jurisdiction")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
        sa.UniqueConstraint("activity_number", name=op.f("uq_activity_activity_number")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_assigned_status", ["assigned_user_id", "status"], unique=False
        )
        batch_op.create_index("ix_activity_case_created", ["case_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_activity_reply_to_id"), ["reply_to_id"], unique=False)
        batch_op.create_index("ix_activity_status_due", ["status", "due_date"], unique=False)

    op.create_table(
        "case_interest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=2), nullable=False),
        sa.Column(
            "side",
            sa.Enum(
                "sending",
                "receiving",
                name="interest_side",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["compact_case.id"],
            name=op.f("fk_case_interest_case_id_compact_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_case_interest_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_interest")),
        sa.UniqueConstraint(
            "case_id", "jurisdiction_code", "side", name=op.f("uq_case_interest_case_id")
        ),
    )
    with op.batch_alter_table("case_interest", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_interest_jurisdiction", ["jurisdiction_code", "case_id"], unique=False
        )

    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["app_user.id"], name=op.f("fk_case_note_author_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["compact_case.id"],
            name=op.f("fk_case_note_case_id_compact_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_note")),
    )
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_note_case_id"), ["case_id"], unique=False)

    op.create_table(
        "management_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "move",
                "merge",
                "delete",
                name="management_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "disapproved",
                "completed",
                "cancelled",
                name="management_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("requesting_state", sa.String(length=2), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("source_offender_id", sa.Integer(), nullable=True),
        sa.Column("source_offender_number", sa.String(length=40), nullable=False),
        sa.Column("target_offender_id", sa.Integer(), nullable=True),
        sa.Column("target_offender_number", sa.String(length=40), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("print_all", sa.Boolean(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["compact_case.id"],
            name=op.f("fk_management_request_case_id_compact_case"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["app_user.id"],
            name=op.f("fk_management_request_requested_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["requesting_state"],
            ["jurisdiction.code"],
            name=op.f("fk_management_request_requesting_state_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["source_offender_id"],
            ["offender.id"],
            name=op.f("fk_management_request_source_offender_id_offender"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target_offender_id"],
            ["offender.id"],
            name=op.f("fk_management_request_target_offender_id_offender"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_management_request")),
    )
    with op.batch_alter_table("management_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_management_request_source_offender_id"),
            ["source_offender_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_management_request_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_management_request_target_offender_id"),
            ["target_offender_id"],
            unique=False,
        )

    op.create_table(
        "probable_cause_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("hearing_date", sa.Date(), nullable=True),
        sa.Column("established", sa.Boolean(), nullable=True),
        sa.Column("waived", sa.Boolean(), nullable=False),
        sa.Column("admission_of_revocable_violation", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("report_received_date", sa.Date(), nullable=True),
        sa.Column("attachment_name", sa.String(length=255), nullable=True),
        sa.Column("attachment", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["compact_case.id"],
            name=op.f("fk_probable_cause_record_case_id_compact_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_probable_cause_record")),
    )
    with op.batch_alter_table("probable_cause_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_probable_cause_record_case_id"), ["case_id"], unique=False
        )

    op.create_table(
        "activity_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum(
                "submitted",
                "approved",
                "returned",
                "transmitted",
                "withdrawn",
                "acknowledged",
                name="approval_decision",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_activity_step_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_activity_step_actor_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_step")),
    )
    with op.batch_alter_table("activity_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_step_activity_id"), ["activity_id"], unique=False
        )

    op.create_table(
        "management_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=2), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("print_all", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["app_user.id"],
            name=op.f("fk_management_approval_decided_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_management_approval_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["management_request.id"],
            name=op.f("fk_management_approval_request_id_management_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_management_approval")),
        sa.UniqueConstraint(
            "request_id", "jurisdiction_code", name=op.f("uq_management_approval_request_id")
        ),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("recipient_user_id", sa.Integer(), nullable=True),
        sa.Column("recipient_email", sa.String(length=254), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("offender_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                name="notification_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("send_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_notification_activity_id_activity"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["compact_case.id"],
            name=op.f("fk_notification_case_id_compact_case"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["offender_id"],
            ["offender.id"],
            name=op.f("fk_notification_offender_id_offender"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"],
            ["app_user.id"],
            name=op.f("fk_notification_recipient_user_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_notification_dedup_key")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notification_recipient_read", ["recipient_user_id", "read_at"], unique=False
        )
        batch_op.create_index(
            "ix_notification_status_send_after", ["status", "send_after"], unique=False
        )

    op.create_table(
        "retention_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offender_number", sa.String(length=40), nullable=False),
        sa.Column("offender_id", sa.Integer(), nullable=True),
        sa.Column("management_request_id", sa.Integer(), nullable=True),
        sa.Column("jurisdiction_code", sa.String(length=2), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_retention_snapshot_created_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_retention_snapshot_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["management_request_id"],
            ["management_request.id"],
            name=op.f("fk_retention_snapshot_management_request_id_management_request"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["offender_id"],
            ["offender.id"],
            name=op.f("fk_retention_snapshot_offender_id_offender"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_snapshot")),
    )
    with op.batch_alter_table("retention_snapshot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_retention_snapshot_offender_number"), ["offender_number"], unique=False
        )

    op.create_table(
        "transmitted_copy",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("transmitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_transmitted_copy_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_transmitted_copy")),
    )
    op.create_table(
        "offender_name",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offender_id", sa.Integer(), nullable=False),
        sa.Column("alias_id", sa.Integer(), nullable=True),
        sa.Column(
            "last_name_key",
            sa.String(length=80).with_variant(sa.String(length=80, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "first_name_key",
            sa.String(length=80).with_variant(sa.String(length=80, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "full_key",
            sa.String(length=161).with_variant(sa.String(length=161, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["alias_id"],
            ["alias.id"],
            name=op.f("fk_offender_name_alias_id_alias"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offender_id"],
            ["offender.id"],
            name=op.f("fk_offender_name_offender_id_offender"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offender_name")),
        sa.UniqueConstraint("alias_id", name=op.f("uq_offender_name_alias_id")),
    )
    with op.batch_alter_table("offender_name", schema=None) as batch_op:
        batch_op.create_index(
            "ix_offender_name_keys",
            ["last_name_key", "first_name_key", "offender_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_offender_name_offender_id"), ["offender_id"], unique=False
        )

    _create_name_search(op.get_bind().dialect.name)
    _make_audit_log_append_only(op.get_bind().dialect.name)
    _insert_reference_data()


def _create_name_search(dialect: str) -> None:
    """Substring ('contains') search on names: FTS5 trigrams on SQLite, pg_trgm on PostgreSQL."""
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE offender_name_fts USING fts5(full_key, content='offender_name', "
            "content_rowid='id', tokenize='trigram')"
        )
        op.execute(
            "CREATE TRIGGER offender_name_fts_insert AFTER INSERT ON offender_name BEGIN "
            "INSERT INTO offender_name_fts(rowid, full_key) VALUES (new.id, new.full_key); END"
        )
        op.execute(
            "CREATE TRIGGER offender_name_fts_delete AFTER DELETE ON offender_name BEGIN "
            "INSERT INTO offender_name_fts(offender_name_fts, rowid, full_key) "
            "VALUES ('delete', old.id, old.full_key); END"
        )
        op.execute(
            "CREATE TRIGGER offender_name_fts_update AFTER UPDATE OF full_key ON offender_name BEGIN "
            "INSERT INTO offender_name_fts(offender_name_fts, rowid, full_key) "
            "VALUES ('delete', old.id, old.full_key); "
            "INSERT INTO offender_name_fts(rowid, full_key) VALUES (new.id, new.full_key); END"
        )
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_offender_name_full_key_trgm ON offender_name "
            "USING gin (full_key gin_trgm_ops)"
        )


def _make_audit_log_append_only(dialect: str) -> None:
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_entry_no_{verb.lower()} BEFORE {verb} ON audit_entry "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
        )


def _insert_reference_data() -> None:
    jurisdiction = sa.table(
        "jurisdiction",
        sa.column("code"), sa.column("name"), sa.column("kind"), sa.column("divided"),
        sa.column("version"),
    )  # fmt: skip
    op.bulk_insert(
        jurisdiction,
        [
            {
                "code": j.code,
                "name": j.name,
                "kind": j.kind.value,
                "divided": j.divided,
                "version": 1,
            }
            for j in JURISDICTIONS
        ],
    )
    # Timestamps are written by Python so that both backends store the same ISO form.
    now = datetime.now(UTC)
    op.execute(
        sa.insert(
            sa.table(
                "app_user",
                sa.column("username"),
                sa.column("full_name"),
                sa.column("jurisdiction_code"),
                sa.column("active"),
                sa.column("is_system"),
                sa.column("on_leave"),
                sa.column("version"),
                sa.column("created_at", sa.DateTime(timezone=True)),
                sa.column("updated_at", sa.DateTime(timezone=True)),
            )  # fmt: skip
        ).values(
            username="system",
            full_name="Local system account",
            jurisdiction_code="NO",
            active=True,
            is_system=True,
            on_leave=False,
            version=1,
            created_at=now,
            updated_at=now,
        )
    )
    op.execute(
        sa.text(
            "INSERT INTO user_role (user_id, role) "
            "SELECT id, :role FROM app_user WHERE username = 'system'"
        ).bindparams(role=Role.NATIONAL_OFFICE.value)
    )
    counter = sa.table("number_counter", sa.column("name"), sa.column("next_value"))
    op.bulk_insert(
        counter,
        [
            {"name": name, "next_value": 1}
            for name in ("offender", "case", "activity", "warrant_status")
        ],
    )


def downgrade() -> None:
    op.drop_table("offender_name")
    op.drop_table("transmitted_copy")
    with op.batch_alter_table("retention_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_snapshot_offender_number"))

    op.drop_table("retention_snapshot")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_status_send_after")
        batch_op.drop_index("ix_notification_recipient_read")

    op.drop_table("notification")
    op.drop_table("management_approval")
    with op.batch_alter_table("activity_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_step_activity_id"))

    op.drop_table("activity_step")
    with op.batch_alter_table("probable_cause_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_probable_cause_record_case_id"))

    op.drop_table("probable_cause_record")
    with op.batch_alter_table("management_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_management_request_target_offender_id"))
        batch_op.drop_index(batch_op.f("ix_management_request_status"))
        batch_op.drop_index(batch_op.f("ix_management_request_source_offender_id"))

    op.drop_table("management_request")
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_note_case_id"))

    op.drop_table("case_note")
    with op.batch_alter_table("case_interest", schema=None) as batch_op:
        batch_op.drop_index("ix_case_interest_jurisdiction")

    op.drop_table("case_interest")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_status_due")
        batch_op.drop_index(batch_op.f("ix_activity_reply_to_id"))
        batch_op.drop_index("ix_activity_case_created")
        batch_op.drop_index("ix_activity_assigned_status")

    op.drop_table("activity")
    with op.batch_alter_table("warrant_status_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warrant_status_record_warrant_identifier"))
        batch_op.drop_index("ix_warrant_status_offender_status")

    op.drop_table("warrant_status_record")
    with op.batch_alter_table("residence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_residence_offender_id"))

    op.drop_table("residence")
    with op.batch_alter_table("offender_link", schema=None) as batch_op:
        batch_op.drop_index("ix_offender_link_offender")
        batch_op.drop_index("ix_offender_link_name")

    op.drop_table("offender_link")
    with op.batch_alter_table("former_offender_number", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_former_offender_number_offender_id"))

    op.drop_table("former_offender_number")
    with op.batch_alter_table("compact_case", schema=None) as batch_op:
        batch_op.drop_index("ix_compact_case_sending_status")
        batch_op.drop_index(batch_op.f("ix_compact_case_sending_assigned_user_id"))
        batch_op.drop_index("ix_compact_case_receiving_status")
        batch_op.drop_index(batch_op.f("ix_compact_case_receiving_assigned_user_id"))
        batch_op.drop_index(batch_op.f("ix_compact_case_offender_id"))

    op.drop_table("compact_case")
    with op.batch_alter_table("alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alias_offender_id"))
        batch_op.drop_index("ix_alias_name")

    op.drop_table("alias")
    op.drop_table("user_role")
    with op.batch_alter_table("offender", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offender_state_id"))
        batch_op.drop_index(batch_op.f("ix_offender_ssn"))
        batch_op.drop_index("ix_offender_name")
        batch_op.drop_index("ix_offender_first_name")
        batch_op.drop_index(batch_op.f("ix_offender_fbi_number"))
        batch_op.drop_index(batch_op.f("ix_offender_date_of_birth"))
        batch_op.drop_index(batch_op.f("ix_offender_created_by_user_id"))
        batch_op.drop_index(batch_op.f("ix_offender_created_by_state"))

    op.drop_table("offender")
    op.drop_table("calendar_adjustment")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_jurisdiction_code"))

    op.drop_table("app_user")
    op.drop_table("setting")
    op.drop_table("number_counter")
    op.drop_table("jurisdiction")
    op.drop_table("deadline_rule")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_offender")
        batch_op.drop_index("ix_audit_entry_entity")

    op.drop_table("audit_entry")
    # ### end Alembic commands ###
