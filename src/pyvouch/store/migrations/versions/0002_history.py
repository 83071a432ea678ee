"""History: where each scan's evidence comes from, regressions, and the history indexes.

Scans recorded before this revision get ``evidence = 'ingested'``: nothing recorded says this
pyvouch verified them, so they stay observations and never become trust on first use.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "scans",
        sa.Column("evidence", sa.String(16), nullable=False, server_default="ingested"),
    )
    op.add_column("scan_packages", sa.Column("regression", sa.Text))
    op.create_index("ix_scans_repository_scanned_at", "scans", ["repository", "scanned_at"])
    op.create_index("ix_scans_scanned_at", "scans", ["scanned_at"])
    op.create_index("ix_scan_packages_name", "scan_packages", ["name"])


def downgrade() -> None:
    op.drop_index("ix_scan_packages_name", "scan_packages")
    op.drop_index("ix_scans_scanned_at", "scans")
    op.drop_index("ix_scans_repository_scanned_at", "scans")
    op.drop_column("scan_packages", "regression")
    op.drop_column("scans", "evidence")
