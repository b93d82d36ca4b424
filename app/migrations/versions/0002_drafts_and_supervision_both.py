"""Form drafts that survive a crash; a case's supervision type may be 'both' (parole and probation)."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SUPERVISION_CHECK = "ck_compact_case_supervision_type"


def _supervision_condition(values: tuple[str, ...]) -> str:
    return "supervision_type IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _replace_supervision_check(values: tuple[str, ...]) -> None:
    # SQLite cannot alter a constraint: batch mode copies the table with the new CHECK.
    with op.batch_alter_table("compact_case", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(SUPERVISION_CHECK), type_="check")
        batch_op.create_check_constraint(op.f(SUPERVISION_CHECK), _supervision_condition(values))


def upgrade() -> None:
    op.create_table(
        "form_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("form_name", sa.String(length=60), nullable=False),
        sa.Column("record_key", sa.String(length=80), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_form_draft_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_draft")),
        sa.UniqueConstraint(
            "user_id", "form_name", "record_key", name=op.f("uq_form_draft_user_id")
        ),
    )
    _replace_supervision_check(("parole", "probation", "both"))


def downgrade() -> None:
    _replace_supervision_check(("parole", "probation"))
    op.drop_table("form_draft")
