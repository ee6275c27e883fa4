#!/usr/bin/env bash

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

# Packaging check: build the sdist, build the wheel *from that sdist* (so a file missing from
# the sdist breaks the build here rather than for a user), check what the sdist ships, then
# install the wheel into a clean venv and import every compiled extension from outside the
# source tree.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

"${python}" -m venv "${work}/build-venv"
"${work}/build-venv/bin/python" -m pip install --quiet --upgrade pip build
echo "=== building sdist and wheel"
(cd "${root}" && "${work}/build-venv/bin/python" -m build --outdir "${work}/dist" . >"${work}/build.log" 2>&1) \
    || { tail -50 "${work}/build.log"; exit 1; }
sdist="$(ls "${work}"/dist/*.tar.gz)"
wheel="$(ls "${work}"/dist/*.whl)"
echo "    ${sdist##*/}"
echo "    ${wheel##*/}"

echo "=== checking the sdist contents"
tar -tzf "${sdist}" >"${work}/sdist.txt"
n_pyx="$(grep -c '\.pyx$' "${work}/sdist.txt" || true)"
expected_pyx="$(cd "${root}" && git ls-files 'skselect/**.pyx' 'skselect/*.pyx' | sort -u | wc -l)"
if [[ "${n_pyx}" -ne "${expected_pyx}" ]]; then
    echo "sdist has ${n_pyx} .pyx files, the repository ${expected_pyx}" >&2; exit 1
fi
if grep -E '\.(c|so)$' "${work}/sdist.txt"; then
    echo "the sdist ships generated C or compiled objects (listed above)" >&2; exit 1
fi
for required in LICENSE README.md pyproject.toml setup.py; do
    grep -q "/${required}$" "${work}/sdist.txt" || { echo "sdist lacks ${required}" >&2; exit 1; }
done

echo "=== installing the wheel into a clean venv"
"${python}" -m venv "${work}/venv"
"${work}/venv/bin/python" -m pip install --quiet --upgrade pip
"${work}/venv/bin/python" -m pip install --quiet "${wheel}"
modules="$("${work}/venv/bin/python" - "${wheel}" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
for name in names:
    if name.endswith((".so", ".pyd")):
        print(name.split(".")[0].replace("/", "."))
PY
)"
[[ -n "${modules}" ]] || { echo "the wheel contains no compiled extension" >&2; exit 1; }
mkdir -p "${work}/elsewhere"
(cd "${work}/elsewhere" && "${work}/venv/bin/python" - ${modules} <<'PY'
import importlib, pathlib, sys
for name in sys.argv[1:]:
    module = importlib.import_module(name)
    assert "site-packages" in pathlib.Path(module.__file__).parts, module.__file__
    print(f"    imported {name}")
import skselect
print(f"    skselect {skselect.__version__} from {pathlib.Path(skselect.__file__).parent}")
PY
)
(cd "${work}/elsewhere" && "${work}/venv/bin/python" -m skselect >/dev/null)
echo "=== packaging OK"
