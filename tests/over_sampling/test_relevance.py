"""Relevance phi(y): hand-computed Hermite values, smogn's phi, automatic control points."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skselect.over_sampling import relevance, relevance_control_points


def _hermite(t, p0, p1, m0, m1, h):
    """The cubic Hermite polynomial on one interval, from its textbook basis."""
    h00 = 2 * t**3 - 3 * t**2 + 1
    h10 = t**3 - 2 * t**2 + t
    h01 = -2 * t**3 + 3 * t**2
    h11 = t**3 - t**2
    return h00 * p0 + h10 * h * m0 + h01 * p1 + h11 * h * m1


def test_zero_slopes_give_the_smoothstep():
    y = np.array([0.0, 2.0, 5.0, 7.5, 10.0])
    phi = relevance(y, control_points=[[0, 0, 0], [10, 1, 0]])
    t = y / 10
    assert_allclose(phi, 3 * t**2 - 2 * t**3, rtol=0, atol=1e-15)
    assert_allclose(phi[[1, 3]], [0.104, 0.84375], atol=1e-15)


def test_fritsch_carlson_shrinks_steep_slopes():
    # slopes 4 on a unit step: alpha = beta = 4 violate the monotonicity region, so both are
    # scaled to 3 / sqrt(alpha**2 + beta**2) * 4 = 3 / sqrt(2)
    t = np.linspace(0, 1, 11)
    phi = relevance(t, control_points=[[0, 0, 4], [1, 1, 4]])
    m = 3 / np.sqrt(2)
    assert_allclose(phi, _hermite(t, 0, 1, m, m, 1.0), atol=1e-14)
    assert_allclose(phi[[2, 5]], [0.2 * 0 + _hermite(0.2, 0, 1, m, m, 1), 0.5], atol=1e-14)
    assert np.all(np.diff(phi) >= 0)


def test_outside_the_control_points_phi_is_constant():
    phi = relevance([-5.0, 0.0, 10.0, 50.0], control_points=[[0, 1, 0], [10, 0.25, 0]])
    assert_array_equal(phi, [1.0, 1.0, 0.25, 0.25])


def test_two_column_control_points_have_zero_slopes():
    y = np.linspace(-1, 4, 30)
    assert_array_equal(
        relevance(y, control_points=[[0, 1], [3, 0]]),
        relevance(y, control_points=[[0, 1, 0], [3, 0, 0]]),
    )


def test_control_point_order_does_not_matter():
    y = np.linspace(-1, 4, 30)
    points = [[0, 1, 0], [1.5, 0, 0], [3, 1, 0]]
    assert_array_equal(
        relevance(y, control_points=points), relevance(y, control_points=points[::-1])
    )


@pytest.mark.parametrize(
    "points",
    [
        [[-5, 1, 0], [0, 0, 0], [5, 1, 0]],
        [[-3, 1, 0], [0, 0, 0], [1, 0.3, 0.2], [4, 1, 0]],
        [[0, 0, 0.1], [3, 1, 0.2]],
        [[-4, 0.5, 0.0], [-1, 0.0, 0.0], [2, 0.7, 0.9], [6, 1.0, 0.0]],
    ],
)
def test_equals_smogn_phi_on_explicit_control_points(points):
    smogn_phi = pytest.importorskip(
        "smogn.phi", reason="smogn (the reference implementation) is not installed"
    )
    pd = pytest.importorskip("pandas")
    y = np.random.default_rng(0).uniform(-6, 7, size=2000)
    # smogn returns 1 below the first control point (we keep that point's value): compare
    # where both are defined by the interpolation, between the first and the last point.
    y = y[(y >= points[0][0]) & (y <= points[-1][0])]
    expected = smogn_phi.phi(
        pd.Series(y), {"num_pts": len(points), "ctrl_pts": np.ravel(points).tolist()}
    )
    assert_allclose(relevance(y, control_points=points), expected, rtol=0, atol=1e-10)


def test_automatic_control_points_use_tukeys_box_plot():
    # R: boxplot.stats(c(0:19, 100)) gives stats 0, 5, 10, 15, 19 and out 100
    y = np.r_[np.arange(20.0), 100.0]
    assert_array_equal(relevance_control_points(y), [[0, 0, 0], [10, 0, 0], [19, 1, 0]])
    assert_array_equal(
        relevance_control_points(y, extremes="low"), [[0, 0, 0], [10, 0, 0], [100, 0, 0]]
    )
    y_both = np.r_[-100.0, np.arange(20.0), 100.0]
    assert_array_equal(relevance_control_points(y_both), [[0, 1, 0], [9.5, 0, 0], [19, 1, 0]])
    phi = relevance(y_both)
    assert phi[0] == 1 and phi[-1] == 1 and phi[10] < 0.01 < phi[1]


def test_hinges_are_tukeys_not_quantiles():
    # n = 8: R's fivenum hinges are 2.5 and 6.5 (on 1..8), numpy's quartiles 2.75 and 6.25;
    # with the hinges 25 lies beyond 6.5 + 1.5 * 4 = 12.5 and 7 is the upper whisker
    y = np.array([1.0, 2, 3, 4, 5, 6, 7, 25])
    assert_array_equal(relevance_control_points(y), [[1, 0, 0], [4.5, 0, 0], [7, 1, 0]])


def test_constant_target_has_one_control_point_and_zero_relevance():
    assert_array_equal(relevance_control_points([3.0, 3.0, 3.0]), [[3, 0, 0]])
    assert_array_equal(relevance([3.0, 3.0]), [0.0, 0.0])


def test_relevance_is_within_unit_interval_and_input_untouched():
    y = np.random.default_rng(1).standard_exponential(500)
    y_copy = y.copy()
    phi = relevance(y, control_points="high")
    assert_array_equal(y, y_copy)
    assert phi.min() >= 0 and phi.max() <= 1
    assert phi[np.argmax(y)] == 1


@pytest.mark.parametrize(
    "y, kwargs, error, match",
    [
        ([1.0, np.nan], {}, ValueError, "y contains NaN"),
        ([], {}, ValueError, "y is empty"),
        ([[1.0, 2.0], [3.0, 4.0]], {}, ValueError, "y must be one-dimensional"),
        (["a", "b"], {}, TypeError, "y must hold numbers"),
        ([1.0, 2.0], {"control_points": [[0, 2, 0], [1, 0, 0]]}, ValueError, r"\[0, 1\]"),
        ([1.0, 2.0], {"control_points": [[0, 1, 0], [0, 0, 0]]}, ValueError, "distinct"),
        ([1.0, 2.0], {"control_points": [[0, 1, 0, 1]]}, ValueError, "shape"),
        ([1.0, 2.0], {"control_points": [[0, np.nan]]}, ValueError, "finite"),
        ([1.0, 2.0], {"control_points": "middle"}, ValueError, "control_points"),
        ([1.0, 2.0], {"coef": 0}, ValueError, "coef"),
    ],
)
def test_bad_input_names_the_argument(y, kwargs, error, match):
    with pytest.raises(error, match=match):
        relevance(y, **kwargs)


def test_float32_and_lists_and_2d_column():
    y = np.linspace(0, 10, 11, dtype=np.float32)
    points = [[0, 0, 0], [10, 1, 0]]
    expected = relevance(y.astype(np.float64), control_points=points)
    assert_allclose(relevance(y, control_points=points), expected)
    assert_allclose(relevance(y.tolist(), control_points=points), expected)
    assert_allclose(relevance(y.reshape(-1, 1), control_points=points), expected)
