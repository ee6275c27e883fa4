"""Make sure the tests exercise a built, installed skselect."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import os

import pytest


def pytest_configure(config):
    try:
        import skselect.utils._openmp_helpers  # noqa: F401
    except ImportError as exc:
        raise pytest.UsageError(
            "skselect's compiled extensions cannot be imported "
            f"({exc}). Install the package first, as the README says: "
            "pip install '.[test]' (or pip install --no-build-isolation -e . while "
            "developing; re-run it after editing a .pyx file)."
        ) from exc


# The third-party common checks build their data with numpy's global RNG themselves, so the
# guard below cannot tell them from the estimator; test_common.py checks instead, with data of
# its own, that no estimator touches the global RNG.
_THIRD_PARTY_CHECKS = (
    "tests/test_common.py::test_sklearn_compatible",
    "tests/test_common.py::test_imblearn_sampler_compatible",
)


@pytest.fixture(autouse=True)
def _no_global_numpy_randomness(request):
    """Randomness must flow only from random_state: fail a test that touched the global RNG."""
    import numpy as np

    if request.node.nodeid.startswith(_THIRD_PARTY_CHECKS):
        yield
        return

    state = np.random.get_state()  # noqa: NPY002 (watching the legacy global RNG is the point)
    yield
    after = np.random.get_state()  # noqa: NPY002
    if os.environ.get("SKSELECT_ALLOW_GLOBAL_RNG") != "1":
        unchanged = state[0] == after[0] and (state[1] == after[1]).all() and state[2:] == after[2:]
        assert unchanged, (
            "the test (or the code it ran) drew from numpy's global random state; "
            "use random_state instead"
        )
