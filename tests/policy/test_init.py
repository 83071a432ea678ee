"""`policy init` suggestions: which packages, why, and a policy that loads back."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pyvouch.model import FileRef, Package
from pyvouch.policy.config import parse_config
from pyvouch.policy.init import Suggestion, render_policy, suggest_critical
from pyvouch.policy.schema import Mode, Require


def pkg(name: str, *files: str, origin: str | None = None) -> Package:
    return Package(name=name, version="1", files=tuple(FileRef(f) for f in files), origin=origin)


LOCK = [
    pkg(
        "cryptography",
        "cryptography-43.0.0-cp39-abi3-manylinux_2_28_x86_64.whl",
        "cryptography-43.0.0.tar.gz",
    ),
    pkg("Legacy_Lib", "legacy_lib-0.1.tar.gz"),
    pkg("six", "six-1.17.0-py2.py3-none-any.whl", "six-1.17.0.tar.gz"),
    pkg("requests", "requests-2.32.3-py3-none-any.whl"),
    pkg("urllib3", "urllib3-2.2.3-py3-none-any.whl"),
    pkg("certifi", "certifi-2024.8.30-py3-none-any.whl"),
    pkg("idna", "idna-3.10-py3-none-any.whl"),
    pkg("charset-normalizer", "charset_normalizer-3.4.0-py3-none-any.whl"),
    pkg("mytool", origin="git+https://example.org/mytool"),
    pkg("nofiles"),
]


def test_suggestions_and_reasons() -> None:
    got = suggest_critical(
        LOCK,
        direct=["Requests", "mytool"],
        dependents={"urllib3": 3, "certifi": 2, "idna": 1, "charset_normalizer": 2},
        top_n=2,
    )
    # Top 2 with >= 2 dependents: urllib3 (3), then certifi (2; before charset-normalizer by
    # name); idna (1) never. mytool is not from an index; nofiles has no reason. Sorted by name.
    assert got == (
        Suggestion("certifi", ("depended on by 2 packages",)),
        Suggestion("cryptography", ("native code",)),
        Suggestion("legacy-lib", ("installed from source (runs its build hooks)",)),
        Suggestion("requests", ("direct dependency",)),
        Suggestion("urllib3", ("depended on by 3 packages",)),
    )


def test_reasons_combine() -> None:
    (only,) = suggest_critical(LOCK[:1], direct=["cryptography"], dependents={"cryptography": 4})
    assert only.reasons == ("direct dependency", "native code", "depended on by 4 packages")


def test_nothing_stands_out() -> None:
    assert suggest_critical([pkg("six", "six-1.17.0-py2.py3-none-any.whl")]) == ()


def test_rendered_policy_loads_back_and_explains(tmp_path: Path) -> None:
    suggestions = suggest_critical(LOCK, direct=["requests"])
    text = render_policy(suggestions, source="pylock.toml")
    policy = parse_config(tomllib.loads(text), tmp_path / "pyvouch.toml")
    assert policy.mode is Mode.COLLECT
    assert policy.critical.packages == ("cryptography", "legacy-lib", "requests")
    assert policy.critical.require is Require.VERIFIED
    assert policy.long_tail.require is Require.NO_REGRESSION
    assert '"cryptography",  # native code' in text
    assert "collect mode" in text

    pyproject = render_policy(suggestions, pyproject=True)
    data = tomllib.loads('[project]\nname = "x"\n' + pyproject)
    again = parse_config(data["tool"]["pyvouch"], tmp_path / "pyproject.toml", "tool.pyvouch")
    assert again.critical.packages == policy.critical.packages

    empty = parse_config(tomllib.loads(render_policy(())), tmp_path / "pyvouch.toml")
    assert empty.critical.packages == ()


def test_source_name_cannot_break_the_comment() -> None:
    text = render_policy((), source="evil\nmode = 'enforce'")
    assert tomllib.loads(text)["mode"] == "collect"
