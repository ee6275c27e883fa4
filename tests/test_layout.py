"""Repository-wide conventions: a licence header on every source file, tests that mirror the
package layout."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE_SUFFIXES = (".py", ".pyx", ".pxd", ".sh")


def _tracked_files():
    try:
        out = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files cannot be listed")
    return [ROOT / name for name in out.split()]


def test_every_source_file_has_an_spdx_header():
    files = [p for p in _tracked_files() if p.suffix in SOURCE_SUFFIXES or p.name == "run"]
    assert len(files) > 30
    missing = [
        str(p.relative_to(ROOT))
        for p in files
        if p.is_file()
        and "SPDX-License-Identifier: BSD-3-Clause"
        not in "".join(p.read_text().splitlines(keepends=True)[:80])
    ]
    assert not missing, f"files without an SPDX-License-Identifier header: {missing}"


def test_tests_mirror_the_package():
    families = {
        p.name for p in (ROOT / "skselect").iterdir() if p.is_dir() and (p / "__init__.py").exists()
    }
    # Every family has a test folder of the same name; no family test lives at the top level.
    missing = sorted(f for f in families if not (ROOT / "tests" / f).is_dir())
    assert not missing, f"tests/<family>/ missing for {missing}"
    top_level = {p.stem.removeprefix("test_") for p in (ROOT / "tests").glob("test_*.py")}
    assert not (top_level & families), top_level & families
