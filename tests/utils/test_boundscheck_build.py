"""The bounds-checked build (SKSELECT_CYTHON_BOUNDSCHECK=1) turns an out-of-range index in a
kernel into an IndexError.

``build_tools/test.sh`` builds the package that way in a fresh environment, sets
SKSELECT_EXPECT_BOUNDSCHECK=1 and runs the kernel tests against it; this test makes sure the
option really reached the compiler. In an ordinary (unchecked) build the same call would read
past the buffer, so it only runs when the checked build is announced.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import os

import numpy as np
import pytest
from skselect.over_sampling._smote_fast import generate_dense

pytestmark = pytest.mark.skipif(
    os.environ.get("SKSELECT_EXPECT_BOUNDSCHECK") != "1",
    reason="SKSELECT_EXPECT_BOUNDSCHECK is not 1: this build may have no bounds checks, and an "
    "out-of-range index would then read past the buffer",
)


def _call(rows, cols):
    X = np.arange(6.0).reshape(3, 2)
    neighbours = np.array([[1], [2], [0]], dtype=np.intp)
    out = np.empty((len(rows), 2))
    generate_dense(
        X,
        neighbours,
        np.asarray(rows, dtype=np.intp),
        np.asarray(cols, dtype=np.intp),
        np.full(len(rows), 0.5),
        out,
        1,
    )
    return out


def test_in_range_call_works():
    np.testing.assert_array_equal(_call([0, 2], [0, 0]), [[1.0, 2.0], [2.0, 3.0]])


@pytest.mark.parametrize(
    "rows, cols",
    [
        pytest.param([3], [0], id="row-past-the-end"),
        pytest.param([-1], [0], id="negative-row"),
        pytest.param([0], [1], id="neighbour-slot-past-the-end"),
    ],
)
def test_out_of_range_index_raises(rows, cols):
    with pytest.raises(IndexError, match="[Oo]ut of bounds"):
        _call(rows, cols)
