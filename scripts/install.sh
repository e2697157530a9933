#!/usr/bin/env bash
# Install Voxify's pinned Python packages into the interpreter PYTHON (a virtual environment's).
#
#   scripts/install.sh PYTHON          runtime packages only (the container image)
#   scripts/install.sh PYTHON --dev    and the test, lint and type-check tools and the SDK (make install)
#
# torch comes first, on its own: every other package that needs torch then finds the pinned
# build instead of resolving a newer one. TORCH_INDEX_URL, when set, is the index torch is taken
# from (the image uses PyTorch's CPU index; unset, pip's own configuration decides).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:?usage: scripts/install.sh PYTHON [--dev]}
DEV=${2:-}

pip_install() {
  "$PY" -m pip install --quiet --disable-pip-version-check "$@" 2> >(grep -v "^WARNING: Location" >&2)
}

pip_install ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} torch==2.13.0
pip_install setuptools==81.0.0
pip_install -r requirements.txt
pip_install --no-deps -r requirements-nodeps.txt
if [[ "$DEV" == "--dev" ]]; then
  pip_install -r requirements-dev.txt
  pip_install --no-deps -e ./clients/python
fi
