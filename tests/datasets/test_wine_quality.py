"""skselect.datasets.load_wine_quality: the shipped copy of the UCI Wine Quality data."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest

from skselect.datasets import load_wine_quality

# Class counts published with the data (Cortez et al. 2009; UCI's winequality.names).
RED_COUNTS = {3: 10, 4: 53, 5: 681, 6: 638, 7: 199, 8: 18}
WHITE_COUNTS = {3: 20, 4: 163, 5: 1457, 6: 2198, 7: 880, 8: 175, 9: 5}


@pytest.mark.parametrize(
    "color, counts", [("red", RED_COUNTS), ("white", WHITE_COUNTS)], ids=["red", "white"]
)
def test_shapes_and_published_class_counts(color, counts):
    wine = load_wine_quality(color=color)
    assert wine.data.shape == (sum(counts.values()), 11)
    values, found = np.unique(wine.target, return_counts=True)
    assert dict(zip(values.tolist(), found.tolist())) == counts
    assert np.all(np.isfinite(wine.data))
    assert wine.color.tolist() == [0 if color == "red" else 1] * len(wine.target)


def test_both_colors_stack_red_then_white():
    both = load_wine_quality()
    red = load_wine_quality(color="red")
    assert both.data.shape == (6497, 11)
    np.testing.assert_array_equal(both.data[: len(red.target)], red.data)
    assert len(both.feature_names) == 11 and both.feature_names[-1] == "alcohol"
    assert "CC BY 4.0" in both.DESCR
    # first row of UCI's winequality-red.csv
    np.testing.assert_allclose(
        both.data[0], [7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4]
    )


def test_return_X_y_and_frame():
    pytest.importorskip("pandas")
    X, y = load_wine_quality(return_X_y=True)
    assert X.shape[0] == y.shape[0] == 6497
    frame = load_wine_quality(color="white", as_frame=True).frame
    assert frame.shape == (4898, 12)
    assert frame.columns[-1] == "quality"


def test_bad_color():
    with pytest.raises(ValueError, match="color must be 'both', 'red' or 'white'; got 'rose'"):
        load_wine_quality(color="rose")
