"""Every Examples section in the installed package runs and prints what it says it prints."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import skselect


def _collect_doctests():
    finder = doctest.DocTestFinder(exclude_empty=True)
    seen = {}
    module_names = ["skselect"] + [
        info.name
        for info in pkgutil.walk_packages(skselect.__path__, prefix="skselect.")
        if not info.name.endswith("__main__")
    ]
    for module_name in module_names:
        module = importlib.import_module(module_name)
        for test in finder.find(module, module_name, globs={"np": np}):
            # Re-exported objects are found again through each public module: keep one.
            key = (test.filename, test.lineno, test.docstring)
            if test.examples and key not in seen:
                seen[key] = test
    return sorted(seen.values(), key=lambda t: t.name)


DOCTESTS = _collect_doctests()


def test_doctests_were_found():
    names = {test.name.rsplit(".", 1)[-1] for test in DOCTESTS}
    assert {"all_estimators", "show_versions"} <= names


@pytest.mark.parametrize("test", DOCTESTS, ids=lambda test: test.name)
def test_doctest(test):
    # Examples that draw need matplotlib, which only the doc extra installs.
    if any("import matplotlib" in example.source for example in test.examples):
        pytest.importorskip("matplotlib", reason="matplotlib is not installed: the example draws")
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    output = []
    runner.run(test, out=output.append)
    assert runner.failures == 0, "".join(output)
