"""glossaries: terms enforced in translations

Revision ID: 0003
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0006"  # after main's review sessions (was 0001 before the merge)
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "glossaries",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_key", sa.String(length=32), nullable=True),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_glossaries")),
        sa.UniqueConstraint("id", name=op.f("uq_glossaries_id")),
    )
    with op.batch_alter_table("glossaries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_glossaries_owner_key"), ["owner_key"], unique=False)

    op.create_table(
        "glossary_entries",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("glossary_id", sa.String(length=32), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("ar", sa.Text(), nullable=False),
        sa.Column("en", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["glossary_id"],
            ["glossaries.id"],
            name=op.f("fk_glossary_entries_glossary_id_glossaries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_glossary_entries")),
        sa.UniqueConstraint("glossary_id", "index", name=op.f("uq_glossary_entries_glossary_id")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("glossary_id", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_articles_glossary_id"), ["glossary_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_articles_glossary_id_glossaries"),
            "glossaries",
            ["glossary_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("sentence_pairs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("terms_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sentence_pairs", schema=None) as batch_op:
        batch_op.drop_column("terms_json")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_articles_glossary_id_glossaries"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_articles_glossary_id"))
        batch_op.drop_column("glossary_id")
    op.drop_table("glossary_entries")
    with op.batch_alter_table("glossaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_glossaries_owner_key"))
    op.drop_table("glossaries")
