"""outbox re-drives; why a household is suspended

Revision ID: 0006_redrives_and_suspension
Revises: 0005_listing_create_attempted
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_redrives_and_suspension"
down_revision = "0005_listing_create_attempted"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redrives", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_reason", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_column("status_reason")
    with op.batch_alter_table("outbox_jobs", schema=None) as batch_op:
        batch_op.drop_column("redrives")
