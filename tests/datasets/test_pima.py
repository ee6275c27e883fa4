"""skselect.datasets.load_pima against the statistics published with the UCI data set."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest

from skselect.datasets import load_pima


def test_shape_and_class_balance():
    X, y = load_pima(return_X_y=True)
    assert X.shape == (768, 8)
    assert X.dtype == np.float64
    assert sorted(np.unique(y)) == [0, 1]
    assert int(y.sum()) == 268  # the paper's table 2: 768 samples, 268 minority


def test_matches_published_attribute_statistics():
    # Means and standard deviations printed in the UCI "pima-indians-diabetes.names" file
    # (one decimal), an independent description of the same data.
    published_mean = [3.8, 120.9, 69.1, 20.5, 79.8, 32.0, 0.5, 33.2]
    published_std = [3.4, 32.0, 19.4, 16.0, 115.2, 7.9, 0.3, 11.8]
    X, _ = load_pima(return_X_y=True)
    np.testing.assert_allclose(X.mean(axis=0), published_mean, atol=0.051)
    np.testing.assert_allclose(X.std(axis=0, ddof=1), published_std, atol=0.051)


def test_first_record():
    X, y = load_pima(return_X_y=True)
    np.testing.assert_array_equal(X[0], [6, 148, 72, 35, 0, 33.6, 0.627, 50])
    assert y[0] == 1


def test_bunch_and_frame():
    bunch = load_pima()
    assert bunch.feature_names[1] == "glucose"
    assert "Source" in bunch.DESCR and "licen" in load_pima.__doc__.lower()
    pd = pytest.importorskip("pandas")
    framed = load_pima(as_frame=True)
    assert isinstance(framed.data, pd.DataFrame)
    assert list(framed.frame.columns) == framed.feature_names + ["diabetes"]
    X, y = load_pima(return_X_y=True, as_frame=True)
    assert y.name == "diabetes"
