"""Copy imbalanced-learn's own SMOTE test modules and point them at skselect's samplers.

The modules are read from the installed imbalanced-learn, so they always match the version
skselect runs against. Only the imports change: after each module's import block, skselect's
``SMOTE`` and ``SMOTENC`` replace imbalanced-learn's; every assertion is left untouched.
imbalanced-learn's other over-samplers (ADASYN, BorderlineSMOTE, ...) stay imbalanced-learn's.

Usage::

    python build_tools/vendor_imblearn_tests.py DESTINATION
    python -m pytest DESTINATION

``tests/over_sampling/test_imblearn_suite.py`` does both in a temporary directory.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import ast
import importlib.util
from pathlib import Path

# Test modules of imbalanced-learn that exercise SMOTE or SMOTENC. The other modules of
# over_sampling/_smote/tests/ (BorderlineSMOTE, SVMSMOTE, KMeansSMOTE, SMOTEN) only test
# imbalanced-learn classes that skselect does not replace.
MODULES = (
    "over_sampling/_smote/tests/test_smote.py",
    "over_sampling/_smote/tests/test_smote_nc.py",
    "over_sampling/tests/test_common.py",
    "combine/tests/test_smote_enn.py",
    "combine/tests/test_smote_tomek.py",
)

_SWAP = "from skselect.over_sampling import SMOTE, SMOTENC  # noqa: F811  (swapped in)\n"


def imblearn_root():
    spec = importlib.util.find_spec("imblearn")
    if spec is None or spec.origin is None:
        raise SystemExit("imbalanced-learn is not installed")
    return Path(spec.origin).parent


def swap_imports(source):
    """Return ``source`` with skselect's SMOTE and SMOTENC imported after its imports."""
    tree = ast.parse(source)
    last_import_end = 0
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            last_import_end = node.end_lineno
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            break
    names = {
        alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "imblearn.over_sampling"
        for alias in node.names
    }
    if not names & {"SMOTE", "SMOTENC"}:
        raise ValueError("the module imports neither SMOTE nor SMOTENC from imblearn")
    lines = source.splitlines(keepends=True)
    return "".join(lines[:last_import_end] + [_SWAP] + lines[last_import_end:])


def vendor(destination):
    """Write the swapped modules under ``destination``; return their paths."""
    root = imblearn_root()
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    written = []
    for module in MODULES:
        source = (root / module).read_text(encoding="utf-8")
        # flat, unique names: the modules are collected as rootless test files
        name = "test_imblearn_" + module.replace("/tests/", "_").replace("/_", "_").replace(
            "/", "_"
        )
        target = destination / name
        target.write_text(
            f"# Copied from imbalanced-learn's {module} by {Path(__file__).name};\n"
            "# only the imports are changed.\n" + swap_imports(source),
            encoding="utf-8",
        )
        written.append(target)
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("destination", help="directory to write the test modules to")
    args = parser.parse_args()
    for path in vendor(args.destination):
        print(path)


if __name__ == "__main__":
    main()
