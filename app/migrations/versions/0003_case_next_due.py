"""Each case's next due date, stored (derived, kept by app.models.next_due) and indexed for the workload."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Each replaced index is a prefix of its replacement, which adds what counting overdue cases needs.
REPLACED_INDEXES = (
    ("ix_compact_case_sending_status", ["sending_state", "status"]),
    ("ix_compact_case_receiving_status", ["receiving_state", "status"]),
    ("ix_compact_case_sending_assigned_user_id", ["sending_assigned_user_id"]),
    ("ix_compact_case_receiving_assigned_user_id", ["receiving_assigned_user_id"]),
)
INDEXES = (
    ("ix_compact_case_sending_status_due", ["sending_state", "status", "next_due_date"]),
    ("ix_compact_case_receiving_status_due", ["receiving_state", "status", "next_due_date"]),
    (
        "ix_compact_case_sending_user_status_due",
        ["sending_assigned_user_id", "status", "next_due_date"],
    ),
    (
        "ix_compact_case_receiving_user_status_due",
        ["receiving_assigned_user_id", "status", "next_due_date"],
    ),
    ("ix_compact_case_next_due", ["next_due_date", "id"]),
)

# The rule as it stands in this revision: the earliest due date among the case's transmitted
# activities that no transmitted reply answers. Only the ids are conditions, so that every lookup is
# a range of the case's or the reply's index even where no statistics say so (SQLite; PostgreSQL
# after a restore); a status condition could make the planner range over every transmitted
# activity for each case instead.
_FILL = """
UPDATE compact_case SET next_due_date = (
    SELECT min(CASE WHEN pending.status = 'transmitted'
                         AND pending.due_date IS NOT NULL
                         AND (SELECT count(CASE WHEN reply.status = 'transmitted' THEN 1 END)
                              FROM activity AS reply
                              WHERE reply.reply_to_id = pending.id) = 0
                    THEN pending.due_date END)
    FROM activity AS pending
    WHERE pending.case_id = compact_case.id
)
"""


def upgrade() -> None:
    for name, _ in REPLACED_INDEXES:
        op.drop_index(name, table_name="compact_case")
    with op.batch_alter_table("compact_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_due_date", sa.Date(), nullable=True))
    op.execute(_FILL)
    # Built after the fill: once, from sorted keys, instead of entry by entry.
    for name, columns in INDEXES:
        op.create_index(name, "compact_case", columns, unique=False)


def downgrade() -> None:
    for name, _ in reversed(INDEXES):
        op.drop_index(name, table_name="compact_case")
    with op.batch_alter_table("compact_case", schema=None) as batch_op:
        batch_op.drop_column("next_due_date")
    for name, columns in REPLACED_INDEXES:
        op.create_index(name, "compact_case", columns, unique=False)
