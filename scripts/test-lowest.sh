#!/usr/bin/env bash
# Runs the test suite once with the LOWEST versions that pyproject.toml allows for every direct
# dependency (uv's --resolution lowest-direct), so the lower bounds there are tested facts.
# Uses its own venv (.venv-lowest) and never touches .venv. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# uv comes from PyPI, into a scratch venv of its own (not the project's).
tools="${TMPDIR:-/tmp}/pyvouch-lowest-tools"
if [ ! -x "$tools/bin/uv" ]; then
  python3 -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet --upgrade pip
  "$tools/bin/python" -m pip install --quiet 'uv>=0.5'
fi
uv="$tools/bin/uv"
export UV_PYTHON_DOWNLOADS=never  # the python3.11 on PATH, nothing fetched

# --seed puts pip into the venv: some tests run pip from the test interpreter. The seeded
# packages (setuptools, wheel and its packaging) would satisfy the bounds and be kept, so the
# lowest versions are compiled into exact pins first and installed over them.
rm -rf .venv-lowest
"$uv" venv --quiet --seed -p python3.11 .venv-lowest
export VIRTUAL_ENV="$PWD/.venv-lowest"
"$uv" pip compile --quiet --resolution lowest-direct --extra test --python .venv-lowest/bin/python \
  --no-header --no-annotate -o .venv-lowest/requirements.txt pyproject.toml
"$uv" pip install --quiet -r .venv-lowest/requirements.txt
"$uv" pip install --quiet --no-deps -e .
echo "lowest-direct versions: $(grep -v '^#' .venv-lowest/requirements.txt | tr '\n' ' ')"
.venv-lowest/bin/pytest "$@"
