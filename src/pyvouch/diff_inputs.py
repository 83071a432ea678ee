"""Read both sides of a reviewed change for `pyvouch diff`: the lock, the policy and the pin
file as the base has them (``git show``-like reads at ``--base``, or the BASE lock file and its
neighbours) and as the head has them (the work tree).

The policy is found as `pyvouch.policy_files.config_file.discover` finds it (``--config``, else
``pyvouch.toml`` or ``[tool.pyvouch]`` in ``pyproject.toml`` in the current directory); with
``--base`` a policy file inside the repository is read at the base revision, one outside it
is not part of the change and is read as it is. The pin file is ``pyvouch.lock.toml`` next to
each side's lock. `read_sides` reads both sides of what `pyvouch diff` was given.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pyvouch.errors import ConfigError, InputError, UsageError
from pyvouch.git_revision import Revision, open_revision
from pyvouch.policy.config import CONFIG_FILE, PYPROJECT_FILE, config_from_document, policy_table
from pyvouch.policy.pins import PIN_FILE_NAME, parse_pin_data
from pyvouch.policy.schema import Policy
from pyvouch.policy.tiers import normalize
from pyvouch.policy.trust_inputs import TrustSide, project_indexes
from pyvouch.sources import SourceResult, load_packages, requirements
from pyvouch.sources.formats import REQUIREMENTS
from pyvouch.tomlfile import parse_toml

Reader = Callable[[Path], "tuple[str, str] | None"]
"""Reads a work-tree path on one side: (label, text), or None when that side has no such file."""


def read_disk(path: Path) -> tuple[str, str] | None:
    if not path.is_file():
        return None
    try:
        return str(path), path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text (byte {err.start})") from None
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None


def read_at(revision: Revision) -> Reader:
    """A reader of the files as they are at ``revision``; a file outside its repository is
    not part of the change and is read from disk."""

    def read(path: Path) -> tuple[str, str] | None:
        if revision.relative(path) is None:
            return read_disk(path)
        text = revision.read(path)
        return None if text is None else (revision.label(path), text)

    return read


@dataclass(frozen=True, slots=True)
class PolicyDoc:
    policy: Policy
    table: Any = None
    label: str | None = None
    directory: Path | None = None
    """Where the policy file is in the working tree (its key paths are relative to it)."""


def with_key_texts(doc: PolicyDoc, read: Reader) -> Policy:
    """The policy with each ``[packages.NAME] key`` file's content read by ``read`` (at the
    base for the base side): a key is a trust input, never taken from the change."""
    table = doc.table.get("packages") if isinstance(doc.table, dict) else None
    if not isinstance(table, dict) or doc.directory is None:
        return doc.policy
    packages = dict(doc.policy.packages)
    for name, settings in table.items():
        given = settings.get("key") if isinstance(settings, dict) else None
        norm = normalize(name)
        if not isinstance(given, str) or norm not in packages:
            continue
        path = doc.directory / given
        found = read(path)
        if found is None:
            raise ConfigError(path, f"the key named by {packages[norm].origin} does not exist")
        packages[norm] = replace(packages[norm], key_text=found[1])
    return replace(doc.policy, packages=packages)


def _document(found: tuple[str, str], file_name: str) -> tuple[dict[str, Any], Path]:
    label, text = found
    return parse_toml(text, label), Path(label)


def read_policy(read: Reader, explicit: Path | None, *, head: bool) -> PolicyDoc:
    """The policy on one side. ``explicit`` (``--config``) missing on the head side is an
    error; missing on the base side it means the head adds it (defaults at the base)."""
    if explicit is not None:
        found = read(explicit)
        if found is None:
            if head:
                raise ConfigError(explicit, "no such configuration file")
            return PolicyDoc(Policy())
        data, path = _document(found, explicit.name)
        table = policy_table(data, path, explicit.name)
        return PolicyDoc(
            config_from_document(data, path, explicit.name),
            None if table is None else table[0],
            found[0],
            explicit.parent,
        )
    own = read(Path.cwd() / CONFIG_FILE)
    project = read(Path.cwd() / PYPROJECT_FILE)
    project_table = None
    project_path = None
    if project is not None:
        data, project_path = _document(project, PYPROJECT_FILE)
        found_table = policy_table(data, project_path, PYPROJECT_FILE)
        if found_table is not None:
            project_table = (data, found_table[0])
    if own is not None:
        if project_table is not None:
            raise ConfigError(
                own[0],
                f"{project[0] if project else PYPROJECT_FILE} also has a [tool.pyvouch] table; "
                "keep the policy in one place",
            )
        data, path = _document(own, CONFIG_FILE)
        return PolicyDoc(config_from_document(data, path, CONFIG_FILE), data, own[0], Path.cwd())
    if project_table is not None and project is not None and project_path is not None:
        data, table = project_table
        return PolicyDoc(
            config_from_document(data, project_path, PYPROJECT_FILE),
            table,
            project[0],
            Path.cwd(),
        )
    return PolicyDoc(Policy())


def read_pins(read: Reader, lock: Path) -> tuple[str, Any]:
    """(label, pins or None) of the ``pyvouch.lock.toml`` next to ``lock`` on one side."""
    path = lock.parent / PIN_FILE_NAME
    found = read(path)
    if found is None:
        return str(path), None
    label, text = found
    pins = parse_pin_data(parse_toml(text, label), label)
    return label, {k: tuple(replace(p, origin=label) for p in v) for k, v in pins.items()}


def read_project_indexes(read: Reader, lock: Path) -> tuple[str, dict[str, Any]]:
    """(label, index settings) of the ``pyproject.toml`` next to ``lock`` on one side."""
    path = lock.parent / PYPROJECT_FILE
    found = read(path)
    if found is None:
        return str(path), {}
    label, text = found
    return label, project_indexes(parse_toml(text, label))


@dataclass(frozen=True, slots=True)
class Side:
    """One side of the change: its packages as read, and what it says to trust."""

    source: SourceResult
    trust: TrustSide


def side(
    source: SourceResult,
    lock_label: str,
    read: Reader,
    lock: Path,
    explicit_config: Path | None,
    *,
    head: bool,
    lock_present: bool = True,
) -> Side:
    policy = read_policy(read, explicit_config, head=head)
    pin_label, pins = read_pins(read, lock)
    project_label, project = read_project_indexes(read, lock)
    return Side(
        source,
        TrustSide(
            lock_label=lock_label,
            lock_present=lock_present,
            packages=tuple(source.packages),
            indexes=tuple(source.index_urls),
            other_sources=tuple(source.other_sources),
            project_indexes=project,
            project_label=project_label,
            policy=with_key_texts(policy, read),
            policy_table=policy.table,
            policy_label=policy.label,
            pins=pins,
            pin_label=pin_label,
        ),
    )


def load_lock(path: Path | None, fmt: str | None = None) -> SourceResult:
    return load_packages(path, resolve=False, format=fmt)


MAX_INCLUDED = 256


def load_at(revision: Revision, lock: Path, text: str, fmt: str, scratch: Path) -> SourceResult:
    """The lock ``text`` (``lock`` at ``revision``) read as format ``fmt``.

    It is written under ``scratch`` at its path in the repository, with the requirement files
    it includes (``-r``/``-c``, recursively) as they are at ``revision``, so includes resolve
    as they did at the base. Messages name ``REF:path`` rather than the scratch folder.
    """
    rel = revision.relative(lock)
    assert rel is not None
    copy = scratch / rel
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(text, encoding="utf-8")
    if fmt == REQUIREMENTS.FORMAT:
        _copy_includes(revision, lock, text, scratch)
    try:
        source = load_lock(copy, fmt)
    except InputError as err:
        raise InputError(
            _relabel(err.path, scratch, revision.ref),
            _relabel(err.problem, scratch, revision.ref),
            where=err.where,
        ) from None
    warnings = [_relabel(w, scratch, revision.ref) for w in source.warnings]
    return replace(source, warnings=warnings)


def _relabel(text: str, scratch: Path, ref: str) -> str:
    return text.replace(f"{scratch}{os.sep}", f"{ref}:")


def _copy_includes(revision: Revision, lock: Path, text: str, scratch: Path) -> None:
    todo = [(lock, text)]
    seen = {revision.relative(lock)}
    while todo:
        path, content = todo.pop()
        for value in requirements.included_files(path, content):
            if "://" in value:
                continue
            target = Path(value) if Path(value).is_absolute() else path.parent / value
            rel = revision.relative(target)
            if rel is None or rel in seen or len(seen) >= MAX_INCLUDED:
                continue  # outside the repository: the loader says it is not found
            seen.add(rel)
            found = revision.read(target)
            if found is None:
                continue
            out = scratch / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(found, encoding="utf-8")
            todo.append((target, found))


def read_sides(
    locks: tuple[Path, ...], base_ref: str | None, config: Path | None, scratch: Path
) -> tuple[Side, Side, list[str]]:
    """Both sides of the change, and warnings about the comparison itself."""
    notes: list[str] = []
    if base_ref is None:
        if len(locks) != 2:
            raise UsageError("give two lock files (BASE HEAD), or --base GIT_REF [HEAD]")
        base_lock, head_lock = locks
        base_source, head_source = load_lock(base_lock), load_lock(head_lock)
        base = side(base_source, str(base_lock), read_disk, base_lock, config, head=False)
        head = side(head_source, str(head_lock), read_disk, head_lock, config, head=True)
        return base, head, notes
    if len(locks) > 1:
        raise UsageError("with --base, give at most one lock file (the head)")
    head_source = load_lock(locks[0] if locks else None)
    if head_source.path is None:
        raise UsageError("--base needs a lock file, not an environment")
    lock = head_source.path
    revision = open_revision(lock, base_ref)
    if revision.is_checked_out():
        notes.append(
            f"--base {base_ref} is the commit checked out here: only uncommitted edits are "
            "reviewed, and that commit's own policy and pins are trusted; in CI, name the "
            "target branch (e.g. origin/main)"
        )
    text = revision.read(lock)
    label = revision.label(lock)
    if text is None:
        base_source = SourceResult([], head_source.format, None)
    else:
        base_source = load_at(revision, lock, text, head_source.format, scratch)
    reader = read_at(revision)
    base = side(base_source, label, reader, lock, config, head=False, lock_present=text is not None)
    head = side(
        head_source, str(locks[0] if locks else lock.name), read_disk, lock, config, head=True
    )
    return base, head, notes
