#!/usr/bin/env bash

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

# Build the HTML documentation with every Sphinx warning turned into an error.
#   build_tools/build_docs.sh               use the current environment (needs the doc extra)
#   build_tools/build_docs.sh --fresh-venv  install ".[doc]" into a throw-away venv first
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ "${1:-}" == "--fresh-venv" ]]; then
    work="$(mktemp -d)"
    trap 'rm -rf "${work}"' EXIT
    "${PYTHON:-python3}" -m venv "${work}/venv"
    # shellcheck disable=SC1091
    source "${work}/venv/bin/activate"
    python -m pip install --quiet --upgrade pip
    (cd "${root}" && python -m pip install --quiet ".[doc]")
fi

cd "${root}/doc"
rm -rf _build generated gen_modules auto_examples
export MPLBACKEND=Agg
# Sphinx is run from doc/, so "import skselect" must find the installed package, not ../skselect.
python -m sphinx -W --keep-going -b html -d _build/doctrees . _build/html
echo "=== documentation built: ${root}/doc/_build/html/index.html"
