"""The first schema: scans, their packages and their files.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(64), nullable=False, unique=True),
        sa.Column("repository", sa.String(512), nullable=False),
        sa.Column("commit", sa.String(64)),
        sa.Column("branch", sa.String(256)),
        sa.Column("lock_path", sa.Text, nullable=False),
        sa.Column("lock_format", sa.String(64), nullable=False),
        sa.Column("index_url", sa.Text, nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("pyvouch_version", sa.String(64), nullable=False),
        sa.Column("sigstore_version", sa.String(64)),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("package_count", sa.Integer, nullable=False),
    )
    op.create_table(
        "scan_packages",
        sa.Column("scan_id", sa.Integer, primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("version", sa.String(256)),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("coverage", sa.String(16), nullable=False),
        sa.Column("tier", sa.String(32)),
        sa.Column("origin", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("action", sa.String(16)),
        sa.Column("rule", sa.Text),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(["scan_id"], ["scans.id"], ondelete="CASCADE"),
    )
    op.create_table(
        "scan_files",
        sa.Column("scan_id", sa.Integer, primary_key=True),
        sa.Column("package_position", sa.Integer, primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("publisher", sa.Text),
        sa.Column("publisher_json", sa.Text),
        sa.Column("predicate_types", sa.Text, nullable=False),
        sa.Column("log_index", sa.BigInteger),
        sa.Column("identity_checked", sa.Boolean, nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_id", "package_position"],
            ["scan_packages.scan_id", "scan_packages.position"],
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("scan_files")
    op.drop_table("scan_packages")
    op.drop_table("scans")
