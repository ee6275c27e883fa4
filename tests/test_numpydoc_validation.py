"""numpydoc validation of every public docstring, with the documentation build's rules.

The documentation build (warnings as errors) is the last step of CI and the slowest; a
docstring that breaks it is caught here first, in seconds.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import inspect

import pytest

validate = pytest.importorskip(
    "numpydoc.validate", reason="numpydoc (in the test extra) validates the docstrings"
).validate

SUBPACKAGES = [
    "cluster",
    "combine",
    "conformal",
    "datasets",
    "metrics",
    "ordinal",
    "over_sampling",
    "utils",
]
# The checks doc/conf.py turns off ("all" minus these); see numpydoc_validation_checks there.
IGNORED_CHECKS = {"GL01", "SA01", "ES01", "SS05", "RT02"}
# Methods whose docstrings are scikit-learn's or imbalanced-learn's (inherited or generated).
SKIPPED_METHODS = {"get_params", "set_params", "get_metadata_routing", "set_output"}


def _public_objects():
    names = []
    for subpackage in SUBPACKAGES:
        module = importlib.import_module(f"skselect.{subpackage}")
        for name in module.__all__:
            obj = getattr(module, name)
            qualified = f"skselect.{subpackage}.{name}"
            names.append(qualified)
            if not inspect.isclass(obj):
                continue
            for attribute, value in inspect.getmembers(obj):
                if attribute.startswith("_") or attribute in SKIPPED_METHODS:
                    continue
                if attribute.startswith("set_") and attribute.endswith("_request"):
                    continue
                # Methods inherited unchanged from scikit-learn or imbalanced-learn carry
                # those projects' docstrings and are validated there.
                defined_in = getattr(value, "__module__", "") or ""
                if callable(value) and defined_in.startswith("skselect"):
                    names.append(f"{qualified}.{attribute}")
    return names


@pytest.mark.parametrize("name", _public_objects())
def test_docstring_passes_the_documentation_build_checks(name):
    errors = [
        f"{code}: {message}"
        for code, message in validate(name)["errors"]
        if code not in IGNORED_CHECKS
    ]
    assert not errors, f"{name}:\n" + "\n".join(errors)
