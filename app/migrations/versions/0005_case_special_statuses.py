"""Each case's special statuses, stored (derived, kept by app.models.special_status) and indexed for the workload."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = (
    (
        "ix_compact_case_sending_status_special",
        ["sending_state", "status", "special_statuses", "next_due_date"],
    ),
    (
        "ix_compact_case_receiving_status_special",
        ["receiving_state", "status", "special_statuses", "next_due_date"],
    ),
)

# The rule as it stands in this revision: sex offender 1, victim sensitive 2, history of assault 4,
# an Active warrant status record 8. The column starts at 0, so only the cases of offenders with a
# status are computed and written (about a quarter of them in the demo data); the set of those
# offenders is read once, from the offenders and the warrant records.
_FILL = """
UPDATE compact_case SET special_statuses = (
    SELECT CASE WHEN o.sex_offender THEN 1 ELSE 0 END
         + CASE WHEN o.victim_sensitive THEN 2 ELSE 0 END
         + CASE WHEN o.history_of_assault THEN 4 ELSE 0 END
         + CASE WHEN EXISTS (SELECT 1 FROM warrant_status_record AS w
                             WHERE w.offender_id = o.id AND w.status = 'Active')
                THEN 8 ELSE 0 END
    FROM offender AS o
    WHERE o.id = compact_case.offender_id
)
WHERE compact_case.offender_id IN (
    SELECT id FROM offender WHERE sex_offender OR victim_sensitive OR history_of_assault
    UNION
    SELECT offender_id FROM warrant_status_record WHERE status = 'Active'
)
"""


def upgrade() -> None:
    with op.batch_alter_table("compact_case", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("special_statuses", sa.SmallInteger(), nullable=False, server_default="0")
        )
    op.execute(_FILL)
    # Built after the fill: once, from sorted keys, instead of entry by entry.
    for name, columns in INDEXES:
        op.create_index(name, "compact_case", columns, unique=False)


def downgrade() -> None:
    for name, _ in reversed(INDEXES):
        op.drop_index(name, table_name="compact_case")
    with op.batch_alter_table("compact_case", schema=None) as batch_op:
        batch_op.drop_column("special_statuses")
