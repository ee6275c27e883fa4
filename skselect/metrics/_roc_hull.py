"""The ROC convex hull (Provost & Fawcett), used by the SMOTE paper to compare classifiers."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from typing import NamedTuple

import numpy as np
from sklearn.utils._param_validation import validate_params


class ROCConvexHull(NamedTuple):
    """Result of :func:`roc_convex_hull`; unpacks as ``fpr, tpr, indices, auc``."""

    fpr: np.ndarray
    tpr: np.ndarray
    indices: np.ndarray
    auc: float


def _as_rates(values, name):
    """``values`` as float64, refusing what is not a real number: complex values would lose
    their imaginary part and strings would be parsed, silently, by ``np.asarray``."""
    array = np.asarray(values)
    if array.dtype.kind == "c":
        raise ValueError(f"{name} must be real rates in [0, 1]; got complex values.")
    if array.dtype.kind not in "biufO":
        raise ValueError(
            f"{name} must be numeric rates in [0, 1]; got an array of dtype {array.dtype}."
        )
    try:
        return array.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric rates in [0, 1]; {exc}.") from None


def _cross(origin, a, b):
    return (a[0] - origin[0]) * (b[1] - origin[1]) - (a[1] - origin[1]) * (b[0] - origin[0])


@validate_params({"fpr": ["array-like"], "tpr": ["array-like"]}, prefer_skip_nested_validation=True)
def roc_convex_hull(fpr, tpr):
    """ROC convex hull of a set of classifiers' (false positive rate, true positive rate) points.

    The hull is the upper convex boundary of the points together with the trivial
    classifiers (0, 0) and (1, 1). Classifiers on it are potentially optimal: each is the best
    for some class distribution and misclassification costs; classifiers below it never are
    (Provost & Fawcett [1]_). The SMOTE paper [2]_ uses it to compare SMOTE + under-sampling
    with plain under-sampling.

    Parameters
    ----------
    fpr : array-like of shape (n_points,)
        False positive rates, in [0, 1].

    tpr : array-like of shape (n_points,)
        True positive rates, in [0, 1].

    Returns
    -------
    hull : named tuple
        ``ROCConvexHull`` ``(fpr, tpr, indices, auc)``: the hull's vertices from (0, 0) to (1, 1)
        by increasing false positive rate; for each vertex the index of the input point it is
        (the first one if a point is repeated), or -1 for the added (0, 0) and (1, 1); and the
        area under the hull. Points lying on a hull edge between two vertices are not
        vertices.

    See Also
    --------
    sklearn.metrics.roc_curve : ROC points of one scoring classifier.
    sklearn.metrics.auc : Area under a curve by the trapezoidal rule.

    References
    ----------
    .. [1] F. Provost and T. Fawcett, "Robust classification for imprecise environments",
       Machine Learning 42(3), 203-231, 2001.
    .. [2] N. V. Chawla, K. W. Bowyer, L. O. Hall, W. P. Kegelmeyer, "SMOTE: synthetic
       minority over-sampling technique", Journal of Artificial Intelligence Research 16,
       321-357, 2002.

    Examples
    --------
    >>> from skselect.metrics import roc_convex_hull
    >>> hull = roc_convex_hull([0.1, 0.3, 0.5, 0.2, 0.6], [0.5, 0.8, 0.9, 0.55, 0.6])
    >>> hull.fpr.tolist(), hull.tpr.tolist()
    ([0.0, 0.1, 0.3, 0.5, 1.0], [0.0, 0.5, 0.8, 0.9, 1.0])
    >>> hull.indices.tolist()
    [-1, 0, 1, 2, -1]
    >>> round(hull.auc, 4)
    0.8
    """
    fpr = _as_rates(fpr, "fpr")
    tpr = _as_rates(tpr, "tpr")
    for name, values in (("fpr", fpr), ("tpr", tpr)):
        if values.ndim != 1:
            raise ValueError(f"{name} must be 1-D, got an array of shape {values.shape}.")
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name} contains NaN or infinity; rates must be in [0, 1].")
        if values.size and (values.min() < 0 or values.max() > 1):
            raise ValueError(
                f"{name} must lie in [0, 1]; got values from {values.min()} to {values.max()}."
            )
    if fpr.shape != tpr.shape:
        raise ValueError(
            f"fpr and tpr must have the same length, got {fpr.shape[0]} and {tpr.shape[0]}."
        )

    points = np.r_[np.c_[fpr, tpr], [[0.0, 0.0], [1.0, 1.0]]]
    labels = np.r_[np.arange(fpr.size), -1, -1]
    # Sort by fpr, then tpr; among repeats the input point comes before an added endpoint and
    # the lowest index first, so a repeated vertex is reported by its first occurrence.
    order = np.lexsort(
        (np.where(labels < 0, np.iinfo(np.intp).max, labels), points[:, 1], points[:, 0])
    )
    hull = []
    for index in order:
        point = points[index]
        if hull and np.array_equal(points[hull[-1]], point):
            continue
        # Monotone chain, upper half: drop the last vertex while it does not make a right
        # turn (collinear points are dropped too).
        while len(hull) >= 2 and _cross(points[hull[-2]], points[hull[-1]], point) >= 0:
            hull.pop()
        hull.append(index)
    vertices = points[hull]
    area = float(np.sum(np.diff(vertices[:, 0]) * (vertices[1:, 1] + vertices[:-1, 1]) / 2))
    return ROCConvexHull(
        fpr=vertices[:, 0].copy(), tpr=vertices[:, 1].copy(), indices=labels[hull], auc=area
    )
