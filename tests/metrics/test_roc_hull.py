"""skselect.metrics.roc_convex_hull against scipy.spatial.ConvexHull and brute force."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from scipy.spatial import ConvexHull

from skselect.metrics import roc_convex_hull


def _scipy_roc_hull(fpr, tpr):
    """Independent oracle: Qhull on the points plus (0, 0), (1, 1) and the corner (1, 0).

    With the corner, the polygon is the region under the ROC hull: its vertices other than
    the corner are the ROC hull's, and its area is the hull's AUC.
    """
    points = np.r_[np.c_[fpr, tpr], [[0, 0], [1, 1], [1, 0]]]
    qhull = ConvexHull(points)
    vertices = {tuple(points[v]) for v in qhull.vertices} - {(1.0, 0.0)}
    return sorted(vertices), qhull.volume


def _brute_force_is_vertex(point, others):
    """A point is a hull vertex iff no segment between two other points (or one other point)
    weakly dominates it from above at its own fpr."""
    x, y = point
    for a in others:
        for b in others:
            if a[0] <= x <= b[0]:
                if a[0] == b[0]:
                    height = max(a[1], b[1]) if a[0] == x else -np.inf
                else:
                    t = (x - a[0]) / (b[0] - a[0])
                    height = a[1] + t * (b[1] - a[1])
                if height >= y - 1e-12:
                    return False
    return True


@pytest.mark.parametrize("seed", range(25))
def test_matches_scipy_convex_hull_on_random_points(seed):
    rng = np.random.RandomState(seed)
    n = rng.randint(1, 40)
    fpr = rng.uniform(size=n)
    # mostly above the diagonal, as ROC points of real classifiers are
    tpr = np.clip(fpr + rng.uniform(-0.2, 0.6, size=n), 0, 1)
    hull = roc_convex_hull(fpr, tpr)
    vertices, area = _scipy_roc_hull(fpr, tpr)
    assert sorted(zip(hull.fpr.tolist(), hull.tpr.tolist())) == vertices
    assert hull.auc == pytest.approx(area, abs=1e-12)
    # indices point at the input points (or -1 for the added endpoints)
    for f, t, index in zip(hull.fpr, hull.tpr, hull.indices):
        if index >= 0:
            assert (fpr[index], tpr[index]) == (f, t)
        else:
            assert (f, t) in {(0.0, 0.0), (1.0, 1.0)}


@pytest.mark.parametrize("seed", range(5))
def test_matches_brute_force_dominance(seed):
    rng = np.random.RandomState(100 + seed)
    fpr = np.round(rng.uniform(size=12), 2)
    tpr = np.round(np.clip(fpr + rng.uniform(0, 0.5, size=12), 0, 1), 2)
    endpoints = [(0.0, 0.0), (1.0, 1.0)]
    points = endpoints + list(zip(fpr.tolist(), tpr.tolist()))
    # the trivial classifiers always bound the hull; an input point is a vertex when nothing
    # else reaches its height at its fpr
    expected = sorted(
        set(endpoints)
        | {p for p in points[2:] if _brute_force_is_vertex(p, [q for q in points if q != p])}
    )
    hull = roc_convex_hull(fpr, tpr)
    assert sorted(zip(hull.fpr.tolist(), hull.tpr.tolist())) == expected


def test_hull_is_increasing_and_concave_and_dominates():
    rng = np.random.RandomState(0)
    fpr, tpr = rng.uniform(size=50), rng.uniform(size=50)
    hull = roc_convex_hull(fpr, tpr)
    assert hull.fpr[0] == 0 and hull.tpr[0] == 0 and hull.fpr[-1] == 1 and hull.tpr[-1] == 1
    assert np.all(np.diff(hull.fpr) > 0)
    slopes = np.diff(hull.tpr) / np.diff(hull.fpr)
    assert np.all(np.diff(slopes) < 0)
    assert np.all(np.interp(fpr, hull.fpr, hull.tpr) >= tpr - 1e-12)


def test_degenerate_cases():
    below_diagonal = roc_convex_hull([0.5, 0.8], [0.2, 0.5])
    assert below_diagonal.fpr.tolist() == [0, 1] and below_diagonal.auc == 0.5
    assert below_diagonal.indices.tolist() == [-1, -1]
    perfect = roc_convex_hull([0.0], [1.0])
    assert perfect.auc == 1.0 and perfect.indices.tolist() == [-1, 0, -1]
    collinear = roc_convex_hull([0.25, 0.5], [0.25, 0.5])
    assert collinear.fpr.tolist() == [0, 1]
    repeated = roc_convex_hull([0.2, 0.2, 0.1], [0.7, 0.7, 0.1])
    assert repeated.indices.tolist() == [-1, 0, -1]
    empty = roc_convex_hull([], [])
    assert empty.auc == 0.5


def test_unpacks_as_a_tuple():
    fpr, tpr, indices, auc = roc_convex_hull([0.2], [0.6])
    assert indices.tolist() == [-1, 0, -1]
    assert auc == pytest.approx(0.2 * 0.6 / 2 + 0.8 * 1.6 / 2)


@pytest.mark.parametrize(
    "fpr, tpr, match",
    [
        ([0.1, 1.2], [0.5, 0.6], r"fpr must lie in \[0, 1\]"),
        ([0.1, 0.2], [0.5, -0.1], r"tpr must lie in \[0, 1\]"),
        ([0.1, np.nan], [0.5, 0.6], "fpr contains NaN"),
        ([0.1, 0.2], [0.5], "same length, got 2 and 1"),
        ([[0.1]], [[0.5]], "fpr must be 1-D"),
    ],
)
def test_bad_input(fpr, tpr, match):
    with pytest.raises(ValueError, match=match):
        roc_convex_hull(fpr, tpr)
