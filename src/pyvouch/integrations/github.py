"""The GitHub Action's check: `scan` on a push, `diff` against the trusted base on a pull
request; the Markdown report to the job summary, SARIF for code scanning, the exit code by the
policy's mode.

The action's inputs arrive as environment variables (never interpolated into a script), are
checked here (one line, exit 2, nothing written), and the scan or review runs once through the
application functions; every output is rendered from that one result by `pyvouch.report`.

On a pull request the trust inputs are read at the base (`base_revision.trusted_base`), and
the ``mode`` input can only make the base policy stricter: the workflow file that sets it is
part of the pull request.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from pyvouch import report
from pyvouch.diff_inputs import read_at, read_policy
from pyvouch.errors import UsageError
from pyvouch.git_revision import open_revision
from pyvouch.integrations.base_revision import trusted_base
from pyvouch.integrations.github_event import Event
from pyvouch.pipeline.diff import DiffRequest, run_diff
from pyvouch.pipeline.scan import ScanRequest, prepare_scan, run_scan
from pyvouch.pipeline.settings import LookupFlags
from pyvouch.policy.overrides import Overrides
from pyvouch.policy.schema import Mode
from pyvouch.report import RenderOptions, diff_review

MODES = ("", *(m.value for m in Mode))
FORMATS = ("text", "markdown", "json", "sarif")
_STRICTNESS = {Mode.COLLECT: 0, Mode.WARN: 1, Mode.ENFORCE: 2}


@dataclass(frozen=True, slots=True)
class ActionInputs:
    """The action's inputs, as given (empty: not set)."""

    workspace: Path
    event: Event
    lock: str = ""
    mode: str = ""
    report_format: str = "text"
    index_url: str = ""
    trust_root: str = ""
    store: str = ""
    """A history store URL: a scan is also recorded there (`pyvouch scan --record`)."""


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    command: str
    """``scan`` or ``diff``."""
    exit_code: int
    markdown: str
    sarif: str
    report: str
    """The report in the ``format`` input."""
    lock: str
    """The lock checked, relative to the workspace ("" when found there)."""
    base: str = ""
    """The trusted base commit (pull requests)."""
    notes: tuple[str, ...] = field(default_factory=tuple)


def _clean(value: str, what: str) -> str:
    if any(c in value for c in "\0\r\n"):
        raise UsageError(f"the {what} input holds a line break or NUL: {value[:80]!r}")
    return value.strip()


def _lock_path(workspace: Path, lock: str) -> Path | None:
    """The lock input as a path inside the workspace (symbolic links resolved), or None."""
    if not lock:
        return None
    given = Path(lock)
    path = given if given.is_absolute() else workspace / given
    try:
        path.resolve().relative_to(workspace.resolve())
    except ValueError:
        raise UsageError(f"the lock input {lock[:200]!r} is outside the workspace") from None
    if not path.exists():
        raise UsageError(f"the lock input {lock[:200]!r}: no such file in the workspace")
    try:  # as the reports and the review's labels name it
        return path.relative_to(workspace)
    except ValueError:
        return path


def check_inputs(inputs: ActionInputs) -> tuple[Path | None, Mode | None]:
    """Refuse a bad input before anything is read or written."""
    mode = _clean(inputs.mode, "mode")
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode[:80]!r}; choose collect, warn or enforce")
    fmt = _clean(inputs.report_format, "format")
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt[:80]!r}; choose one of: {', '.join(FORMATS)}")
    url = _clean(inputs.index_url, "index-url")
    if any(c.isspace() for c in url):
        raise UsageError(f"the index-url input holds white space: {url[:200]!r}")
    _clean(inputs.trust_root, "trust-root")
    if any(c.isspace() for c in _clean(inputs.store, "store")):
        raise UsageError("the store input holds white space")
    if not inputs.workspace.is_dir():
        raise UsageError(f"$GITHUB_WORKSPACE {str(inputs.workspace)!r} is not a folder")
    if Path.cwd().resolve() != inputs.workspace.resolve():
        raise UsageError("run the check in $GITHUB_WORKSPACE (the policy is read there)")
    lock = _lock_path(inputs.workspace, _clean(inputs.lock, "lock"))
    return lock, Mode(mode) if mode else None


def _lookup(inputs: ActionInputs) -> LookupFlags:
    return LookupFlags(
        index_url=inputs.index_url.strip() or None,
        offline=False,
        jobs=16,
        timeout=10.0,
        retries=3,
        staging=False,
        trust_root=Path(inputs.trust_root.strip()) if inputs.trust_root.strip() else None,
        cache_dir=None,
        config_path=None,
    )


def _relative(workspace: Path, lock: Path | None) -> str:
    if lock is None:
        return ""
    try:
        return lock.relative_to(workspace).as_posix()
    except ValueError:
        return str(lock)


def _scan(inputs: ActionInputs, lock: Path | None, mode: Mode | None) -> ActionOutcome:
    lookup = _lookup(inputs)
    prepared = prepare_scan(
        ScanRequest(
            lock,
            lookup,
            Overrides(mode=mode.value if mode else None, index_url=lookup.index_url),
            workdir=inputs.workspace,
        )
    )
    outcome = run_scan(prepared)
    options = RenderOptions(base_dir=str(inputs.workspace), compact=True)
    fmt = "table" if inputs.report_format == "text" else inputs.report_format
    return ActionOutcome(
        "scan",
        outcome.exit_code,
        report.render("markdown", outcome.result, options),
        report.render("sarif", outcome.result, options),
        report.render(fmt, outcome.result, options),
        _relative(inputs.workspace, lock),
        notes=tuple(prepared.warnings),
    )


def _review_mode(workspace: Path, base: str, asked: Mode | None) -> tuple[Mode | None, str]:
    """The mode for a pull request: the input when it is at least as strict as the base
    policy's, else the base's (with a note)."""
    if asked is None:
        return None, ""
    revision = open_revision(workspace / "pyproject.toml", base)
    base_mode = read_policy(read_at(revision), None, head=False).policy.mode
    if _STRICTNESS[asked] >= _STRICTNESS[base_mode]:
        return asked, ""
    return None, (
        f"the mode input ({asked.value}) is weaker than the base policy's ({base_mode.value}); "
        "on a pull request the workflow is part of the change, so the base's mode applies"
    )


def _diff(inputs: ActionInputs, lock: Path | None, mode: Mode | None) -> ActionOutcome:
    assert inputs.event.base is not None
    base = trusted_base(inputs.workspace, inputs.event.base)
    effective, note = _review_mode(inputs.workspace, base, mode)
    review = run_diff(
        DiffRequest(
            (lock,) if lock is not None else (),
            _lookup(inputs),
            base_ref=base,
            mode=effective.value if effective else None,
        )
    )
    rendered = diff_review.build(review)
    options = RenderOptions(base_dir=str(inputs.workspace), compact=True)
    markdown = report.render("markdown", rendered, options)
    if note:
        markdown += f"\n> note: {note}\n"
    return ActionOutcome(
        "diff",
        review.exit_code,
        markdown,
        report.render("sarif", rendered, options),
        report.render(inputs.report_format, rendered, options),
        _relative(inputs.workspace, lock),
        base,
        (note,) if note else (),
    )


def run_check(inputs: ActionInputs) -> ActionOutcome:
    """The check the event calls for; raises `UsageError`/`InputError` for bad input."""
    lock, mode = check_inputs(inputs)
    if inputs.event.is_pull_request:
        return _diff(inputs, lock, mode)
    return _scan(inputs, lock, mode)


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def write_outputs(output_file: Path | None, values: dict[str, str]) -> None:
    """Append ``values`` to $GITHUB_OUTPUT, each in a delimited block so no value can end
    its own entry and start another."""
    if output_file is None:
        return
    lines: list[str] = []
    for key, value in values.items():
        delimiter = f"pyvouch_{uuid.uuid4().hex}"
        lines += [f"{key}<<{delimiter}", value, delimiter]
    _append(output_file, "\n".join(lines) + "\n")


def publish(
    outcome: ActionOutcome,
    *,
    summary_file: Path | None,
    output_file: Path | None,
    sarif_file: Path,
    report_file: Path | None,
) -> None:
    """Write the SARIF (and report) file, append the summary and the step outputs."""
    from pyvouch.user_files import write_file

    write_file(sarif_file, outcome.sarif)
    if report_file is not None:
        write_file(report_file, outcome.report)
    if summary_file is not None:
        _append(
            summary_file,
            outcome.markdown if outcome.markdown.endswith("\n") else outcome.markdown + "\n",
        )
    write_outputs(
        output_file,
        {
            "command": outcome.command,
            "exit-code": str(outcome.exit_code),
            "sarif": str(sarif_file),
            "report": str(report_file) if report_file else "",
            "lock": outcome.lock,
            "base": outcome.base,
        },
    )


def record_command(inputs: ActionInputs, outcome: ActionOutcome) -> list[str]:
    """`pyvouch scan ... --record --store URL`: the history store's own way to record a
    scan, run after the check (the report files are already written)."""
    store = inputs.store.strip()
    args = [sys.executable, "-m", "pyvouch", "scan"]
    if outcome.lock:
        args.append(outcome.lock)
    args += ["--record", "--store", store, "--format", "json", "--output", os.devnull]
    if inputs.mode.strip():
        args += ["--mode", inputs.mode.strip()]
    if inputs.index_url.strip():
        args += ["--index-url", inputs.index_url.strip()]
    if inputs.trust_root.strip():
        args += ["--trust-root", inputs.trust_root.strip()]
    return args


def record_scan(inputs: ActionInputs, outcome: ActionOutcome) -> int | None:
    """Record a scan in the store when the store input is set; the exit code of the record
    (None: nothing to record). The check's outputs stand either way."""
    if not inputs.store.strip() or outcome.command != "scan":
        return None
    return subprocess.run(
        record_command(inputs, outcome), cwd=inputs.workspace, check=False
    ).returncode


def env_path(name: str) -> Path | None:
    value = os.environ.get(name, "")
    return Path(value) if value else None
