"""imbalanced-learn's own SMOTE, SMOTENC, SMOTEENN and SMOTETomek tests, run on skselect's classes.

build_tools/vendor_imblearn_tests.py copies the test modules from the installed
imbalanced-learn and swaps the imports; each module then runs in its own pytest process so
that its fixtures and module state stay its own.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

_SCRIPT = Path(__file__).resolve().parents[2] / "build_tools" / "vendor_imblearn_tests.py"


def _vendor_module():
    if not _SCRIPT.exists():
        pytest.skip(f"{_SCRIPT.name} is not available outside a source checkout")
    spec = importlib.util.spec_from_file_location("vendor_imblearn_tests", _SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def vendored(tmp_path_factory):
    module = _vendor_module()
    return module.vendor(tmp_path_factory.mktemp("imblearn_suite"))


@pytest.mark.parametrize("index", range(5))
def test_imblearn_test_module_passes_on_skselect(vendored, index):
    path = vendored[index]
    source = path.read_text(encoding="utf-8")
    assert "from skselect.over_sampling import SMOTE, SMOTENC" in source
    env = {**os.environ, "SKSELECT_ALLOW_GLOBAL_RNG": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "--rootdir",
            str(path.parent),
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=path.parent,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, f"{path.name} failed:\n{result.stdout[-6000:]}"
    assert " passed" in result.stdout
