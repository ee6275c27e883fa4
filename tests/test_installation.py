"""The package under test is a real, built installation."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import pkgutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import skselect

REPO_ROOT = Path(__file__).resolve().parents[1]


def _compiled_modules():
    names = []
    for pyx in sorted((REPO_ROOT / "skselect").rglob("*.pyx")):
        names.append(".".join(pyx.relative_to(REPO_ROOT).with_suffix("").parts))
    return names


def _is_editable_install():
    try:
        dist = metadata.distribution("skselect")
    except metadata.PackageNotFoundError:
        return False
    direct_url = dist.read_text("direct_url.json") or ""
    return '"editable": true' in direct_url


def test_version_matches_metadata():
    assert skselect.__version__ == metadata.version("skselect")


@pytest.mark.parametrize("module_name", _compiled_modules())
def test_every_pyx_is_compiled_and_importable(module_name):
    module = importlib.import_module(module_name)
    assert Path(module.__file__).suffix in (".so", ".pyd"), module.__file__


def test_every_module_imports():
    failures = []
    for info in pkgutil.walk_packages(skselect.__path__, prefix="skselect."):
        try:
            importlib.import_module(info.name)
        except Exception as exc:  # report them all at once
            failures.append(f"{info.name}: {exc!r}")
    assert not failures


def test_installed_package_works_outside_the_source_tree(tmp_path):
    if _is_editable_install():
        pytest.skip(
            "editable install: the non-editable case is what .ci/run and "
            "build_tools/check_packaging.sh test"
        )
    location = Path(skselect.__file__).resolve().parent
    assert REPO_ROOT not in location.parents, (
        f"skselect imported from the source tree ({location}), not from the installation"
    )
    code = (
        "import skselect, skselect.utils._openmp_helpers as h;"
        "print(skselect.__file__); print(h._openmp_effective_n_threads())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    imported_from, n_threads = out.stdout.split()
    assert Path(imported_from).resolve().parent == location
    assert int(n_threads) >= 1


def test_command_line_entry_point(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "skselect", "--info"], cwd=tmp_path, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert f"skselect: {skselect.__version__}" in out.stdout
    assert "estimators available:" in out.stdout
    assert "OpenMP:" in out.stdout
    help_out = subprocess.run(
        [sys.executable, "-m", "skselect", "--help"], cwd=tmp_path, capture_output=True, text=True
    )
    assert help_out.returncode == 0 and "usage:" in help_out.stdout


def test_show_versions(capsys):
    skselect.show_versions()
    printed = capsys.readouterr().out
    assert f"skselect: {skselect.__version__}" in printed
    assert "OpenMP:" in printed and "scikit-learn:" in printed
