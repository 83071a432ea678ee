"""The scan history store: months of scans in SQLite (default) or PostgreSQL (teams).

- `location`: which store (``--store``, ``PYVOUCH_STORE``, the policy's ``store``, the data
  dir), shown without its password;
- `engine`: open, refuse a newer or foreign store, migrate an older one (Alembic,
  ``migrations/``);
- `tables`: the schema, a public interface (docs/store.md);
- `records`, `from_result`, `ingest`, `write`: a scan as rows, written once per run;
- `context`: the repository, commit and branch a scan belongs to;
- `facts`: what history says for trust on first use (locally verified scans only);
- `queries`: the read API for `pyvouch history` and the dashboard (plain dataclasses);
- `prune`: retention.
"""

STORE_ENV = "PYVOUCH_STORE"
"""The environment variable that names the store (a path or a postgresql:// URL). Defined here,
where importing it loads no database library (a scan without a store imports none)."""
