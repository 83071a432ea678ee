"""Parsing of PEP 691 JSON and PEP 503 HTML project pages, and the URL helpers."""

from __future__ import annotations

import json

import pytest

from pyvouch.index.client import index_root, integrity_url
from pyvouch.index.simple import (
    PageParseError,
    check_provenance,
    file_version,
    normalize_name,
    parse_html_page,
    parse_json_page,
    parse_page,
    strip_credentials,
)

PAGE_URL = "https://idx.example/pypi/simple/demo/"


def test_json_page_fields_and_relative_urls() -> None:
    doc = {
        "meta": {"api-version": "1.3", "_last-serial": 7},
        "name": "Demo_Pkg",
        "files": [
            {
                "filename": "demo_pkg-1.0.tar.gz",
                "url": "../../files/demo_pkg-1.0.tar.gz",
                "hashes": {"sha256": "AA" * 32},
                "provenance": "/integrity/demo-pkg/1.0/demo_pkg-1.0.tar.gz/provenance",
                "requires-python": ">=3.9",
                "yanked": "bad build",
                "core-metadata": {"sha256": "bb" * 32},
            },
            {
                "filename": "demo_pkg-1.0-py3-none-any.whl",
                "url": "https://files.example/demo_pkg-1.0-py3-none-any.whl#sha256=" + "cc" * 32,
                "hashes": {},
                "provenance": None,
                "dist-info-metadata": True,
            },
            {"filename": "demo_pkg-0.9.tar.gz", "url": "demo_pkg-0.9.tar.gz", "hashes": {}},
        ],
    }
    page = parse_json_page(json.dumps(doc).encode(), PAGE_URL)
    assert page.name == "demo-pkg"
    assert page.api_version == "1.3" and page.announces_provenance
    assert page.serves_provenance
    sdist, wheel, old = page.files
    assert sdist.url == "https://idx.example/pypi/files/demo_pkg-1.0.tar.gz"
    assert sdist.sha256 == "aa" * 32  # digests are kept in lower case
    assert sdist.provenance_url == (
        "https://idx.example/integrity/demo-pkg/1.0/demo_pkg-1.0.tar.gz/provenance"
    )
    assert sdist.provenance_key and sdist.yanked == "bad build"
    assert sdist.requires_python == ">=3.9"
    assert sdist.core_metadata == "sha256=" + "bb" * 32
    assert wheel.provenance_key and wheel.provenance_url is None
    assert wheel.sha256 == "cc" * 32 and wheel.url.endswith(".whl")
    assert wheel.core_metadata is True
    assert not old.provenance_key and old.url == PAGE_URL + "demo_pkg-0.9.tar.gz"
    assert page.file("demo_pkg-0.9.tar.gz") is old and page.file("nope") is None


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "not an object"),
        ({"name": "x"}, "'files' is missing"),
        ({"name": "x", "files": [{"url": "u"}]}, r"files\[0\].filename"),
        ({"name": "x", "files": [{"filename": "f", "url": 3}]}, r"files\[0\].url"),
        ({"name": "x", "files": [{"filename": "f", "url": "u", "provenance": 1}]}, "provenance"),
        ({"name": "x", "files": [{"filename": "f", "url": "u", "hashes": []}]}, "hashes"),
        ({"name": "x", "files": [{"filename": "f", "url": "u", "yanked": 1}]}, "yanked"),
        ({"name": "x", "meta": [], "files": []}, "'meta'"),
    ],
)
def test_json_page_shape_errors_are_one_line(doc: object, message: str) -> None:
    with pytest.raises(PageParseError, match=message) as err:
        parse_json_page(json.dumps(doc).encode(), PAGE_URL)
    assert "\n" not in str(err.value)


def test_html_page_with_pep740_and_metadata_attributes() -> None:
    body = b"""<!DOCTYPE html><html><head>
    <meta name="pypi:repository-version" content="1.1">
    <base href="https://cdn.example/base/">
    </head><body>
    <a href="demo-1.0.tar.gz#sha256=abcd" data-requires-python="&gt;=3.8"
       data-provenance="prov/demo-1.0.tar.gz" data-dist-info-metadata="sha256=ef">
       demo-1.0.tar.gz</a>
    <a href="demo-0.9.tar.gz#md5=1234" data-yanked="">demo-0.9.tar.gz</a>
    <a href="demo-0.8.tar.gz" data-yanked="security issue" data-core-metadata="true"></a>
    <a name="anchor-without-href">skip me</a>
    </body></html>"""
    page = parse_html_page(body, PAGE_URL, project="Demo")
    assert page.name == "demo" and page.api_version == "1.1"
    assert page.serves_provenance and not page.announces_provenance
    first, second, third = page.files
    assert first.filename == "demo-1.0.tar.gz"
    assert first.url == "https://cdn.example/base/demo-1.0.tar.gz"
    assert first.sha256 == "abcd"
    assert first.requires_python == ">=3.8"
    assert first.provenance_url == "https://cdn.example/base/prov/demo-1.0.tar.gz"
    assert first.core_metadata == "sha256=ef"
    assert second.sha256 is None and second.yanked is True and not second.provenance_key
    assert third.filename == "demo-0.8.tar.gz"  # from the URL when the anchor has no text
    assert third.yanked == "security issue" and third.core_metadata is True


def test_parse_page_dispatches_on_content_type() -> None:
    empty_json = b'{"meta": {"api-version": "1.0"}, "name": "x", "files": []}'
    assert parse_page(empty_json, "application/vnd.pypi.simple.v1+json", PAGE_URL, project="x")
    assert parse_page(b"<html></html>", "text/html; charset=UTF-8", PAGE_URL, project="x")
    assert parse_page(
        b"<html></html>", "application/vnd.pypi.simple.v1+html", PAGE_URL, project="x"
    )
    with pytest.raises(PageParseError, match="content type 'text/plain'"):
        parse_page(empty_json, "text/plain", PAGE_URL, project="x")


def test_json_errors_name_the_problem() -> None:
    with pytest.raises(PageParseError, match="truncated JSON"):
        parse_json_page(b'{"name": "x", "files": [', PAGE_URL)
    with pytest.raises(PageParseError, match="truncated JSON"):
        parse_json_page(b'{"name": "x", "fi', PAGE_URL)
    with pytest.raises(PageParseError, match=r"not valid JSON \(line 1 column 2"):
        parse_json_page(b"{]", PAGE_URL)
    with pytest.raises(PageParseError, match="empty"):
        parse_json_page(b"  ", PAGE_URL)
    with pytest.raises(PageParseError, match=r"not valid UTF-8 \(byte 1\)"):
        parse_json_page(b"{\xff}", PAGE_URL)


def test_check_provenance_shape() -> None:
    check_provenance(b'{"version": 1, "attestation_bundles": []}')
    with pytest.raises(PageParseError, match="attestation_bundles"):
        check_provenance(b'{"version": 1}')
    with pytest.raises(PageParseError, match="not a JSON object"):
        check_provenance(b"[1]")


def test_names_versions_and_urls() -> None:
    assert normalize_name("Foo.Bar__baz") == "foo-bar-baz"
    assert file_version("pypi_attestations-0.0.19-py3-none-any.whl") == "0.0.19"
    assert file_version("Sample.Project-1.0.0.post1.tar.gz") == "1.0.0.post1"
    assert file_version("legacy-1.0.egg") is None
    assert strip_credentials("https://u:p@h.example:8443/s/") == "https://h.example:8443/s/"
    assert strip_credentials("https://h.example/s/") == "https://h.example/s/"
    assert index_root("https://pypi.org/simple/") == "https://pypi.org/"
    assert index_root("https://h.example/root/pypi/+simple/") == "https://h.example/root/pypi/"
    assert index_root("https://h.example/repo/") == "https://h.example/repo/"
    assert integrity_url(
        "https://pypi.org/simple/", "Sample_Project", "sampleproject-4.0.0.tar.gz"
    ) == ("https://pypi.org/integrity/sample-project/4.0.0/sampleproject-4.0.0.tar.gz/provenance")
    assert integrity_url("https://pypi.org/simple/", "x", "x-1.0.exe") is None
