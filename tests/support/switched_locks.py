# ruff: noqa: E501  (lock files written verbatim, with their long lines)
"""sampleproject's lock entry switched from the index to a direct URL, a git checkout, a local
path or an editable directory, in pylock.toml, uv.lock and requirements.txt (issue 8, rule 4)."""

from __future__ import annotations

from tests.support.scan_sites import PUBLISHERS, SAMPLE

NAME, VERSION, SDIST, SHA = SAMPLE.project, SAMPLE.version, SAMPLE.filename, SAMPLE.sha256
PIN = PUBLISHERS[SDIST]
GOOGLE_IDENTITY = 'kind = "Google"\nemail = "919436158236-compute@developer.gserviceaccount.com"\n'
URL = f"https://files.example/{SDIST}"
GIT = "https://github.com/pypa/sampleproject"
COMMIT = "0123456789abcdef0123456789abcdef01234567"

_PYLOCK_HEAD = f'lock-version = "1.0"\ncreated-by = "t"\n\n[[packages]]\nname = "{NAME}"\n'
_UV_HEAD = f'version = 1\nrevision = 3\nrequires-python = ">=3.9"\n\n[[package]]\nname = "{NAME}"\nversion = "{VERSION}"\n'

SWITCHED: dict[str, dict[str, str]] = {
    "pylock.toml": {
        "url": _PYLOCK_HEAD
        + f'version = "{VERSION}"\narchive = {{ url = "{URL}", hashes = {{ sha256 = "{SHA}" }} }}\n',
        "git": _PYLOCK_HEAD + f'vcs = {{ type = "git", url = "{GIT}", commit-id = "{COMMIT}" }}\n',
        "path": _PYLOCK_HEAD
        + f'version = "{VERSION}"\narchive = {{ path = "./dist/{SDIST}", hashes = {{ sha256 = "{SHA}" }} }}\n',
        "editable": _PYLOCK_HEAD + 'directory = { path = "./sampleproject", editable = true }\n',
    },
    "uv.lock": {
        "url": _UV_HEAD + f'source = {{ url = "{URL}" }}\nsdist = {{ hash = "sha256:{SHA}" }}\n',
        "git": _UV_HEAD + f'source = {{ git = "{GIT}?rev=v3#{COMMIT}" }}\n',
        "path": _UV_HEAD
        + f'source = {{ path = "./dist/{SDIST}" }}\nsdist = {{ hash = "sha256:{SHA}" }}\n',
        "editable": _UV_HEAD + 'source = { editable = "./sampleproject" }\n',
    },
    "requirements.txt": {
        "url": f"{NAME} @ {URL} --hash=sha256:{SHA}\n",
        "git": f"git+{GIT}@{COMMIT}#egg={NAME}\n",
        "path": f"./dist/{SDIST} --hash=sha256:{SHA}\n",
        "editable": f"-e ./sampleproject#egg={NAME}\n",
    },
}
