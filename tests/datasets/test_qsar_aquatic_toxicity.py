"""The shipped QSAR aquatic toxicity data load offline and match the published table."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest

from skselect.datasets import load_qsar_aquatic_toxicity


def test_shape_and_published_values():
    bunch = load_qsar_aquatic_toxicity()
    # The UCI record: 546 chemicals, 8 descriptors, LC50 in -log(mol/L).
    assert bunch.data.shape == (546, 8) and bunch.target.shape == (546,)
    assert bunch.feature_names[0] == "TPSA" and bunch.target_names == ["LC50"]
    # First row of the UCI file: 0;0;0;2.419;1.225;0.667;0;0;3.740
    assert np.allclose(bunch.data[0], [0, 0, 0, 2.419, 1.225, 0.667, 0, 0])
    assert bunch.target[0] == pytest.approx(3.74)
    assert np.isfinite(bunch.data).all()
    assert "CC BY 4.0" in bunch.DESCR and "Cassotti" in bunch.DESCR
    X, y = load_qsar_aquatic_toxicity(return_X_y=True)
    assert np.array_equal(X, bunch.data) and np.array_equal(y, bunch.target)


def test_as_frame():
    pytest.importorskip("pandas", reason="as_frame=True needs pandas")
    bunch = load_qsar_aquatic_toxicity(as_frame=True)
    assert list(bunch.frame.columns) == bunch.feature_names + ["LC50"]
    X, y = load_qsar_aquatic_toxicity(return_X_y=True, as_frame=True)
    assert X.shape == (546, 8) and y.name == "LC50"
