"""The package under test is a real, built installation."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import os
import pkgutil
import shutil
import subprocess
import sys
import sysconfig
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
    # The source tree is REPO_ROOT/skselect. A virtual environment may itself live under
    # REPO_ROOT (the README creates .venv there), so "somewhere under the repository" is not
    # the test: the package must come from this interpreter's site-packages.
    source_package = (REPO_ROOT / "skselect").resolve()
    assert location != source_package and source_package not in location.parents, (
        f"skselect imported from the source tree ({location}), not from the installation"
    )
    site_dirs = {Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib")}
    assert location.parent in site_dirs, (
        f"skselect imported from {location}, outside this interpreter's site-packages "
        f"{sorted(map(str, site_dirs))}"
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


# Set in the environment of the README-commands run below, so that its inner test run does not
# start the same test again.
_INNER_RUN = "SKSELECT_README_CLONE_RUN"


def _readme_command(marker):
    return subprocess.run(
        ["bash", str(REPO_ROOT / "build_tools" / "readme_command.sh"), marker],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.mark.slow
def test_readme_commands_in_a_fresh_clone_with_venv_in_its_root(tmp_path):
    """The README's two commands, verbatim, in ``.venv`` at the root of a fresh clone.

    This is the layout a newcomer ends up with, and the one where the package is installed
    *under* the repository root. The clone is of the committed HEAD. The inner test run is
    narrowed (through ``PYTEST_ADDOPTS``, the command itself is unchanged) to the files that
    check the installation; the whole suite runs in CI's own fresh environment. pip's cache is
    shared with the caller's, so the dependencies come from it when they are there.
    """
    if os.environ.get(_INNER_RUN):
        pytest.skip("already inside the README-commands run of a fresh clone")
    # build_tools/test.sh runs this test in one of its builds only (it takes minutes).
    if os.environ.get("SKSELECT_SKIP_FRESH_CLONE_TEST"):
        pytest.skip(os.environ["SKSELECT_SKIP_FRESH_CLONE_TEST"])
    if shutil.which("git") is None:
        pytest.skip("git is not available: the checkout cannot be cloned")
    if shutil.which("bash") is None:
        pytest.skip("bash is not available: the README's commands are bash")
    if not (REPO_ROOT / ".git").exists() or not (REPO_ROOT / "README.md").exists():
        pytest.skip("not a git checkout (tests run from an installed copy): nothing to clone")
    clone = tmp_path / "skselect"
    subprocess.run(
        ["git", "clone", "--quiet", str(REPO_ROOT), str(clone)],
        check=True,
        capture_output=True,
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTEST_ADDOPTS")
        and not key.startswith("PYTEST_XDIST")
    }
    env[_INNER_RUN] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTEST_ADDOPTS"] = (
        "-p no:cacheprovider -m 'not slow' tests/test_installation.py tests/test_readme.py"
    )
    # The README: "python3 -m venv .venv" in the repository root (this interpreter's Python).
    subprocess.run([sys.executable, "-m", "venv", ".venv"], cwd=clone, env=env, check=True)
    for marker in ("tour-command", "test-command"):
        command = _readme_command(marker)
        completed = subprocess.run(
            ["bash", "-c", f"set -eo pipefail; . .venv/bin/activate && {command}"],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
        )
        output = completed.stdout[-4000:] + completed.stderr[-4000:]
        assert completed.returncode == 0, f"{command!r} failed in {clone}:\n{output}"
        if marker == "tour-command":
            assert "tour done" in completed.stdout, output
        else:
            assert " passed" in completed.stdout and " failed" not in completed.stdout, output
