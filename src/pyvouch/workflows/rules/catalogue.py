"""The lint rules: one entry per rule, PYV-W001 onwards (GitHub Actions), then PYV-G001 onwards
(GitLab CI/CD), in the order reports list them.

A rule's severity here is its default; a check may report a finding of a rule at another
severity when the case is weaker (e.g. PYV-W008 as info when another job publishes the sdist).
"""

from __future__ import annotations

from pyvouch.model import Rule, Severity

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "PYV-W001",
            "missing-id-token",
            Severity.ERROR,
            "Trusted Publishing needs `id-token: write` on the publishing job.",
        ),
        Rule(
            "PYV-W002",
            "token-upload",
            Severity.ERROR,
            "The upload uses an API token or password: no PEP 740 attestations can be made.",
        ),
        Rule(
            "PYV-W003",
            "attestations-disabled",
            Severity.ERROR,
            "gh-action-pypi-publish runs with `attestations: false`.",
        ),
        Rule(
            "PYV-W004",
            "publish-from-pull-request",
            Severity.ERROR,
            "A pull request event can reach the publishing step.",
        ),
        Rule(
            "PYV-W005",
            "dispatch-arbitrary-ref",
            Severity.WARNING,
            "A manual run can build and publish any ref named in a free-form input.",
        ),
        Rule(
            "PYV-W006",
            "reusable-workflow-identity",
            Severity.WARNING,
            "A reusable workflow publishes: PyPI and the attestations see the caller workflow.",
        ),
        Rule(
            "PYV-W007",
            "trusted-publisher-mismatch",
            Severity.ERROR,
            "The workflow does not match the Trusted Publisher registered on PyPI.",
        ),
        Rule(
            "PYV-W008",
            "incomplete-dist-set",
            Severity.WARNING,
            "Only wheels, or only an sdist, are built for upload.",
        ),
        Rule(
            "PYV-W009",
            "build-in-publish-job",
            Severity.WARNING,
            "The job that holds the upload credential also runs the build.",
        ),
        Rule(
            "PYV-W010",
            "unpinned-action",
            Severity.WARNING,
            "A third-party action or reusable workflow is used by tag or branch, not by commit.",
        ),
        Rule(
            "PYV-W011",
            "no-top-level-permissions",
            Severity.WARNING,
            "The workflow has no top-level `permissions:`; jobs get the default token scopes.",
        ),
        Rule(
            "PYV-W012",
            "continue-on-error-publish",
            Severity.WARNING,
            "A failed upload would not fail the run.",
        ),
        Rule(
            "PYV-W013",
            "no-attestations-made",
            Severity.WARNING,
            "The upload tool does not make PEP 740 attestations and no step makes them.",
        ),
        # GitLab CI/CD (.gitlab-ci.yml): the same failure modes, GitLab's way.
        Rule(
            "PYV-G001",
            "gitlab-missing-id-token",
            Severity.ERROR,
            "Trusted Publishing from GitLab needs an `id_tokens` entry PYPI_ID_TOKEN with "
            "audience `pypi` on the publishing job.",
        ),
        Rule(
            "PYV-G002",
            "gitlab-token-upload",
            Severity.ERROR,
            "The upload uses an API token or password (a CI/CD variable or an option): no PEP "
            "740 attestations can be made.",
        ),
        Rule(
            "PYV-G003",
            "gitlab-publish-not-tag-gated",
            Severity.ERROR,
            "The publishing job can run in a branch or merge request pipeline, not only for "
            "(protected) tags.",
        ),
        Rule(
            "PYV-G004",
            "gitlab-no-environment",
            Severity.WARNING,
            "The publishing job has no `environment:`, so it cannot be a protected one.",
        ),
        Rule(
            "PYV-G005",
            "gitlab-trusted-publisher-mismatch",
            Severity.ERROR,
            "The pipeline file path or the environment differ from the Trusted Publisher.",
        ),
        Rule(
            "PYV-G006",
            "gitlab-incomplete-dist-set",
            Severity.WARNING,
            "The pipeline builds wheels only, or an sdist only.",
        ),
        Rule(
            "PYV-G007",
            "gitlab-no-attestations",
            Severity.WARNING,
            "No PEP 740 attestations are made or uploaded (`pypi-attestations sign`, "
            "`twine upload --attestations`).",
        ),
        Rule(
            "PYV-G008",
            "gitlab-missing-sigstore-token",
            Severity.ERROR,
            "Signing attestations on GitLab needs an `id_tokens` entry SIGSTORE_ID_TOKEN with "
            "audience `sigstore` on the signing job.",
        ),
    )
}
