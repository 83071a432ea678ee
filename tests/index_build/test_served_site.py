"""A site built from the real attested fixtures, served on 127.0.0.1 and read over HTTP.

Every provenance URL resolves; every served attestation verifies offline (signature, chain,
log entry) against the trust root its signature was made on, under the identity the served
publisher label names, for exactly the file the page links.
"""

from __future__ import annotations

import hashlib
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
import sigstore
from pydantic import TypeAdapter, ValidationError
from pypi_attestations import Attestation, Provenance, Publisher
from sigstore.models import TrustedRoot
from sigstore.verify import Verifier, policy

from pyvouch.registry.static_site import build_site
from tests.support.static_server import PEP691_JSON, serve_directory

_STORE = Path(sigstore.__file__).parent / "_store"
PRODUCTION = TrustedRoot.from_file(
    str(_STORE / "https%3A%2F%2Ftuf-repo-cdn.sigstore.dev" / "trusted_root.json")
)
STAGING = TrustedRoot.from_file(
    str(_STORE / "https%3A%2F%2Ftuf-repo-cdn.sigstage.dev" / "trusted_root.json")
)

# What EXPECTED.tsv says each file's attestations were signed by, as PEP 740 labels.
EXPECTED_LABELS: dict[str, list[dict[str, str]]] = {
    "pypi_attestations-0.0.19.tar.gz": [
        {
            "kind": "GitHub",
            "repository": "trailofbits/pypi-attestations",
            "workflow": "release.yml",
        }
    ],
    "pypi_attestation_models-0.0.4a2.tar.gz": [
        {
            "kind": "GitHub",
            "repository": "trailofbits/pypi-attestation-models",
            "workflow": "release.yml",
        }
    ],
    "gitlab_oidc_project-0.0.3.tar.gz": [
        {
            "kind": "GitLab",
            "repository": "facutuesca/gitlab-oidc-project",
            "workflow_filepath": ".gitlab-ci.yml",
        }
    ],
    "rfc8785-0.1.2-py3-none-any.whl": [
        {
            "kind": "Other",
            "issuer": "https://github.com/login/oauth",
            "subject": "william@yossarian.net",
            "email": "william@yossarian.net",
        }
    ],
    "sampleproject-3.0.0.tar.gz": [
        {"kind": "Google", "email": "919436158236-compute@developer.gserviceaccount.com"}
    ],
    "sampleproject-4.0.0.tar.gz": [
        {"kind": "GitHub", "repository": "pypa/sampleproject", "workflow": "release.yml"}
    ],
}
EXPECTED_COUNTS = {
    "pypi_attestations-0.0.19.tar.gz": 2,  # publish + SLSA; the .provenance repeats publish
    "pypi_attestation_models-0.0.4a2.tar.gz": 1,  # the .sigstore bundle is the same one
}
STAGING_SIGNED = {"rfc8785-0.1.2-py3-none-any.whl"}


class Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict[str, str]] = []
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "a":
            self.anchors.append(values)
        elif tag == "meta" and "name" in values:
            self.meta[values["name"]] = values.get("content", "")


def parse_html(text: str) -> Anchors:
    parser = Anchors()
    parser.feed(text)
    return parser


def verify_offline(body: dict[str, Any], label: dict[str, str], filename: str, dist: bytes) -> str:
    """Verify one served attestation with sigstore, no network; return its predicate type."""
    attestation = Attestation.model_validate(body)
    root = STAGING if filename in STAGING_SIGNED else PRODUCTION
    if label["kind"] == "Other":
        identity: Any = policy.Identity(identity=label["subject"], issuer=label["issuer"])
    else:
        identity = TypeAdapter(Publisher).validate_python(label)._as_policy()
    _type, payload = Verifier(trusted_root=root).verify_dsse(attestation.to_bundle(), identity)
    statement = json.loads(payload)
    (subject,) = statement["subject"]
    assert subject["name"] == filename
    assert subject["digest"]["sha256"] == hashlib.sha256(dist).hexdigest()
    return str(statement["predicateType"])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.index_build.conftest import copy_attested

    src = copy_attested(tmp_path_factory.mktemp("dists"))
    out = tmp_path_factory.mktemp("sites") / "site"
    result = build_site(src, out)
    assert (result.projects, result.files, result.files_with_provenance) == (5, 7, 6)
    assert result.attestations == 7
    return out


def test_served_provenance_verifies_for_every_attested_file(site: Path) -> None:
    seen: dict[str, int] = {}
    with serve_directory(site) as server, httpx.Client(timeout=10) as http:
        root = http.get(server.index_url)
        assert root.status_code == 200
        projects = [a["href"] for a in parse_html(root.text).anchors]
        assert projects == sorted(projects)
        for href in projects:
            page_url = urljoin(server.index_url, href)
            page = http.get(page_url)
            assert page.status_code == 200
            parsed = parse_html(page.text)
            assert parsed.meta["pypi:repository-version"] == "1.3"
            for anchor in parsed.anchors:
                file_url, _, fragment = urljoin(page_url, anchor["href"]).partition("#")
                dist = http.get(file_url)
                assert dist.status_code == 200
                filename = Path(urlsplit(file_url).path).name
                assert fragment == f"sha256={hashlib.sha256(dist.content).hexdigest()}"
                if "data-provenance" not in anchor:
                    assert filename not in EXPECTED_LABELS
                    continue
                resp = http.get(urljoin(page_url, anchor["data-provenance"]))
                assert resp.status_code == 200
                provenance = resp.json()
                assert provenance["version"] == 1
                labels = [b["publisher"] for b in provenance["attestation_bundles"]]
                assert labels == EXPECTED_LABELS[filename]
                types = [
                    verify_offline(att, bundle["publisher"], filename, dist.content)
                    for bundle in provenance["attestation_bundles"]
                    for att in bundle["attestations"]
                ]
                assert len(types) == len(set(types))  # one per predicate type, no duplicates
                seen[filename] = len(types)
    assert set(seen) == set(EXPECTED_LABELS)
    for filename, count in EXPECTED_COUNTS.items():
        assert seen[filename] == count
    assert len(server.requests) < 60  # bounded traffic


def test_modelled_publishers_parse_with_pypi_attestations(site: Path) -> None:
    for path in sorted(site.glob("integrity/*/*/*/provenance")):
        filename = path.parent.name
        body = path.read_bytes()
        if EXPECTED_LABELS[filename][0]["kind"] == "Other":
            with pytest.raises(ValidationError):
                Provenance.model_validate_json(body)
        else:
            provenance = Provenance.model_validate_json(body)
            assert provenance.attestation_bundles


def test_served_provenance_fails_for_another_file(site: Path) -> None:
    """The check above can fail: the sdist's served attestation does not verify for the wheel."""
    body = json.loads(
        (
            site / "integrity/pypi-attestations/0.0.19/pypi_attestations-0.0.19.tar.gz/provenance"
        ).read_bytes()
    )
    bundle = body["attestation_bundles"][0]
    wheel = site / "files/pypi-attestations/pypi_attestations-0.0.19-py3-none-any.whl"
    with pytest.raises(AssertionError):
        verify_offline(
            bundle["attestations"][0], bundle["publisher"], wheel.name, wheel.read_bytes()
        )


def test_json_pages_agree_with_html_pages(site: Path) -> None:
    with (
        serve_directory(site, negotiate=True) as server,
        httpx.Client(timeout=10) as http,
    ):
        root = http.get(server.index_url, headers={"Accept": PEP691_JSON})
        assert root.headers["content-type"] == PEP691_JSON
        assert root.json()["meta"]["api-version"] == "1.3"
        names = [p["name"] for p in root.json()["projects"]]
        html_root = http.get(server.index_url, headers={"Accept": "text/html"})
        assert names == [a["href"].rstrip("/") for a in parse_html(html_root.text).anchors]
        for name in names:
            page_url = f"{server.index_url}{name}/"
            page = http.get(page_url, headers={"Accept": PEP691_JSON}).json()
            html_page = parse_html(http.get(page_url).text)
            assert page["name"] == name
            assert page["versions"]
            html_files = {a["href"].split("#")[0].rsplit("/", 1)[-1]: a for a in html_page.anchors}
            assert [f["filename"] for f in page["files"]] == list(html_files)
            for entry in page["files"]:
                anchor = html_files[entry["filename"]]
                assert urljoin(page_url, entry["url"]) == urljoin(
                    page_url, anchor["href"].split("#")[0]
                )
                assert anchor["href"].endswith("#sha256=" + entry["hashes"]["sha256"])
                assert entry["provenance"] == anchor.get("data-provenance")
                assert entry.get("requires-python") == anchor.get("data-requires-python")
                file_resp = http.get(urljoin(page_url, entry["url"]))
                assert len(file_resp.content) == entry["size"]
                if entry["core-metadata"]:
                    meta = http.get(urljoin(page_url, entry["url"]) + ".metadata")
                    assert (
                        hashlib.sha256(meta.content).hexdigest()
                        == (entry["core-metadata"]["sha256"])
                    )
                    assert b"Metadata-Version" in meta.content


def test_plain_static_server_answers_html_to_a_json_request(site: Path) -> None:
    """`python -m http.server` cannot negotiate: a JSON Accept still gets the HTML page."""
    with serve_directory(site) as server, httpx.Client(timeout=10) as http:
        resp = http.get(f"{server.index_url}rfc8785/", headers={"Accept": PEP691_JSON})
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/html")
        assert "data-provenance" in resp.text
