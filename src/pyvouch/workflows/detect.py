"""What a workflow does that the rules care about: which steps upload to an index (and how they
authenticate), which steps build wheels or sdists, which make attestations."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyvouch.workflows.commands import Command, has_flag, option_value, step_commands
from pyvouch.workflows.model import Job, Step, Workflow

WHEEL = "wheel"
SDIST = "sdist"
BOTH = frozenset({WHEEL, SDIST})

PYPA_ACTION = "pypa/gh-action-pypi-publish"
MATURIN_ACTION = "pyo3/maturin-action"

# Tools that can authenticate with Trusted Publishing (an OIDC token exchanged with PyPI).
# twine since 6.1; pdm, uv and maturin exchange the token themselves; poetry, flit and hatch
# have no Trusted Publishing support that pyvouch knows of and always need a credential.
_TRUSTED_CAPABLE = {"pypa-action", "twine", "uv", "pdm", "maturin"}

# Credential environment variables per tool.
_TOKEN_ENV: dict[str, tuple[str, ...]] = {
    "twine": ("TWINE_PASSWORD",),
    "uv": ("UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD"),
    "poetry": ("POETRY_PYPI_TOKEN_", "POETRY_HTTP_BASIC_"),
    "pdm": ("PDM_PUBLISH_PASSWORD",),
    "flit": ("FLIT_PASSWORD",),
    "hatch": ("HATCH_INDEX_AUTH",),
    "maturin": ("MATURIN_PYPI_TOKEN", "MATURIN_PASSWORD"),
}
# Credential command-line options per tool.
_TOKEN_OPTS: dict[str, tuple[str, ...]] = {
    "twine": ("-p", "--password"),
    "uv": ("-t", "--token", "-p", "--password"),
    "poetry": ("-p", "--password"),
    "pdm": ("-P", "--password"),
    "flit": (),
    "hatch": ("-a", "--auth"),
    "maturin": ("-p", "--password"),
}

_ATTESTING_ACTIONS = ("astral-sh/attest-action",)


@dataclass(frozen=True, slots=True)
class Evidence:
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class PublishStep:
    job: Job
    step: Step
    tool: str
    """pypa-action, twine, uv, poetry, pdm, flit, hatch or maturin."""
    line: int
    display: str
    token: Evidence | None
    """Where an API token or password is handed to the upload, if one is."""
    attestations_off: Evidence | None
    only: frozenset[str] | None
    """Set when the upload names only wheels (``*.whl``) or only sdists (``*.tar.gz``)."""
    builds: frozenset[str]
    """What the upload command builds itself (``pdm publish``, ``flit publish``...)."""

    @property
    def trusted(self) -> bool:
        """Authenticates with Trusted Publishing: a capable tool and no credential given."""
        return self.token is None and self.tool in _TRUSTED_CAPABLE

    @property
    def can_trusted_publish(self) -> bool:
        return self.tool in _TRUSTED_CAPABLE

    @property
    def makes_attestations(self) -> bool:
        """Only gh-action-pypi-publish makes PEP 740 attestations itself (and only with
        Trusted Publishing); the other tools upload ``*.publish.attestation`` files made by
        an earlier step."""
        return self.tool == "pypa-action" and self.trusted and self.attestations_off is None


@dataclass(frozen=True, slots=True)
class BuildStep:
    job: Job
    step: Step
    line: int
    kinds: frozenset[str]
    display: str


def action_name(uses: str) -> str:
    """``owner/repo[/path]`` of a ``uses:`` value, lower-cased, without the ref."""
    return uses.split("@", 1)[0].strip().lower()


def _truthy(value: str | None) -> bool | None:
    if value is None:
        return None
    text = value.strip().lower()
    if text.startswith("${{") and text.endswith("}}"):  # a literal expression: ${{ false }}
        text = text[3:-2].strip()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    return None


def _scoped_env(workflow: Workflow, job: Job, step: Step) -> list[tuple[str, str, int]]:
    out = [(k, v, step.env_lines.get(k, step.line)) for k, v in step.env.items()]
    out += [(k, v, job.env_lines.get(k, job.line)) for k, v in job.env.items()]
    out += [(k, v, workflow.env_lines.get(k, 0)) for k, v in workflow.env.items()]
    return out


def _env_token(
    tool: str, workflow: Workflow, job: Job, step: Step, fallback: int
) -> Evidence | None:
    found = variable_token(tool, _scoped_env(workflow, job, step))
    if found is not None and not found.line:
        return Evidence(found.text, fallback)
    return found


def _file_filter(paths: list[str]) -> frozenset[str] | None:
    if not paths:
        return None
    kinds: set[str] = set()
    for path in paths:
        if path.endswith(".whl"):
            kinds.add(WHEEL)
        elif path.endswith((".tar.gz", ".zip")):
            kinds.add(SDIST)
        else:
            return None
    return frozenset(kinds)


def _positional(args: tuple[str, ...], valued: set[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            if arg in valued:
                skip = True
            continue
        out.append(arg)
    return out


def upload_tool(command: Command) -> str | None:
    """The upload tool a command runs (``twine``, ``uv``, ``maturin``...), else None."""
    name, sub = command.name, command.sub
    if name == "twine" and sub == "upload":
        return "twine"
    if name in ("uv", "poetry", "pdm", "flit", "hatch") and sub == "publish":
        return name
    if name == "maturin" and sub in ("upload", "publish"):
        return "maturin"
    return None


def trusted_capable(tool: str) -> bool:
    """Whether ``tool`` can authenticate with Trusted Publishing."""
    return tool in _TRUSTED_CAPABLE


def argument_token(tool: str, command: Command) -> Evidence | None:
    """A credential given on the upload's command line (an option, or a variable assigned
    on the same line)."""
    args = command.args[1:]
    for opt in _TOKEN_OPTS.get(tool, ()):
        value = option_value(args, opt)
        if value is not None or has_flag(args, opt):
            return Evidence(f"{opt} {value or ''}".strip(), command.line)
    for prefix in _TOKEN_ENV.get(tool, ()):  # an inline assignment: TWINE_PASSWORD=$X twine ...
        name = re.escape(prefix) + ("[A-Za-z0-9_]*" if prefix.endswith("_") else "")
        found = re.search(rf"(?<![\w$]){name}=(?=[^\s;&|])", command.text)
        if found:
            return Evidence(command.text[found.start() :].split()[0][:80], command.line)
    return None


def variable_token(tool: str, variables: list[tuple[str, str, int]]) -> Evidence | None:
    """A credential among (name, value, line) variables, for ``tool``."""
    prefixes = _TOKEN_ENV.get(tool, ())
    for key, value, line in variables:
        named = any(key == p or (p.endswith("_") and key.startswith(p)) for p in prefixes)
        if named and value.strip():
            return Evidence(f"{key}: {value.strip()}", line)
    return None


def command_build(command: Command) -> tuple[frozenset[str], str] | None:
    """The dist kinds a build command makes, and how it reads; None for other commands."""
    return _command_build(command)


def _command_publish(
    workflow: Workflow, job: Job, step: Step, command: Command
) -> PublishStep | None:
    tool = upload_tool(command)
    builds: frozenset[str] = frozenset()
    if tool == "maturin" and command.sub == "publish":
        builds = BOTH if not has_flag(command.args, "--no-sdist") else frozenset({WHEEL})
    if tool is None:
        return None
    args = command.args[1:]
    if tool == "pdm" and not has_flag(args, "--no-build"):
        builds = BOTH
    if tool == "flit":
        fmt = option_value(args, "--format")
        builds = frozenset({fmt}) if fmt in (WHEEL, SDIST) else BOTH
    if tool == "poetry" and has_flag(args, "--build"):
        builds = BOTH
    token = argument_token(tool, command)
    if token is None:
        token = _env_token(tool, workflow, job, step, step.line)
    if token is None and tool == "poetry":
        for other in job.steps:
            for cmd in step_commands(other):
                if (
                    cmd.name == "poetry"
                    and cmd.sub == "config"
                    and any(a.startswith(("pypi-token.", "http-basic.")) for a in cmd.args)
                ):
                    token = Evidence(" ".join(("poetry", *cmd.args[:2])), cmd.line)
    if tool == "uv" and (option_value(args, "--trusted-publishing") or "") == "never":
        token = token or Evidence("--trusted-publishing never", command.line)
    valued = {"-r", "--repository", "--repository-url", "--publish-url", "-u", "--username"}
    valued |= set(_TOKEN_OPTS.get(tool, ()))
    return PublishStep(
        job=job,
        step=step,
        tool=tool,
        line=command.line,
        display=" ".join((command.name, *command.args))[:120],
        token=token,
        attestations_off=None,
        only=_file_filter(_positional(args, valued)),
        builds=builds,
    )


def _action_publish(workflow: Workflow, job: Job, step: Step) -> PublishStep | None:
    assert step.uses is not None
    name = action_name(step.uses)
    if name == PYPA_ACTION:
        password = step.with_.get("password", "").strip()
        token = (
            Evidence(f"password: {password}", step.with_lines.get("password", step.line))
            if password
            else None
        )
        off = None
        if _truthy(step.with_.get("attestations")) is False:
            off = Evidence("attestations: false", step.with_lines["attestations"])
        return PublishStep(
            job=job,
            step=step,
            tool="pypa-action",
            line=step.uses_line,
            display=step.uses,
            token=token,
            attestations_off=off,
            only=None,
            builds=frozenset(),
        )
    if name == MATURIN_ACTION and step.with_.get("command", "").strip() in ("upload", "publish"):
        token = _env_token("maturin", workflow, job, step, step.line)
        args = tuple(step.with_.get("args", "").split())
        if token is None and has_flag(args, "-p", "--password"):
            token = Evidence("args: --password", step.with_lines.get("args", step.line))
        publish_builds = step.with_.get("command", "").strip() == "publish"
        return PublishStep(
            job=job,
            step=step,
            tool="maturin",
            line=step.uses_line,
            display=step.uses,
            token=token,
            attestations_off=None,
            only=_file_filter(_positional(args, {"-r", "--repository", "-u", "--username"})),
            builds=BOTH if publish_builds else frozenset(),
        )
    return None


def publish_steps(workflow: Workflow) -> list[PublishStep]:
    out: list[PublishStep] = []
    for job in workflow.jobs.values():
        for step in job.steps:
            if step.uses:
                found = _action_publish(workflow, job, step)
                if found is not None:
                    out.append(found)
            for command in step_commands(step):
                found = _command_publish(workflow, job, step, command)
                if found is not None:
                    out.append(found)
    return out


def _command_build(command: Command) -> tuple[frozenset[str], str] | None:
    name, args = command.name, command.args
    shown = " ".join((name, *args))[:80]
    if name == "build" or (
        name in ("uv", "flit", "hatch", "poetry", "pdm") and args[:1] == ("build",)
    ):
        rest = args if name == "build" else args[1:]
        if name in ("build", "uv"):
            sdist = has_flag(rest, "--sdist", "-s")
            wheel = has_flag(rest, "--wheel", "-w")
        elif name == "hatch":
            target = option_value(rest, "-t", "--target")
            sdist, wheel = (target in (None, "sdist")), (target in (None, "wheel"))
            return (BOTH if target is None else frozenset({target} & BOTH)), shown
        elif name in ("poetry", "flit"):
            fmt = option_value(rest, "-f", "--format")
            return (BOTH if fmt not in (WHEEL, SDIST) else frozenset({fmt})), shown
        else:  # pdm
            sdist, wheel = not has_flag(rest, "--no-sdist"), not has_flag(rest, "--no-wheel")
            return frozenset({k for k, on in ((SDIST, sdist), (WHEEL, wheel)) if on}), shown
        if sdist == wheel:
            return BOTH, shown
        return frozenset({SDIST if sdist else WHEEL}), shown
    if name == "cibuildwheel" and not has_flag(args, "--print-build-identifiers"):
        return frozenset({WHEEL}), shown
    if name == "pip" and args[:1] == ("wheel",):
        return frozenset({WHEEL}), shown
    if name == "maturin" and args[:1] in (("build",), ("sdist",)):
        return frozenset({WHEEL if args[0] == "build" else SDIST}), shown
    if name == "setup.py":
        kinds = set()
        if "sdist" in args:
            kinds.add(SDIST)
        if "bdist_wheel" in args:
            kinds.add(WHEEL)
        return (frozenset(kinds), shown) if kinds else None
    return None


def _action_build(step: Step) -> tuple[frozenset[str], str] | None:
    assert step.uses is not None
    name = action_name(step.uses)
    if name == "pypa/cibuildwheel":
        return frozenset({WHEEL}), step.uses
    if name == "hynek/build-and-inspect-python-package":
        return BOTH, step.uses
    if name == MATURIN_ACTION:
        command = step.with_.get("command", "build").strip() or "build"
        if command == "sdist":
            return frozenset({SDIST}), step.uses
        if command == "build":
            return frozenset({WHEEL}), step.uses
        return None
    if name == "openastronomy/build-python-dist":
        pure = _truthy(step.with_.get("pure_python_wheel"))
        return (frozenset({SDIST}) if pure is False else BOTH), step.uses
    return None


def build_steps(workflow: Workflow) -> list[BuildStep]:
    out: list[BuildStep] = []
    for job in workflow.jobs.values():
        for step in job.steps:
            if step.uses:
                found = _action_build(step)
                if found is not None:
                    out.append(BuildStep(job, step, step.uses_line, found[0], found[1]))
            for command in step_commands(step):
                built = _command_build(command)
                if built is not None:
                    out.append(BuildStep(job, step, command.line, built[0], built[1]))
    return out


_ATTEST_COMMAND = re.compile(r"\b(pyvouch|pypi-attestations|pypi_attestations)\s+sign\b")


def attesting_steps(workflow: Workflow) -> list[tuple[Job, Step]]:
    """Steps that write PEP 740 ``*.publish.attestation`` files for an upload tool to send."""
    out: list[tuple[Job, Step]] = []
    for job in workflow.jobs.values():
        for step in job.steps:
            action = bool(step.uses) and action_name(step.uses or "") in _ATTESTING_ACTIONS
            if action or any(_ATTEST_COMMAND.search(text) for _, text in step.run_lines()):
                out.append((job, step))
    return out


def upstream_jobs(workflow: Workflow, job: Job) -> list[Job]:
    """The job and every job it needs, directly or not (dists flow along ``needs``)."""
    seen: dict[str, Job] = {}
    todo = [job.id]
    while todo:
        current = todo.pop()
        if current in seen or current not in workflow.jobs:
            continue
        seen[current] = workflow.jobs[current]
        todo.extend(workflow.jobs[current].needs)
    return list(seen.values())
