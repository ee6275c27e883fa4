"""roc_convex_hull refuses rates that are not real numbers instead of converting them."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest

from skselect.metrics import roc_convex_hull

FPR = np.array([0.1, 0.3, 0.5])
TPR = np.array([0.5, 0.8, 0.9])


@pytest.mark.parametrize("argument", ["fpr", "tpr"])
@pytest.mark.parametrize(
    "convert",
    [
        pytest.param(lambda a: a + 0.5j, id="complex"),
        # A zero imaginary part is still complex input: it is refused, not truncated.
        pytest.param(lambda a: a.astype(np.complex128), id="complex-real"),
        pytest.param(lambda a: a.astype(object) + 0.5j, id="object-complex"),
    ],
)
def test_complex_rates_are_refused(argument, convert):
    rates = {"fpr": FPR, "tpr": TPR}
    rates[argument] = convert(rates[argument])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning on the way to the error
        with pytest.raises(ValueError, match=f"{argument} must be"):
            roc_convex_hull(**rates)


@pytest.mark.parametrize("argument", ["fpr", "tpr"])
def test_string_rates_are_refused(argument):
    rates = {"fpr": FPR, "tpr": TPR}
    rates[argument] = rates[argument].astype(str)
    with pytest.raises(ValueError, match=f"{argument} must be numeric"):
        roc_convex_hull(**rates)


def test_numeric_containers_still_accepted():
    expected = roc_convex_hull(FPR, TPR)
    for fpr, tpr in [
        (FPR.tolist(), TPR.tolist()),
        (FPR.astype(object), TPR.astype(np.float32)),
        (FPR.astype(np.float16), TPR),
    ]:
        hull = roc_convex_hull(fpr, tpr)
        np.testing.assert_allclose(hull.fpr, expected.fpr, atol=1e-3)
        np.testing.assert_allclose(hull.tpr, expected.tpr, atol=1e-3)
