"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    op.create_table('batches',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=True),
    sa.Column('callback_url', sa.Text(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('owner_key', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('rejected_json', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_batches')),
    sa.UniqueConstraint('id', name=op.f('uq_batches_id'))
    )
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batches_owner_key'), ['owner_key'], unique=False)

    op.create_table('idempotency_keys',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('owner_key', sa.String(length=32), nullable=False),
    sa.Column('target_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', 'kind', 'owner_key', name=op.f('pk_idempotency_keys'))
    )
    op.create_table('translation_memory',
    sa.Column('model_name', sa.String(length=200), nullable=False),
    sa.Column('source_hash', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('target', sa.Text(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('model_name', 'source_hash', name=op.f('pk_translation_memory'))
    )
    op.create_table('articles',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('title_ar', sa.Text(), nullable=True),
    sa.Column('title_en', sa.Text(), nullable=True),
    sa.Column('title_detected', sa.Boolean(), nullable=False),
    sa.Column('source_url', sa.Text(), nullable=True),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('summary_sentences', sa.Integer(), nullable=True),
    sa.Column('model_name', sa.String(length=200), nullable=True),
    sa.Column('model_quantization', sa.String(length=32), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('translate_ms', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('batch_id', sa.String(length=32), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('reused_from', sa.String(length=32), nullable=True),
    sa.Column('force', sa.Boolean(), nullable=False),
    sa.Column('unit_count', sa.Integer(), nullable=True),
    sa.Column('memory_hits', sa.Integer(), nullable=True),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=True),
    sa.Column('owner_key', sa.String(length=32), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_articles_batch_id_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_articles')),
    sa.UniqueConstraint('id', name=op.f('uq_articles_id'))
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_articles_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_owner_key'), ['owner_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_status'), ['status'], unique=False)

    op.create_table('paragraph_pairs',
    sa.Column('pk', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('article_id', sa.String(length=32), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('ar', sa.Text(), nullable=False),
    sa.Column('en', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_paragraph_pairs_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_paragraph_pairs')),
    sa.UniqueConstraint('article_id', 'index', name=op.f('uq_paragraph_pairs_article_id'))
    )
    op.create_table('summaries',
    sa.Column('article_id', sa.String(length=32), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('text_ar', sa.Text(), nullable=False),
    sa.Column('sentence_count', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_summaries_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', name=op.f('pk_summaries'))
    )
    op.create_table('sentence_pairs',
    sa.Column('pk', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('article_id', sa.String(length=32), nullable=False),
    sa.Column('paragraph_pk', sa.Integer(), nullable=False),
    sa.Column('paragraph_index', sa.Integer(), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('ar', sa.Text(), nullable=False),
    sa.Column('en', sa.Text(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('in_summary', sa.Boolean(), nullable=False),
    sa.Column('edited_en', sa.Text(), nullable=True),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_sentence_pairs_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['paragraph_pk'], ['paragraph_pairs.pk'], name=op.f('fk_sentence_pairs_paragraph_pk_paragraph_pairs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_sentence_pairs')),
    sa.UniqueConstraint('paragraph_pk', 'index', name=op.f('uq_sentence_pairs_paragraph_pk'))
    )
    with op.batch_alter_table('sentence_pairs', schema=None) as batch_op:
        batch_op.create_index('ix_sentence_pairs_article', ['article_id'], unique=False)

    op.create_table('sentence_edits',
    sa.Column('pk', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('article_id', sa.String(length=32), nullable=False),
    sa.Column('sentence_pk', sa.Integer(), nullable=False),
    sa.Column('paragraph_index', sa.Integer(), nullable=False),
    sa.Column('sentence_index', sa.Integer(), nullable=False),
    sa.Column('editor', sa.String(length=200), nullable=False),
    sa.Column('before', sa.Text(), nullable=False),
    sa.Column('after', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_sentence_edits_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sentence_pk'], ['sentence_pairs.pk'], name=op.f('fk_sentence_edits_sentence_pk_sentence_pairs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_sentence_edits'))
    )
    with op.batch_alter_table('sentence_edits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sentence_edits_article_id'), ['article_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sentence_edits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sentence_edits_article_id'))

    op.drop_table('sentence_edits')
    with op.batch_alter_table('sentence_pairs', schema=None) as batch_op:
        batch_op.drop_index('ix_sentence_pairs_article')

    op.drop_table('sentence_pairs')
    op.drop_table('summaries')
    op.drop_table('paragraph_pairs')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_articles_status'))
        batch_op.drop_index(batch_op.f('ix_articles_owner_key'))
        batch_op.drop_index(batch_op.f('ix_articles_content_hash'))
        batch_op.drop_index(batch_op.f('ix_articles_batch_id'))

    op.drop_table('articles')
    op.drop_table('translation_memory')
    op.drop_table('idempotency_keys')
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batches_owner_key'))

    op.drop_table('batches')
    op.drop_table('api_keys')
