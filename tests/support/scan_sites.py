# ruff: noqa: E501  (lock files written verbatim, with their long lines)
"""Sites and lock files for the `pyvouch scan` and `pyvouch index check` tests.

- `build_site(dst)` builds a static PEP 503/691/740 site with `pyvouch index build` (run
  in-process through click) from the real attested fixtures in tests/assets/attestations.
- `mirror_site(server, site, strip=...)` scripts a `tests.support.index_servers.IndexServer`
  to serve that site's JSON pages and provenance: faithfully (api-version 1.3, provenance
  URLs and null keys as built), or as a stripping mirror does (api-version 1.1, no
  provenance keys at all, integrity endpoint 404). Tests then add faults route by route.
- Writers for every lock format name the fixture dists by their real digests.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from pyvouch.cli.main import cli
from tests.support.index_servers import PEP691_JSON, IndexServer, Reply

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "attestations"


@dataclass(frozen=True)
class Dist:
    project: str
    version: str
    filename: str
    sha256: str
    attested: bool


SAMPLE = Dist(
    "sampleproject",
    "3.0.0",
    "sampleproject-3.0.0.tar.gz",
    "117ed88e5db073bb92969a7545745fd977ee85b7019706dd256a64058f70963d",
    True,
)
PA_SDIST = Dist(
    "pypi-attestations",
    "0.0.19",
    "pypi_attestations-0.0.19.tar.gz",
    "9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3",
    True,
)
PA_WHEEL = Dist(
    "pypi-attestations",
    "0.0.19",
    "pypi_attestations-0.0.19-py3-none-any.whl",
    "ce68b3261987e7d7d7e65591e3f24c71fd03f90c44f1d011980aa7d291dc70dd",
    False,
)
GITLAB = Dist(
    "gitlab-oidc-project",
    "0.0.3",
    "gitlab_oidc_project-0.0.3.tar.gz",
    "c1ca9b0d85df1606451098233018534497bf584362e10e4a8c21dfaea92c02a8",
    True,
)
DISTS = (SAMPLE, PA_SDIST, PA_WHEEL, GITLAB)
PROJECTS = ("sampleproject", "pypi-attestations", "gitlab-oidc-project")

# Publisher specs the verified files must carry (from EXPECTED.tsv).
PUBLISHERS = {
    SAMPLE.filename: "google:919436158236-compute@developer.gserviceaccount.com",
    PA_SDIST.filename: "github:trailofbits/pypi-attestations:release.yml",
    GITLAB.filename: "gitlab:facutuesca/gitlab-oidc-project:.gitlab-ci.yml",
}

_COMPANIONS = {
    SAMPLE.filename: ("sampleproject-3.0.0.tar.gz.publish.attestation",),
    PA_SDIST.filename: (
        "pypi_attestations-0.0.19.tar.gz.publish.attestation",
        "pypi_attestations-0.0.19.tar.gz.slsa.attestation",
    ),
    PA_WHEEL.filename: (),
    GITLAB.filename: ("gitlab_oidc_project-0.0.3.tar.gz.publish.attestation",),
}


def build_site(dst: Path) -> Path:
    """`pyvouch index build` over the fixture dists; returns the site folder."""
    dists = dst / "dists"
    dists.mkdir(parents=True, exist_ok=True)
    for dist in DISTS:
        for name in (dist.filename, *_COMPANIONS[dist.filename]):
            shutil.copyfile(ASSETS / name, dists / name)
    site = dst / "site"
    result = CliRunner().invoke(cli, ["index", "build", str(dists), "--out", str(site)])
    assert result.exit_code == 0, result.output
    return site


def mirror_site(server: IndexServer, site: Path, *, strip: bool = False) -> None:
    """Route every project page and provenance of ``site`` on ``server``.

    ``strip=True``: what this machine's PyPI mirror does: api-version 1.1, no provenance keys,
    and nothing under /integrity/ (the server answers 404 for unrouted paths).
    """
    simple = site / "simple"
    names = []
    for page in sorted(simple.glob("*/index.json")):
        doc: dict[str, Any] = json.loads(page.read_text("utf-8"))
        name = page.parent.name
        names.append(name)
        if strip:
            doc["meta"]["api-version"] = "1.1"
            for entry in doc["files"]:
                entry.pop("provenance", None)
        server.route(
            f"/simple/{name}/", Reply(body=json.dumps(doc).encode(), content_type=PEP691_JSON)
        )
    index = {
        "meta": {"api-version": "1.1" if strip else "1.3"},
        "projects": [{"name": n} for n in names],
    }
    server.route("/simple/", Reply(body=json.dumps(index).encode(), content_type=PEP691_JSON))
    if strip:
        return
    for prov in sorted((site / "integrity").rglob("provenance")):
        path = "/" + prov.relative_to(site).as_posix()
        server.route(path, Reply(body=prov.read_bytes(), content_type="application/json"))


def provenance_path(dist: Dist) -> str:
    return f"/integrity/{dist.project}/{dist.version}/{dist.filename}/provenance"


# ---- lock files --------------------------------------------------------------------------------

FILES = "https://files.example/packages"


def requirements_hashed(dists: tuple[Dist, ...] = DISTS) -> str:
    by_project: dict[tuple[str, str], list[Dist]] = {}
    for d in dists:
        by_project.setdefault((d.project, d.version), []).append(d)
    lines = []
    for (project, version), ds in by_project.items():
        hashes = " ".join(f"--hash=sha256:{d.sha256}" for d in ds)
        lines.append(f"{project}=={version} {hashes}")
    return "\n".join(lines) + "\n"


def requirements_pinned() -> str:
    return "".join(f"{p}=={v}\n" for p, v in _releases())


def _releases() -> list[tuple[str, str]]:
    return list(dict.fromkeys((d.project, d.version) for d in DISTS))


def uv_lock() -> str:
    parts = ['version = 1\nrevision = 3\nrequires-python = ">=3.9"\n']
    for project, version in _releases():
        ds = [d for d in DISTS if d.project == project]
        sdists = [d for d in ds if not d.filename.endswith(".whl")]
        wheels = [d for d in ds if d.filename.endswith(".whl")]
        block = (
            f'\n[[package]]\nname = "{project}"\nversion = "{version}"\n'
            'source = { registry = "https://pypi.org/simple" }\n'
        )
        for s in sdists:
            block += f'sdist = {{ url = "{FILES}/{s.filename}", hash = "sha256:{s.sha256}" }}\n'
        if wheels:
            items = ", ".join(
                f'{{ url = "{FILES}/{w.filename}", hash = "sha256:{w.sha256}" }}' for w in wheels
            )
            block += f"wheels = [{items}]\n"
        parts.append(block)
    return "".join(parts)


def pylock() -> str:
    parts = ['lock-version = "1.0"\ncreated-by = "pyvouch-tests"\n']
    for project, version in _releases():
        ds = [d for d in DISTS if d.project == project]
        block = f'\n[[packages]]\nname = "{project}"\nversion = "{version}"\nindex = "https://pypi.org/simple"\n'
        for s in (d for d in ds if not d.filename.endswith(".whl")):
            block += f'sdist = {{ name = "{s.filename}", url = "{FILES}/{s.filename}", hashes = {{ sha256 = "{s.sha256}" }} }}\n'
        wheels = [d for d in ds if d.filename.endswith(".whl")]
        if wheels:
            items = ", ".join(
                f'{{ name = "{w.filename}", url = "{FILES}/{w.filename}", hashes = {{ sha256 = "{w.sha256}" }} }}'
                for w in wheels
            )
            block += f"wheels = [{items}]\n"
        parts.append(block)
    return "".join(parts)


def poetry_lock() -> str:
    parts = [
        "# This file is automatically @generated by Poetry 2.1.3 and should not be changed by hand.\n"
    ]
    for project, version in _releases():
        ds = [d for d in DISTS if d.project == project]
        files = ",\n".join(f'    {{file = "{d.filename}", hash = "sha256:{d.sha256}"}}' for d in ds)
        parts.append(
            f'\n[[package]]\nname = "{project}"\nversion = "{version}"\ndescription = ""\n'
            f'optional = false\npython-versions = ">=3.9"\ngroups = ["main"]\nfiles = [\n{files},\n]\n'
        )
    parts.append(
        '\n[metadata]\nlock-version = "2.1"\npython-versions = "^3.9"\ncontent-hash = "x"\n'
    )
    return "".join(parts)


def pipfile_lock() -> str:
    default: dict[str, Any] = {}
    for project, version in _releases():
        ds = [d for d in DISTS if d.project == project]
        default[project] = {
            "hashes": [f"sha256:{d.sha256}" for d in ds],
            "index": "pypi",
            "version": f"=={version}",
        }
    doc = {
        "_meta": {
            "hash": {"sha256": "x"},
            "pipfile-spec": 6,
            "requires": {},
            "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}],
        },
        "default": default,
        "develop": {},
    }
    return json.dumps(doc, indent=4) + "\n"


LOCKS = {
    "uv.lock": uv_lock,
    "pylock.toml": pylock,
    "requirements.txt": requirements_hashed,
    "poetry.lock": poetry_lock,
    "Pipfile.lock": pipfile_lock,
}
