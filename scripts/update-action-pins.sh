#!/usr/bin/env bash
# Regenerates action/requirements.txt: every dependency of pyvouch (pyproject.toml) and the
# build backend (action/requirements.in), each pinned to one version with the sha256 of every
# file PyPI has for it, for any platform a runner may be (--universal). The GitHub Action
# installs exactly these with pip --require-hashes, then pyvouch from its own checkout.
# Run it after changing pyproject.toml's dependencies, and to take new releases (Dependabot's
# pip updates on /action do the same); tests/integrations/test_action_pins.py fails while the
# pins no longer satisfy pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
uv pip compile pyproject.toml action/requirements.in \
    --generate-hashes --universal --python-version 3.11 --no-header --quiet \
    --upgrade -o action/requirements.txt
