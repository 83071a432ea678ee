"""PYV-W008, W009: what is built for upload, and where."""

from __future__ import annotations

from pyvouch.model import Severity
from pyvouch.workflows.detect import SDIST, WHEEL, BuildStep, PublishStep, upstream_jobs
from pyvouch.workflows.rules.base import Linter, Scope, StepCheck, WorkflowCheck


def check_same_job_build(lint: Linter, scope: Scope, pub: PublishStep) -> None:
    wf, builds = scope.workflow, scope.builds
    own = [b for b in builds if b.job.id == pub.job.id]
    if pub.builds:
        what, line = f"`{pub.display}` (it builds before uploading)", pub.line
    elif own:
        what, line = f"`{own[0].display}` (line {own[0].line})", own[0].line
    else:
        return
    credential = "`id-token: write`" if pub.trusted else "the upload credential"
    lint.add(
        "PYV-W009",
        wf.path,
        line,
        f"job '{pub.job.id}' builds the dists with {what} and publishes them: the build "
        f"backend, build dependencies and project code all run in the job that holds "
        f"{credential}.",
        "build in a separate job without extra permissions, upload the dists with "
        "actions/upload-artifact, and publish from a job that only downloads and uploads",
        job=pub.job.id,
        severity=Severity.WARNING,
    )


def check_dist_set(lint: Linter, scope: Scope) -> None:
    wf, pubs, builds = scope.workflow, scope.publishes, scope.builds
    per_step: list[tuple[PublishStep, frozenset[str], list[BuildStep]]] = []
    for pub in pubs:
        ups = {j.id for j in upstream_jobs(wf, pub.job)}
        sources = [b for b in builds if b.job.id in ups]
        kinds: frozenset[str] = pub.builds | frozenset().union(*(b.kinds for b in sources))
        if not kinds:
            continue  # nothing known about what it uploads
        if pub.only is not None:
            kinds = kinds & pub.only
        per_step.append((pub, kinds, sources))
    if not per_step:
        return
    published = frozenset().union(*(k for _, k, _ in per_step))
    for pub, kinds, sources in per_step:
        shown = (
            ", ".join(f"`{b.display}` in job '{b.job.id}' (line {b.line})" for b in sources[:3])
            or f"`{pub.display}`"
        )
        if kinds == {WHEEL}:
            if SDIST in published:
                others = [p.job.id for p, k, _ in per_step if SDIST in k]
                lint.add(
                    "PYV-W008",
                    wf.path,
                    pub.line,
                    f"job '{pub.job.id}' publishes only wheels (built by {shown}); the "
                    f"sdist is published by job '{others[0]}'.",
                    "nothing to change if both jobs run for every release",
                    job=pub.job.id,
                    severity=Severity.INFO,
                )
            else:
                lint.add(
                    "PYV-W008",
                    wf.path,
                    pub.line,
                    f"this workflow builds only wheels for upload ({shown}); no sdist is "
                    "published, so platforms without a wheel cannot install the release "
                    "and nobody can rebuild it from the published source.",
                    "also build an sdist (`python -m build --sdist`, or `pipx run build "
                    "--sdist`) in a job this publishing job needs",
                    job=pub.job.id,
                )
        elif kinds == {SDIST} and WHEEL not in published:
            lint.add(
                "PYV-W008",
                wf.path,
                pub.line,
                f"this workflow builds only an sdist for upload ({shown}); no wheel is "
                "published, so every install builds from source (running the build backend "
                "on the user's machine).",
                "build both with `python -m build` (sdist and wheel) instead of `setup.py sdist`",
                job=pub.job.id,
            )
        for build in sources:
            cond = build.step.if_ or build.job.if_
            if cond and "inputs." in cond and build.kinds == {SDIST} and kinds >= {SDIST}:
                lint.add(
                    "PYV-W008",
                    wf.path,
                    build.line,
                    f"the sdist is built only when `{cond.strip()}` holds (job "
                    f"'{build.job.id}'): a caller that turns it off publishes wheels only.",
                    "build the sdist unconditionally",
                    job=build.job.id,
                    severity=Severity.INFO,
                )


STEP_CHECKS: tuple[StepCheck, ...] = (check_same_job_build,)
WORKFLOW_CHECKS: tuple[WorkflowCheck, ...] = (check_dist_set,)
