"""articles: the format an article was sent in, and an HTML page as it came

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source_format", sa.String(length=8), server_default="text", nullable=False)
        )
        batch_op.add_column(sa.Column("source_html", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("source_html")
        batch_op.drop_column("source_format")
