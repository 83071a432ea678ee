"""`pyvouch verify-blob` against the Sigstore conformance suite's bundle-verification cases.

Every case of ../shared/fixtures/sigstore-conformance/bundle-verify runs through the command;
a ``_fail`` case must be rejected, every other case must verify, except the ones listed in
UNSUPPORTED, which must be refused with that reason (docs/blob-signatures.md has the table).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pyvouch.cli.main import cli
from tests.support.blob_signing import DEFAULT_IDENTITY, DEFAULT_ISSUER

SUITE = Path(__file__).resolve().parents[3] / "shared/fixtures/sigstore-conformance/bundle-verify"
CASES = sorted(p.name for p in SUITE.iterdir() if p.is_dir()) if SUITE.is_dir() else []

# Success cases sigstore-python 4.5 cannot verify, and the reason pyvouch gives.
UNSUPPORTED = {
    "intoto-with-custom-trust-root": "unsupported: transparency log entry kind intoto/0.0.2",
    "trust-root-tsa-validity-end-inclusive": "not enough sources of verified time",
}


def run_case(case: Path) -> tuple[int, dict[str, object] | None, str]:
    artifact = case / "artifact" if (case / "artifact").is_file() else case.parent / "a.txt"
    args = ["verify-blob", str(artifact), "--bundle", str(case / "bundle.sigstore.json")]
    if (case / "key.pub").is_file():
        args += ["--key", str(case / "key.pub")]
    else:
        identity = case / "identity"
        issuer = case / "issuer"
        args += [
            "--certificate-identity",
            identity.read_text().strip() if identity.is_file() else DEFAULT_IDENTITY,
            "--certificate-oidc-issuer",
            issuer.read_text().strip() if issuer.is_file() else DEFAULT_ISSUER,
        ]
    if (case / "trusted_root.json").is_file():
        args += ["--trust-root", str(case / "trusted_root.json")]
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    parsed = json.loads(result.stdout)["results"][0] if result.exit_code in (0, 1) else None
    return result.exit_code, parsed, result.output


@pytest.mark.corpus
@pytest.mark.skipif(not CASES, reason=f"conformance suite not present at {SUITE}")
@pytest.mark.parametrize("name", CASES)
def test_conformance_case(name: str) -> None:
    code, result, output = run_case(SUITE / name)
    if name.endswith("_fail"):
        assert code != 0, f"{name} must be rejected: {output}"
        if result is not None:
            assert result["status"] != "verified"
        else:
            assert code == 2 and "pyvouch: error:" in output  # bad key or trust root file
    elif name in UNSUPPORTED:
        assert code == 1 and result is not None, output
        assert result["status"] == "invalid"
        assert UNSUPPORTED[name] in str(result["reason"])
    else:
        assert code == 0, f"{name} must verify: {output}"
        assert result is not None and result["status"] == "verified"
