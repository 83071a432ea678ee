"""Compare the identity a certificate proves with the publisher a user expects.

Exact where the forge says names are exact; nothing loosened beyond that:

- GitHub: owner and repository names are case-insensitive on GitHub (ASCII only), the workflow
  filename is compared exactly. The workflow is only known when the certificate's build config
  URI is exactly ``https://github.com/{repo}/.github/workflows/{workflow}@{ref-or-digest}``
  (see `identity.publisher_from_certificate`).
- GitLab: repository (with subgroups) and workflow file path exact.
- Google: the service account email exact.
- CircleCI: project and pipeline definition IDs exact.

No prefix, suffix or look-alike matching: the whole value must be equal.

The environment is not in the signing certificate. It can only be compared with the index's
publisher label, which is an unsigned hint; without a label it cannot be checked, and the
result then says so and does not match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyvouch.model import Publisher


@dataclass(frozen=True, slots=True)
class IdentityResult:
    matched: bool
    reason: str
    """Why it did not match; or, when it matched, what was loosened (e.g. any workflow)."""


def _same_github_name(found: str | None, expected: str | None) -> bool:
    # GitHub owner/repo names are ASCII and case-insensitive; refuse non-ASCII outright so that
    # Unicode case folding (e.g. KELVIN SIGN -> 'k') can never make a look-alike equal.
    if found is None or expected is None or not found.isascii() or not expected.isascii():
        return False
    return found.lower() == expected.lower()


def _hint_environment(hint: dict[str, Any] | None) -> tuple[bool, str | None]:
    """(known, environment) from a publisher label; "" and null both mean "no environment"."""
    if hint is None or "environment" not in hint:
        return False, None
    value = hint.get("environment")
    if value is None or value == "":
        return True, ""
    return (True, value) if isinstance(value, str) else (False, None)


def _hint_agrees(hint: dict[str, Any], found: Publisher) -> bool:
    """Whether the label names the same repository the certificate proves."""
    if hint.get("kind") != found.kind:
        return False
    repository = hint.get("repository")
    if not isinstance(repository, str):
        return False
    if found.kind == "GitHub":
        return _same_github_name(repository, found.repository)
    return repository == found.repository


def _check_environment(
    expected: Publisher, found: Publisher, hint: dict[str, Any] | None
) -> IdentityResult | None:
    if expected.environment is None:
        return None
    wanted = expected.environment or "(none)"
    if hint is None:
        return IdentityResult(
            False,
            f"environment cannot be checked: expected environment {wanted!r}, but the "
            "environment is not in the signing certificate and no index publisher label "
            "was given (use --provenance or the index)",
        )
    if not _hint_agrees(hint, found):
        return IdentityResult(
            False,
            "environment cannot be checked: the index's publisher label names "
            f"{hint.get('kind')!s}:{hint.get('repository')!s}, not the certificate's "
            f"{found.to_spec()}",
        )
    known, environment = _hint_environment(hint)
    if not known:
        return IdentityResult(
            False,
            f"environment cannot be checked: expected {wanted!r}, the index's publisher label "
            "states no environment",
        )
    if environment != expected.environment:
        return IdentityResult(
            False,
            f"environment differs: expected {wanted!r}, the index's publisher label says "
            f"{environment or '(none)'!r}",
        )
    return None


def match_identity(
    expected: Publisher, found: Publisher, hint: dict[str, Any] | None = None
) -> IdentityResult:
    """Does the certificate identity ``found`` satisfy ``expected``?"""
    shown = found.to_spec()
    if expected.kind != found.kind:
        return IdentityResult(
            False, f"expected a {expected.kind} publisher {expected.to_spec()}, found {shown}"
        )
    notes: list[str] = []
    if expected.kind in ("GitHub", "GitLab"):
        same_repo = (
            _same_github_name(found.repository, expected.repository)
            if expected.kind == "GitHub"
            else found.repository == expected.repository
        )
        if not same_repo:
            return IdentityResult(
                False,
                f"repository differs: expected {expected.repository}, found {found.repository}",
            )
        if expected.workflow is not None:
            if found.workflow is None:
                return IdentityResult(
                    False,
                    "workflow cannot be read: the certificate's build config URI does not name "
                    f"a workflow of {found.repository} at its own ref or commit",
                )
            if found.workflow != expected.workflow:
                return IdentityResult(
                    False,
                    f"workflow differs: expected {expected.workflow}, found {found.workflow}",
                )
        else:
            notes.append(f"any workflow accepted (signed by {found.workflow or 'unknown'})")
        env_result = _check_environment(expected, found, hint)
        if env_result is not None:
            return env_result
        if expected.environment is not None:
            notes.append(
                "environment matched the index's publisher label (unsigned; not in the certificate)"
            )
    elif expected.kind == "Google":
        if found.email != expected.email:
            return IdentityResult(
                False, f"service account differs: expected {expected.email}, found {found.email}"
            )
    elif expected.kind == "CircleCI":
        if found.project_id != expected.project_id:
            return IdentityResult(
                False,
                f"CircleCI project differs: expected {expected.project_id}, "
                f"found {found.project_id}",
            )
        if found.pipeline_definition_id != expected.pipeline_definition_id:
            return IdentityResult(
                False,
                "CircleCI pipeline definition differs: expected "
                f"{expected.pipeline_definition_id}, found {found.pipeline_definition_id}",
            )
    else:
        return IdentityResult(False, f"cannot match an expected publisher of kind {expected.kind}")
    return IdentityResult(True, "; ".join(notes))
