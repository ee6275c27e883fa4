"""RocConvexHullDisplay draws the ROC points and their hull (Agg backend)."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import sys

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.svm import LinearSVC

from skselect.metrics import RocConvexHullDisplay

matplotlib = pytest.importorskip(
    "matplotlib", reason="RocConvexHullDisplay draws with matplotlib, an optional dependency"
)
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def binary_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] + 0.8 * rng.normal(size=200) > 0.5).astype(int)
    return X, y


def _upper_hull_by_brute_force(fpr, tpr):
    """Height of the upper hull of the points and (0,0), (1,1), evaluated at each point's fpr."""
    points = np.r_[np.c_[fpr, tpr], [[0, 0], [1, 1]]]
    heights = []
    for x in fpr:
        best = 0.0
        for a in points:
            for b in points:
                if a[0] <= x <= b[0]:
                    t = 0.0 if b[0] == a[0] else (x - a[0]) / (b[0] - a[0])
                    best = max(best, a[1] + t * (b[1] - a[1]))
        heights.append(best)
    return np.array(heights)


def test_from_predictions_draws_the_roc_curve_and_a_hull_above_it(binary_data):
    X, y = binary_data
    score = X[:, 0]
    display = RocConvexHullDisplay.from_predictions(y, score, name="first feature")
    fpr, tpr, _ = roc_curve(y, score)
    line = display.lines_["first feature"]
    np.testing.assert_allclose(line.get_xdata(), fpr)
    np.testing.assert_allclose(line.get_ydata(), tpr)
    hull_x, hull_y = display.hull_line_.get_xdata(), display.hull_line_.get_ydata()
    # The hull passes through (0, 0) and (1, 1), never below the curve, and its height at
    # every ROC point is the brute-force upper hull's.
    assert (hull_x[0], hull_y[0], hull_x[-1], hull_y[-1]) == (0, 0, 1, 1)
    np.testing.assert_allclose(np.interp(fpr, hull_x, hull_y), _upper_hull_by_brute_force(fpr, tpr))
    assert display.hull.auc >= roc_auc_score(y, score) - 1e-12
    legend = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert legend == [
        "first feature",
        f"ROC convex hull (area {display.hull.auc:.3f})",
        "chance",
    ]
    assert display.figure_ is display.ax_.figure


def test_from_estimator_uses_the_positive_class_scores(binary_data):
    X, y = binary_data
    model = LogisticRegression().fit(X, y)
    display = RocConvexHullDisplay.from_estimator(model, X, y)
    expected = RocConvexHullDisplay.from_predictions(y, model.predict_proba(X)[:, 1])
    np.testing.assert_allclose(display.hull.fpr, expected.hull.fpr)
    np.testing.assert_allclose(display.hull.tpr, expected.hull.tpr)
    assert "LogisticRegression" in display.lines_
    # pos_label=0 scores the other class: its ROC curve is that of the reversed problem.
    reversed_display = RocConvexHullDisplay.from_estimator(model, X, y, pos_label=0)
    assert reversed_display.hull.auc == pytest.approx(
        roc_auc_score(1 - y, model.predict_proba(X)[:, 0]), abs=0.05
    )
    # decision_function for a model without predict_proba, on a given Axes.
    _, ax = plt.subplots()
    svc = LinearSVC(random_state=0).fit(X, y)
    display = RocConvexHullDisplay.from_estimator(svc, X, y, ax=ax)
    assert display.ax_ is ax
    assert display.hull.auc >= roc_auc_score(y, svc.decision_function(X)) - 1e-12


def test_from_rates_draws_one_line_per_group_and_the_joint_hull():
    fpr = [0.1, 0.3, 0.6, 0.05, 0.2, 0.5]
    tpr = [0.4, 0.7, 0.95, 0.3, 0.75, 0.8]
    groups = ["under-sampling"] * 3 + ["SMOTE"] * 3
    display = RocConvexHullDisplay.from_rates(fpr, tpr, groups=groups, chance_level=False)
    assert list(display.lines_) == ["under-sampling", "SMOTE"]
    np.testing.assert_allclose(display.lines_["SMOTE"].get_xdata(), [0.05, 0.2, 0.5])
    # The joint hull, by hand: slopes 6, 3, 0.5, 0.125 from (0, 0) through the points of
    # both groups to (1, 1); (0.1, 0.4), (0.3, 0.7) and (0.5, 0.8) lie below it.
    np.testing.assert_allclose(display.hull_line_.get_xdata(), [0, 0.05, 0.2, 0.6, 1])
    np.testing.assert_allclose(display.hull_line_.get_ydata(), [0, 0.3, 0.75, 0.95, 1])
    assert len(display.ax_.get_lines()) == 3  # no chance line


def test_bad_input_is_reported(binary_data):
    X, y = binary_data
    with pytest.raises(ValueError, match=r"groups must have one entry per ROC point \(2\)"):
        RocConvexHullDisplay.from_rates([0.1, 0.2], [0.3, 0.4], groups=["a"])
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="response_method must be one of"):
        RocConvexHullDisplay.from_estimator(model, X, y, response_method="predict")
    with pytest.raises(ValueError, match=r"pos_label=2 is not one of the estimator's classes"):
        RocConvexHullDisplay.from_estimator(model, X, y, pos_label=2)
    three = LogisticRegression().fit(X, np.arange(len(y)) % 3)
    with pytest.raises(ValueError, match="binary classifier"):
        RocConvexHullDisplay.from_estimator(three, X, y)
    # One class gave NaN rates and an error about tpr; a NaN score, scikit-learn's "Input".
    scores = model.decision_function(X)
    with pytest.raises(ValueError, match="y_true must contain both a positive and a negative"):
        RocConvexHullDisplay.from_predictions(np.zeros_like(y), scores)
    scores[0] = np.nan
    with pytest.raises(ValueError, match="y_score contains NaN"):
        RocConvexHullDisplay.from_predictions(y, scores)


def test_a_missing_matplotlib_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="needs matplotlib"):
        RocConvexHullDisplay.from_rates([0.1], [0.5])
