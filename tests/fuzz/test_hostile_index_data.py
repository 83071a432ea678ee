"""Fuzz what an index (an adversary) hands us: project pages, provenance, attestations.

Mutated, truncated or random input must give a parsed value or the module's own clear error,
never another exception; and verification of whatever parses must give a finding (never
raise, never `verified` for an attestation whose signed statement was altered).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyvouch.errors import InputError
from pyvouch.index.simple import PageParseError, check_provenance, parse_page
from pyvouch.model import Status
from pyvouch.verify.attestations import AttestationVerifier, digest_file
from pyvouch.verify.load import parse_attestations
from pyvouch.verify.trust import load_trust_root
from tests.support.index_servers import PageFile, html_page, json_page

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "attestations"
EXAMPLES = int(os.environ.get("PYVOUCH_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_FILES = [
    PageFile("demo-1.0.tar.gz", "../../files/demo-1.0.tar.gz", "ab" * 32, provenance="p/1"),
    PageFile("demo-1.0-py3-none-any.whl", "/f/demo.whl", "cd" * 32, provenance=None),
    PageFile("demo-0.9.tar.gz", "https://x.example/demo-0.9.tar.gz", None, yanked="bad"),
]
JSON_PAGE = json_page("demo", _FILES)
HTML_PAGE = html_page("demo", _FILES)
PROVENANCE = (ASSETS / "pypi_attestations-0.0.19.tar.gz.provenance").read_bytes()
ATTESTATION = (ASSETS / "sampleproject-3.0.0.tar.gz.publish.attestation").read_bytes()
BUNDLE = (ASSETS / "pypi_attestation_models-0.0.4a2.tar.gz.sigstore").read_bytes()

PUNCTUATION = [b'"', b"[", b"]", b"{", b"}", b"<", b">", b"=", b"\n", b",", b"\\", b"\xff", b"\x00"]


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    kind = draw(st.sampled_from(["truncate", "replace", "insert", "delete", "random"]))
    if kind == "random":
        return draw(st.binary(max_size=300))
    pos = draw(st.integers(min_value=0, max_value=len(data)))
    if kind == "truncate":
        return data[:pos]
    chunk = draw(st.one_of(st.binary(min_size=1, max_size=6), st.sampled_from(PUNCTUATION)))
    if kind == "insert":
        return data[:pos] + chunk + data[pos:]
    if kind == "delete":
        return data[:pos] + data[pos + len(chunk) :]
    return data[:pos] + chunk + data[pos + len(chunk) :]


@FUZZ
@given(body=mutated(JSON_PAGE), content_type=st.sampled_from(["application/json", "text/html"]))
def test_project_pages_parse_or_say_why(body: bytes, content_type: str) -> None:
    try:
        page = parse_page(body, content_type, "https://idx.example/simple/demo/", project="demo")
    except PageParseError as err:
        assert str(err) and "\n" not in str(err)
        return
    for f in page.files:
        # a URL was resolved against the page (whatever its scheme: nothing fetches it here)
        assert isinstance(f.url, str) and f.url.strip() == f.url and f.url
        assert f.provenance_url is None or isinstance(f.provenance_url, str)


@FUZZ
@given(body=mutated(HTML_PAGE))
def test_html_pages_parse_or_say_why(body: bytes) -> None:
    try:
        parse_page(body, "text/html", "https://idx.example/simple/demo/", project="demo")
    except PageParseError as err:
        assert str(err) and "\n" not in str(err)


@FUZZ
@given(body=mutated(PROVENANCE))
def test_provenance_shape_check_or_say_why(body: bytes) -> None:
    try:
        check_provenance(body)
    except PageParseError as err:
        assert str(err) and "\n" not in str(err)


_VERIFIER = AttestationVerifier(load_trust_root())
_SDIST = digest_file(ASSETS / "pypi_attestations-0.0.19.tar.gz")


@FUZZ
@given(body=st.one_of(mutated(PROVENANCE), mutated(ATTESTATION), mutated(BUNDLE)))
def test_attestations_load_or_say_why_and_verification_never_raises(body: bytes) -> None:
    try:
        loaded = parse_attestations(body, "hostile")
    except InputError as err:
        assert "hostile" in str(err)
        return
    finding = _VERIFIER.verify_file(_SDIST, loaded.attestations, None)
    assert isinstance(finding.status, Status)
    if finding.status is Status.VERIFIED:
        # Only the real provenance for this sdist can verify; its signed statements must be
        # exactly the original ones (a mutation that survives is outside what is signed).
        original = {
            a.attestation.envelope.statement
            for a in parse_attestations(PROVENANCE, "original").attestations
        }
        assert {a.attestation.envelope.statement for a in loaded.attestations} <= original


def test_the_unmutated_inputs_are_valid() -> None:
    """The fuzz seeds themselves parse (so the tests above mutate something meaningful)."""
    page = parse_page(
        JSON_PAGE, "application/json", "https://i.example/simple/demo/", project="demo"
    )
    assert len(page.files) == 3
    assert parse_page(HTML_PAGE, "text/html", "https://i.example/simple/demo/", project="demo")
    check_provenance(PROVENANCE)
    loaded = parse_attestations(PROVENANCE, "p")
    assert _VERIFIER.verify_file(_SDIST, loaded.attestations, None).status is Status.VERIFIED
    assert json.loads(ATTESTATION)["version"] == 1


def test_a_malformed_url_on_a_page_is_a_page_error() -> None:
    """Found by the fuzzer: urllib raises ValueError for an unclosed IPv6 host."""
    for kind, page in (
        ("application/json", json_page("demo", [PageFile("demo-1.0.tar.gz", "https://[x/d")])),
        ("text/html", html_page("demo", [PageFile("demo-1.0.tar.gz", "https://[x/d")])),
        (
            "application/json",
            json_page("demo", [PageFile("d-1.tar.gz", "/d", provenance="http://[p")]),
        ),
    ):
        try:
            parse_page(page, kind, "https://i.example/simple/demo/", project="demo")
        except PageParseError as err:
            assert "malformed URL" in str(err)
        else:
            raise AssertionError("a malformed URL was accepted")


def test_deeply_nested_documents_are_errors_not_crashes(tmp_path: Path) -> None:
    """Found in review: json and tomllib raise RecursionError on absurd nesting."""
    import pytest

    from pyvouch.errors import ConfigError
    from pyvouch.index.cache import IndexCache
    from pyvouch.sources import load_packages
    from pyvouch.tomlfile import read_toml

    deep = b"[" * 200_000
    with pytest.raises(PageParseError, match="nested too deeply"):
        parse_page(deep, "application/json", "https://i.example/simple/demo/", project="demo")
    with pytest.raises(PageParseError):
        check_provenance(deep)
    lock = tmp_path / "pylock.toml"
    lock.write_text("a = " + "[" * 200_000, encoding="utf-8")
    with pytest.raises(InputError, match="nested too deeply"):
        load_packages(lock)
    config = tmp_path / "pyvouch.toml"
    config.write_text("a = " + "[" * 200_000, encoding="utf-8")
    with pytest.raises(ConfigError, match="nested too deeply"):
        read_toml(config)
    # a planted cache entry is a miss
    cache = IndexCache(tmp_path / "cache", secret=b"k" * 32)  # a key: the entry is read
    route = cache._route_path("https://i.example/simple/")
    route.parent.mkdir(parents=True)
    route.write_bytes(deep)
    assert cache.get_direct_route("https://i.example/simple/") is False
