"""The action's pins (action/requirements.txt) against pyproject.toml: every dependency and the
build backend pinned to one version that the declared range allows, each with hashes; nothing
pinned that pyvouch does not need. Fails as soon as pyproject.toml moves past the pins
(scripts/update-action-pins.sh regenerates them)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
PINS = REPO / "action" / "requirements.txt"
_PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;[^\\]*)?\\?$")


def pins() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes)."""
    out: dict[str, tuple[str, int]] = {}
    current: str | None = None
    for line in PINS.read_text("utf-8").splitlines():
        if match := _PIN.match(line):
            current = canonicalize_name(match.group(1))
            assert current not in out or out[current][0] == match.group(2), line
            out[current] = (match.group(2), out.get(current, ("", 0))[1])
        elif current and line.strip().startswith("--hash=sha256:"):
            assert re.fullmatch(r"--hash=sha256:[0-9a-f]{64}( \\)?", line.strip()), line
            version, hashes = out[current]
            out[current] = (version, hashes + 1)
        elif line.strip() and not line.lstrip().startswith("#"):
            raise AssertionError(f"an unpinned line in {PINS.name}: {line}")
    return out


def test_every_dependency_is_pinned_within_its_range_with_hashes() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    wanted = [Requirement(r) for r in project["project"]["dependencies"]]
    wanted += [Requirement(r) for r in project["build-system"]["requires"]]
    pinned = pins()
    assert pinned, "no pins read"
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement} is not pinned in {PINS.name}"
        version, hashes = pinned[name]
        assert requirement.specifier.contains(version, prereleases=True), (requirement, version)
        assert hashes >= 1, f"{name}=={version} has no hash"
    assert all(hashes >= 1 for _, hashes in pinned.values())


def test_the_install_step_uses_the_pins_with_hashes_only() -> None:
    from tests.support.action_runner import load_action

    install = load_action()["runs"]["steps"][0]["run"]
    pinned = "--require-hashes --no-deps --only-binary :all: -r "
    assert pinned + '"$GITHUB_ACTION_PATH/action/requirements.txt"' in install
    assert '--no-deps --no-build-isolation --no-index "$GITHUB_ACTION_PATH"' in install
    assert "pip check" in install
