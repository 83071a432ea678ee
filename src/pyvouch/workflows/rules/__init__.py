"""The rule registry: every rule, and every check in the order the linter runs them.

Rules are grouped by family, one module each; a family exports ``STEP_CHECKS`` (run once per
upload step) and, where it has them, ``WORKFLOW_CHECKS`` (once per workflow). The rules
themselves (id, name, default severity, summary) are in ``catalogue``. A new rule is an entry
in the catalogue and a check in its family's module (listed in that module's checks).

Order matters only for findings on the same line at the same severity: they are listed in the
order the checks ran.
"""

from __future__ import annotations

from pyvouch.model import Rule
from pyvouch.workflows.rules import credentials, dists, hardening, identity, triggers
from pyvouch.workflows.rules.base import StepCheck, WorkflowCheck
from pyvouch.workflows.rules.catalogue import RULES

STEP_CHECKS: tuple[StepCheck, ...] = (
    *credentials.STEP_CHECKS,
    *triggers.STEP_CHECKS,
    *identity.STEP_CHECKS,
    *dists.STEP_CHECKS,
    *hardening.STEP_CHECKS,
)
WORKFLOW_CHECKS: tuple[WorkflowCheck, ...] = (
    *dists.WORKFLOW_CHECKS,
    *hardening.WORKFLOW_CHECKS,
)

__all__ = ["RULES", "STEP_CHECKS", "WORKFLOW_CHECKS", "Rule"]
