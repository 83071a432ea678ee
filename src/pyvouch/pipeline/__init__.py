"""The spine as a service: lookup -> verify -> finding, and the application functions that
every command calls.

- `options`: `ScanOptions` (how to reach the index) and which files of a release to check.
- `settings`: `LookupFlags` (index, trust root, cache, config) and the policy with its pin file.
- `service`: `Pipeline`, one index client with the authenticated verdict cache, the
  verification pool and the direct-route confirmation; it turns a file into a finding.
- `packages`: a lock's packages into per-package results through a `Pipeline`;
  `installed`: an installed distribution against the index's wheel it came from.
- `history`: a project's recent releases, each file verified through a `Pipeline`.
- `scan`, `install`, `verify`, `diff`: the application functions (`run_scan`,
  `run_install_plan`, `run_verify`, `run_diff`). They take plain data and return plain data:
  no click, no printing, no exit; the commands in `pyvouch.cli` render and map errors.

Importing this package imports none of its modules (and so no click, HTTP client or sigstore).
"""
