#!/usr/bin/env bash

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

# Lint: ruff (Python, config in pyproject.toml) and cython-lint (.pyx/.pxd).
#   build_tools/lint.sh               use the tools on PATH
#   build_tools/lint.sh --fresh-venv  install them into a throw-away venv first (CI)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ "${1:-}" == "--fresh-venv" ]]; then
    work="$(mktemp -d)"
    trap 'rm -rf "${work}"' EXIT
    "${PYTHON:-python3}" -m venv "${work}/venv"
    "${work}/venv/bin/python" -m pip install --quiet --upgrade pip
    "${work}/venv/bin/python" -m pip install --quiet ruff cython-lint
    export PATH="${work}/venv/bin:${PATH}"
fi
cd "${root}"
ruff check .
ruff format --check .
cython-lint $(git ls-files '*.pyx' '*.pxd')
echo "=== lint OK"
