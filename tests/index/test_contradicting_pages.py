"""An index that contradicts itself cannot tell (issue 8, rule 8).

A project page that says two things about one file (listed twice with another provenance
answer, another sha256 or PGP flag; or one entry whose `hashes` and URL fragment disagree) is
`unknown` for that file, with the reason naming the contradiction: never `unattested`, never
`verified` by whichever entry happens to come first. Hostile loopback pages in PEP 691 JSON
and PEP 503 HTML, with real provenance signed by the honest publisher and by an attacker.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from pyvouch.cli.main import cli
from pyvouch.index.client import IndexClient, ProvenanceLookup, ProvenanceState
from pyvouch.index.simple import parse_page
from pyvouch.testing import TestAuthority
from tests.support.cache_plants import HONEST, MALLORY, Corpus, make_corpus
from tests.support.index_servers import (
    ABSENT,
    PEP691_JSON,
    IndexServer,
    PageFile,
    Reply,
    html_page,
    json_page,
    serve,
)
from tests.support.policy_sites import Minter

pytestmark = pytest.mark.timeout(120)

FORMS = ("json", "html")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return make_corpus(Minter(TestAuthority()), tmp_path_factory.mktemp("contradictions"))


@pytest.fixture(autouse=True)
def _own_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYVOUCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYVOUCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)


class Site:
    """One loopback index with a page per project that a test writes entry by entry, and the
    honest and the attacker's provenance for both wheels at fixed paths."""

    def __init__(self, server: IndexServer, corpus: Corpus) -> None:
        self.server = server
        self.corpus = corpus
        for wheel in (corpus.victim, corpus.good):
            server.route(f"/files/{wheel.name}", Reply(body=wheel.read_bytes()))
            server.route(
                self.evil(wheel), Reply(body=Corpus.provenance(corpus.attacker_site, wheel))
            )
        server.route(
            self.honest(corpus.good), Reply(body=Corpus.provenance(corpus.honest_site, corpus.good))
        )

    @staticmethod
    def honest(wheel: Path) -> str:
        return f"/honest/{wheel.name}.provenance"

    @staticmethod
    def evil(wheel: Path) -> str:
        return f"/evil/{wheel.name}.provenance"

    def entry(self, wheel: Path, provenance: object, sha256: str | None = None) -> PageFile:
        return PageFile(
            wheel.name, f"/files/{wheel.name}", sha256 or Corpus.sha256(wheel), provenance
        )

    def page(self, wheel: Path, entries: list[PageFile], form: str = "json") -> None:
        project = wheel.name.split("-")[0]
        if form == "json":
            reply = Reply(body=json_page(project, entries), content_type=PEP691_JSON)
        else:
            reply = Reply(body=html_page(project, entries), content_type="text/html")
        self.server.route(f"/simple/{project}/", reply)

    def lookup(self, wheel: Path, *, digest: bool = True) -> ProvenanceLookup:
        import asyncio

        async def run() -> ProvenanceLookup:
            async with IndexClient(self.server.url("/simple/"), use_cache=False) as client:
                sha = Corpus.sha256(wheel) if digest else None
                return await client.provenance(wheel.name.split("-")[0], wheel.name, sha)

        return asyncio.run(run())


@pytest.fixture
def site(corpus: Corpus) -> Iterator[Site]:
    with serve() as server:
        yield Site(server, corpus)


def scan(site: Site, folder: Path) -> dict[str, tuple[str, str | None, str]]:
    corpus = site.corpus
    lock = corpus.pylock(folder / "pylock.toml")
    result = CliRunner().invoke(
        cli,
        [
            "scan", str(lock), "--index-url", site.server.url("/simple/"),
            "--trust-root", str(corpus.trust_root), "--format", "json", "--retries", "0",
        ],
    )  # fmt: skip
    assert result.exit_code in (0, 1, 3), result.output
    out = {}
    for package in json.loads(result.stdout)["packages"]:
        for f in package["files"]:
            who = f["publisher"]["repository"] if f["publisher"] else None
            out[f["filename"]] = (f["status"], who, f["reason"])
    return out


# ---- the page: which answers are contradictions ----------------------------------------------


def _parsed(site: Site, wheel: Path, entries: list[PageFile], form: str) -> str | None:
    project = wheel.name.split("-")[0]
    body = json_page(project, entries) if form == "json" else html_page(project, entries)
    kind = PEP691_JSON if form == "json" else "text/html"
    page = parse_page(body, kind, site.server.url(f"/simple/{project}/"), project=project)
    return page.contradiction(wheel.name)


@pytest.mark.parametrize("form", FORMS)
def test_what_counts_as_a_contradiction(site: Site, form: str) -> None:
    v, g = site.corpus.victim, site.corpus.good
    same = site.entry(g, site.honest(g))
    differs = {
        "null then a url": [site.entry(v, None), site.entry(v, site.evil(v))],
        "a url then null": [site.entry(v, site.evil(v)), site.entry(v, None)],
        "two urls": [site.entry(g, site.honest(g)), site.entry(g, site.evil(g))],
        "no key then a url": [site.entry(v, ABSENT), site.entry(v, site.evil(v))],
        "two digests": [same, site.entry(g, site.honest(g), sha256="ab" * 32)],
        "a digest then none": [same, replace(same, sha256=None)],
        "pgp flag": [same, replace(same, gpg_sig=True)],
        "three entries, the last differs": [same, same, site.entry(g, site.evil(g))],
    }
    if form == "json":  # HTML cannot say "present and null"
        differs["no key then null"] = [site.entry(v, ABSENT), site.entry(v, None)]
    for label, entries in differs.items():
        wheel = Path(entries[0].filename)
        how = _parsed(site, wheel, entries, form)
        assert how is not None, label
        assert how.startswith(f"the index page contradicts itself about {wheel.name}"), how
        assert "listed more than once" in how
    agree = {
        "listed once": [same],
        "listed twice, the same": [same, same],
        "another download url": [same, replace(same, url="/mirror/" + g.name)],
        "another file": [same, site.entry(v, None)],
    }
    for label, entries in agree.items():
        assert _parsed(site, g, entries, form) is None, label


def test_an_entry_whose_hashes_and_url_disagree_contradicts_itself(site: Site) -> None:
    g = site.corpus.good
    sha = Corpus.sha256(g)
    other = "cd" * 32
    doc = json.loads(json_page("goodpkg", [site.entry(g, site.honest(g))]))
    doc["files"][0]["url"] += f"#sha256={other}"
    page = parse_page(
        json.dumps(doc).encode(), PEP691_JSON, site.server.url("/simple/goodpkg/"), project="g"
    )
    how = page.contradiction(g.name)
    assert how is not None and f"sha256 {sha} in hashes, {other} in its URL" in how
    doc["files"][0]["url"] = doc["files"][0]["url"].replace(other, sha)  # agreeing: fine
    page = parse_page(
        json.dumps(doc).encode(), PEP691_JSON, site.server.url("/simple/goodpkg/"), project="g"
    )
    assert page.contradiction(g.name) is None


def test_an_html_link_whose_text_and_url_name_other_files_contradicts_itself(site: Site) -> None:
    """PEP 503: the link text MUST be the URL's file name. A link saying goodpkg's name while
    pointing at another file cannot be taken at its word; a percent-encoded URL that decodes to
    the text is fine."""
    g = site.corpus.good
    sha = Corpus.sha256(g)
    url = site.server.url("/simple/goodpkg/")
    lying = (
        f'<html><body><a href="/files/other-9.9-py3-none-any.whl#sha256={sha}" '
        f'data-provenance="{site.honest(g)}">{g.name}</a></body></html>'
    )
    page = parse_page(lying.encode(), "text/html", url, project="goodpkg")
    how = page.contradiction(g.name)
    assert how is not None and "its URL other-9.9-py3-none-any.whl" in how
    encoded = g.name.replace("-", "%2D")
    honest = (
        f'<html><body><a href="/files/{encoded}#sha256={sha}" '
        f'data-provenance="{site.honest(g)}">{g.name}</a></body></html>'
    )
    assert (
        parse_page(honest.encode(), "text/html", url, project="goodpkg").contradiction(g.name)
        is None
    )
    site.server.route("/simple/goodpkg/", Reply(body=lying.encode(), content_type="text/html"))
    found = site.lookup(g)
    assert found.state is ProvenanceState.ERROR and "link text" in found.reason


# ---- the lookup: unknown, whichever entry comes first -----------------------------------------


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("attacker_first", [False, True], ids=["honest-first", "attacker-first"])
def test_a_page_listing_a_file_twice_is_an_error_not_an_answer(
    site: Site, form: str, attacker_first: bool
) -> None:
    v = site.corpus.victim
    honest = site.entry(v, None if form == "json" else ABSENT)
    evil = site.entry(v, site.evil(v))
    site.page(v, [evil, honest] if attacker_first else [honest, evil], form)
    for digest in (True, False):
        found = site.lookup(v, digest=digest)
        assert found.state is ProvenanceState.ERROR, found
        assert found.provenance is None
        assert "contradicts itself" in found.reason
    assert site.server.count("/evil/") == 0  # neither answer was followed


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("attacker_first", [False, True], ids=["honest-first", "attacker-first"])
def test_a_scan_says_unknown_for_a_contradicted_file(
    site: Site, form: str, attacker_first: bool, tmp_path: Path
) -> None:
    """victim: no provenance (honest) and mallory's provenance; goodpkg: the honest provenance
    and mallory's; another sha256 for goodpkg on a third line. In either order: unknown."""
    v, g = site.corpus.victim, site.corpus.good
    none = site.entry(v, None if form == "json" else ABSENT)
    pairs = {
        v: (none, site.entry(v, site.evil(v))),
        g: (site.entry(g, site.honest(g)), site.entry(g, site.evil(g))),
    }
    for wheel, (honest, evil) in pairs.items():
        site.page(wheel, [evil, honest] if attacker_first else [honest, evil], form)
    found = scan(site, tmp_path)
    for wheel in (v, g):
        status, who, reason = found[wheel.name]
        assert (status, who) == ("unknown", None), found[wheel.name]
        assert "contradicts itself" in reason
    assert MALLORY.repository not in json.dumps(found)


def test_the_same_honest_page_still_verifies(site: Site, tmp_path: Path) -> None:
    """The control: the same pages without the attacker's line say what is true."""
    v, g = site.corpus.victim, site.corpus.good
    site.page(v, [site.entry(v, None)])
    site.page(g, [site.entry(g, site.honest(g)), site.entry(g, site.honest(g))])
    found = scan(site, tmp_path)
    assert found[v.name][:2] == ("unattested", None)
    assert found[g.name][:2] == ("verified", HONEST.repository)


def test_a_direct_answer_that_does_not_verify_reports_the_contradiction(site: Site) -> None:
    """On the direct route the page is read only when the served provenance does not verify:
    it then says what the page route says, the contradiction."""
    import asyncio

    v = site.corpus.victim
    site.page(v, [site.entry(v, None), site.entry(v, site.evil(v))])
    served = ProvenanceLookup(
        filename=v.name,
        sha256=Corpus.sha256(v),
        state=ProvenanceState.SERVED,
        provenance=b'{"attestation_bundles": []}',
        reason="provenance served by the index",
        url=site.server.url("/integrity/victim/1.0/x/provenance"),
        project="victim",
        direct=True,
    )

    async def run() -> ProvenanceLookup:
        async with IndexClient(site.server.url("/simple/"), use_cache=False) as client:
            return await client.confirm_direct(served)

    confirmed = asyncio.run(run())
    assert confirmed.state is ProvenanceState.ERROR
    assert "contradicts itself" in confirmed.reason


def test_the_same_bytes_under_two_names_are_unknown_for_a_digest_only_lock(
    site: Site, tmp_path: Path
) -> None:
    """A lock that records only a digest (requirements with --hash) and a page listing those
    bytes under two names, one without provenance and one with the attacker's: which file the
    lock means is open, so it is unknown."""
    v = site.corpus.victim
    alias = v.name.replace("victim-1.0", "victim-1.0.post0")
    site.page(
        v,
        [site.entry(v, None), replace(site.entry(v, site.evil(v)), filename=alias)],
    )
    reqs = tmp_path / "requirements.txt"
    reqs.write_text(f"victim==1.0 --hash=sha256:{Corpus.sha256(v)}\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "scan", str(reqs), "--index-url", site.server.url("/simple/"),
            "--trust-root", str(site.corpus.trust_root), "--format", "json", "--retries", "0",
        ],
    )  # fmt: skip
    assert result.exit_code == 3, result.output  # incomplete: nobody can tell
    (package,) = json.loads(result.stdout)["packages"]
    (finding,) = package["files"]
    assert finding["status"] == "unknown"
    assert "under several names" in finding["reason"]
