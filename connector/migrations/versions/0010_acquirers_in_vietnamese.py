"""the shipped banks and wallets registry reads in Vietnamese: sources and warnings on rows still as shipped

Revision ID: 0010_acquirers_in_vietnamese
Revises: 0009_orders
Create Date: 2026-12-02 17:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_acquirers_in_vietnamese'
down_revision = '0009_orders'
branch_labels = None
depends_on = None

# (English as shipped in 0007, Vietnamese as banks/data/acquirers.csv now has it). Only rows still
# carrying the shipped English change: a source or note an admin typed is theirs.
SOURCES = [
    ("NAPAS VietQR member list (public republications such as api.vietqr.io/v2/banks)",
     "Danh sách thành viên VietQR của NAPAS (các bản công bố lại công khai như api.vietqr.io/v2/banks)"),
    ("public wallet lists (two lists disagree: 971005/971011 swapped)",
     "Các danh sách ví công khai (hai danh sách không thống nhất: 971005 và 971011 bị đổi chỗ)"),
    ("public wallet lists", "Các danh sách ví công khai"),
]
NOTES = [
    ("the postal network's bank partner", "Ngân hàng đối tác của ngành bưu điện"),
    ("CONFIRM WITH NAPAS BEFORE GOING LIVE", "XÁC NHẬN VỚI NAPAS TRƯỚC KHI ĐƯA VÀO SỬ DỤNG"),
]

acquirers = sa.table('acquirers', sa.column('source', sa.String), sa.column('note', sa.String))


def _replace(column: str, pairs, backwards: bool = False):
    for english, vietnamese in pairs:
        old, new = (vietnamese, english) if backwards else (english, vietnamese)
        op.execute(acquirers.update().where(acquirers.c[column] == old).values({column: new}))


def upgrade():
    _replace('source', SOURCES)
    _replace('note', NOTES)


def downgrade():
    _replace('source', SOURCES, backwards=True)
    _replace('note', NOTES, backwards=True)
