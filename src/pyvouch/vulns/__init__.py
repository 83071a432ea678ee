"""Vulnerabilities by real exposure: OSV advisories matched to the locked versions, ranked by
reachability, severity and fix, beside each package's attestation status (docs/vulns.md).

`check.check_packages` asks the sources (a local OSV database, else the OSV API) and returns a
`model.VulnReport`; `priority.rank` orders its findings with the reachability report; the
policy decides on them (`pyvouch.policy.vulns`); `pyvouch.pipeline.vulns` runs it all for
``scan --vulns``. This module imports nothing, so the policy can read `model` without the
network stack.
"""

DEFAULT_OSV_URL = "https://api.osv.dev"
"""The OSV API asked when no database is given (``scan --osv-url``)."""
