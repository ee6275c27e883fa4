"""BoundaryCoefficientDisplay draws the weights that coef_table reports."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest

from skselect.ordinal import (
    BoundaryCoefficientDisplay,
    PRESTOClassifier,
    ProportionalOddsClassifier,
)


def _data():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(300, 3))
    y = np.digitize(X @ [2.0, -1.0, 0.5] + rng.logistic(size=300), [-1.0, 1.0, 2.0]) + 3
    return X, y


def test_display_draws_one_line_per_feature_with_the_weights():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = _data()
    model = PRESTOClassifier().fit(X, y)
    display = BoundaryCoefficientDisplay.from_estimator(model, feature_names=["a", "b", "c"])
    assert len(display.lines_) == 3
    for line, row in zip(display.lines_, model.coef_.T):
        np.testing.assert_array_equal(line.get_ydata(), row)
    labels = [tick.get_text() for tick in display.ax_.get_xticklabels()]
    assert labels == ["<= 3 | > 3", "<= 4 | > 4", "<= 5 | > 5"]
    assert display.ax_.get_legend().get_texts()[1].get_text() == "b"
    plt.close(display.figure_)

    fig, ax = plt.subplots()
    po = ProportionalOddsClassifier().fit(X, y)
    display = BoundaryCoefficientDisplay.from_estimator(po, features=[2, "x0"], ax=ax)
    assert display.ax_ is ax and display.feature_names == ["x2", "x0"]
    np.testing.assert_array_equal(display.lines_[0].get_ydata(), np.full(3, po.coef_[2]))
    with pytest.raises(ValueError, match="not a feature name"):
        BoundaryCoefficientDisplay.from_estimator(po, features=["nope"], ax=ax)
    with pytest.raises(ValueError, match="column index 7"):
        BoundaryCoefficientDisplay.from_estimator(po, features=[7], ax=ax)
    plt.close(fig)
