"""fdp_bounds and ConformalSelector.fdp_bounds: the exact law of conformal p-values, the
bounds against brute force, their simultaneous coverage, and the Dask path."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from scipy.stats import chisquare
from sklearn.linear_model import LinearRegression
from sklearn.utils._param_validation import InvalidParameterError

from skselect.conformal import ConformalSelector, FDPBounds, conformal_pvalues, fdp_bounds
from skselect.conformal._fdp import (
    _bounds_from_sorted,
    _draw_counts,
    _draw_levels,
    _envelope_scale,
    _grid_levels,
    _statistic_of_counts,
    _statistic_of_levels,
)


def selection_pvalues(rng, n=500, m=300, threshold=1.0):
    """Clipped-score p-values with the oracle ranking mu(x) = x; y = x + N(0, 1)."""
    X_calib, X_test = rng.normal(size=n), rng.normal(size=m)
    y_calib, y_test = X_calib + rng.normal(size=n), X_test + rng.normal(size=m)
    calib_scores = np.where(y_calib > threshold, np.inf, -X_calib)
    return conformal_pvalues(calib_scores, -X_test), y_test <= threshold


# ---------------------------------------------------------------------------------------------
# The sampler draws the exact joint law


def levels_of_counts(counts, n_calib, n_tests):
    """The sorted levels c of the m oracle p-values c / (n + 1) from m F(t_c), c = 1..n."""
    full = np.concatenate([[0], counts, [n_tests]])
    return np.repeat(np.arange(1, n_calib + 2), np.diff(full))


def test_sampler_marginal_is_uniform_on_the_grid():
    n_calib, n_draws = 10, 100_000
    rng = np.random.default_rng(0)
    counts = _draw_counts(n_calib, 1, n_draws, rng)
    levels = np.array([levels_of_counts(row, n_calib, 1)[0] for row in counts])
    observed = np.bincount(levels, minlength=n_calib + 2)[1:]
    assert chisquare(observed).pvalue > 0.001


def test_sampler_pairwise_correlation_is_one_over_n_plus_two():
    # Two test units of one batch: corr(p_1, p_2) = 1 / (n + 2) (Pólya urn).
    n_calib, n_draws = 10, 100_000
    rng = np.random.default_rng(1)
    counts = _draw_counts(n_calib, 2, n_draws, rng)
    pairs = np.array([levels_of_counts(row, n_calib, 2) for row in counts], dtype=float)
    swap = rng.random(n_draws) < 0.5
    pairs[swap] = pairs[swap][:, ::-1]
    correlation = np.corrcoef(pairs[:, 0], pairs[:, 1])[0, 1]
    assert abs(correlation - 1 / (n_calib + 2)) < 4 / np.sqrt(n_draws)


def test_sampler_agrees_with_explicit_exchangeable_scores():
    # The statistic's law from the rank draws equals its law from n + m i.i.d. uniforms.
    n_calib, n_tests, n_draws = 20, 15, 20_000
    rng = np.random.default_rng(2)
    from_ranks = _draw_counts(n_calib, n_tests, n_draws, rng).mean(axis=0)
    scores = rng.random((n_draws, n_calib + n_tests))
    calib, test = np.sort(scores[:, :n_calib], axis=1), scores[:, n_calib:]
    explicit = (test[:, None, :] < calib[:, :, None]).sum(axis=2).mean(axis=0)
    # E[m F(c / (n + 1))] = m c / (n + 1) for both.
    expected = n_tests * np.arange(1, n_calib + 1) / (n_calib + 1)
    assert np.allclose(from_ranks, expected, atol=0.05)
    assert np.allclose(explicit, expected, atol=0.05)


@pytest.mark.parametrize("method", ["hc", "ks"])
@pytest.mark.parametrize("n_calib, n_tests", [(30, 20), (20, 30), (50, 5), (5, 50), (1, 1)])
def test_both_samplers_compute_the_same_statistic(method, n_calib, n_tests):
    # The statistic from the test ranks (used when n > m) equals the one from the counts.
    rng = np.random.default_rng(13)
    levels = _draw_levels(n_calib, n_tests, 300, rng)
    counts = np.array(
        [np.searchsorted(row, np.arange(1, n_calib + 1), side="right") for row in levels]
    )
    assert np.allclose(
        _statistic_of_counts(counts, n_calib, n_tests, method),
        _statistic_of_levels(levels, n_calib, n_tests, method),
    )
    if min(n_calib, n_tests) < 5:
        return
    # And the two samplers draw the same law (statistic quantiles).
    from_counts = _statistic_of_counts(
        _draw_counts(n_calib, n_tests, 20_000, rng), n_calib, n_tests, method
    )
    from_levels = _statistic_of_levels(
        _draw_levels(n_calib, n_tests, 20_000, rng), n_calib, n_tests, method
    )
    assert np.allclose(
        np.quantile(from_counts, [0.5, 0.9]), np.quantile(from_levels, [0.5, 0.9]), atol=0.03
    )


def test_grid_levels_are_exact_for_deterministic_pvalues():
    for n_calib in (1, 7, 99, 500, 12_345):
        levels = np.arange(1, n_calib + 2)
        assert np.array_equal(_grid_levels(levels / (n_calib + 1), n_calib), levels)


# ---------------------------------------------------------------------------------------------
# The bounds against their definition


def brute_false_upper(sorted_levels, n_calib, n_tests, scale, method, boost):
    out = []
    direct = []
    for k, level in enumerate(sorted_levels, start=1):
        t = level / (n_calib + 1)
        weight = 1.0 if method == "ks" else np.sqrt(t * (1 - t))
        envelope = n_tests if level > n_calib else n_tests * (t + scale * weight)
        direct.append(min(k, max(0, int(np.floor(min(envelope, n_tests) + 1e-9)))))
    for k in range(1, n_tests + 1):
        if not boost:
            out.append(direct[k - 1])
            continue
        best = k
        for later in range(k, n_tests + 1):
            for earlier in range(0, later + 1):
                value = (0 if earlier == 0 else direct[earlier - 1]) + later - earlier
                best = min(best, value)
        out.append(best)
    return np.array(out)


@pytest.mark.parametrize("method", ["hc", "ks"])
@pytest.mark.parametrize("boost", [True, False])
def test_bounds_match_brute_force(method, boost):
    rng = np.random.default_rng(3)
    n_calib, n_tests = 30, 40
    p_values = rng.integers(1, n_calib + 2, n_tests) / (n_calib + 1)
    p_values[:8] = 1 / (n_calib + 1)
    bounds = fdp_bounds(p_values, n_calib, method=method, boost=boost, random_state=0)
    expected = brute_false_upper(
        np.sort(_grid_levels(p_values, n_calib)),
        n_calib,
        n_tests,
        bounds.envelope_scale,
        method,
        boost,
    )
    assert np.array_equal(bounds.n_false_upper, expected)
    assert np.array_equal(bounds.thresholds, np.sort(p_values))
    assert np.array_equal(p_values[bounds.order], np.sort(p_values))
    assert np.allclose(bounds.fdp_upper, expected / np.arange(1, n_tests + 1))


def test_boost_is_never_looser_and_bounds_grow_with_confidence():
    rng = np.random.default_rng(4)
    for _ in range(20):
        p_values, _ = selection_pvalues(rng, n=200, m=100)
        plain = fdp_bounds(p_values, 200, boost=False, random_state=0)
        boosted = fdp_bounds(p_values, 200, random_state=0)
        assert (boosted.n_false_upper <= plain.n_false_upper).all()
        previous = None
        for confidence in (0.5, 0.8, 0.9, 0.95, 0.99):
            bounds = fdp_bounds(p_values, 200, confidence=confidence, random_state=0)
            tops = np.array([bounds.bound_top_k(k) for k in range(101)])
            if previous is not None:
                assert (tops >= previous).all()
            previous = tops


def test_accessors():
    rng = np.random.default_rng(5)
    p_values = np.concatenate([rng.integers(1, 4, 60), rng.integers(1, 502, 240)]) / 501
    bounds = fdp_bounds(p_values, 500, random_state=0)
    assert isinstance(bounds, FDPBounds)
    assert bounds.bound_top_k(0) == 0
    assert bounds.bound_top_k(np.int64(10)) == bounds.n_false_upper[9]
    k = bounds.largest_k(0.3)
    assert k > 0
    assert bounds.fdp_upper[k - 1] <= 0.3 and (bounds.fdp_upper[k:] > 0.3).all()
    assert bounds.bound_at(0.0) == 0.0
    t = bounds.thresholds[19]
    assert (
        bounds.bound_at(t) == bounds.fdp_upper[np.searchsorted(bounds.thresholds, t, "right") - 1]
    )
    frame = bounds.to_frame()
    assert list(frame.columns) == [
        "unit",
        "threshold",
        "n_false_upper",
        "fdp_upper",
        "precision_lower",
    ]
    assert frame.index[0] == 1 and frame["unit"].tolist() == bounds.order.tolist()
    assert np.allclose(frame["precision_lower"], 1 - bounds.fdp_upper)
    assert "FDPBounds" in repr(bounds)


def test_envelope_is_reproducible_and_trivial_beyond_the_draws():
    assert _envelope_scale(50, 40, "hc", 99, 0, 0.9) == _envelope_scale(50, 40, "hc", 99, 0, 0.9)
    assert _envelope_scale(50, 40, "hc", 99, 0, 0.995) == np.inf
    bounds = fdp_bounds(np.full(10, 0.02), 49, confidence=0.995, n_resamples=99)
    assert np.array_equal(bounds.n_false_upper, np.arange(1, 11))


def test_empty_batch():
    bounds = fdp_bounds(np.zeros(0), 10)
    assert bounds.n_false_upper.shape == (0,) and bounds.largest_k(0.5) == 0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(p_values=[0.5, 1.5], n_calib=9), "p_values must lie in"),
        (dict(p_values=[0.0, 0.5], n_calib=9), "p_values must lie in"),
        (dict(p_values=[0.5, np.nan], n_calib=9), "NaN"),
        (dict(p_values=[[0.5]], n_calib=9), "one-dimensional"),
    ],
)
def test_bad_pvalues(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fdp_bounds(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(n_calib=0),
        dict(n_calib=10, confidence=1.0),
        dict(n_calib=10, method="bj"),
        dict(n_calib=10, n_resamples=0),
    ],
)
def test_bad_parameters(kwargs):
    with pytest.raises(InvalidParameterError):
        fdp_bounds([0.5], **kwargs)


def test_bad_accessor_arguments():
    bounds = fdp_bounds([0.1, 0.5], 9, random_state=0)
    with pytest.raises(ValueError, match=r"k must be an integer in \[0, 2\]"):
        bounds.bound_top_k(3)
    with pytest.raises(ValueError, match="k must be an integer"):
        bounds.bound_top_k(1.5)
    with pytest.raises(ValueError, match="max_fdp must be a number in"):
        bounds.largest_k(1.5)
    with pytest.raises(ValueError, match="threshold must be a real number"):
        bounds.bound_at(np.nan)


# ---------------------------------------------------------------------------------------------
# From a fitted selector


def linear_data(seed, n):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.5 * rng.normal(size=n)


@pytest.mark.parametrize("randomized", [False, True])
def test_selector_bounds_are_those_of_its_pvalues(randomized):
    X, y = linear_data(6, 900)
    selector = ConformalSelector(
        LinearRegression(), threshold=1.0, randomized=randomized, random_state=0
    ).fit(X[:600], y[:600])
    bounds = selector.fdp_bounds(X[600:], confidence=0.8, method="ks")
    p_values = selector.p_values(X[600:])
    assert np.array_equal(bounds.thresholds, np.sort(p_values))
    assert np.array_equal(p_values[bounds.order], np.sort(p_values))
    # Ties in p-value are broken by the ranking, best first.
    prediction = selector.estimator_.predict(X[600:])[bounds.order]
    tied = np.diff(bounds.thresholds) == 0
    assert (np.diff(prediction)[tied] <= 0).all()
    expected = _bounds_from_sorted(
        np.sort(p_values), None, 300, 0.8, "ks", True, 1000, selector._fdp_seed()
    )
    assert np.array_equal(bounds.n_false_upper, expected.n_false_upper)
    again = selector.fdp_bounds(X[600:], confidence=0.8, method="ks")
    assert np.array_equal(again.n_false_upper, bounds.n_false_upper)


def test_selector_pandas_order_is_positional():
    pd = pytest.importorskip("pandas")
    X, y = linear_data(7, 500)
    selector = ConformalSelector(LinearRegression(), threshold=1.0, random_state=0)
    selector.fit(X[:300], y[:300])
    frame = pd.DataFrame(X[300:], index=np.arange(1000, 1200))
    bounds = selector.fdp_bounds(frame)
    assert np.array_equal(bounds.order, selector.fdp_bounds(X[300:]).order)


def test_selector_refuses_weighted_pvalues():
    X, y = linear_data(8, 400)
    selector = ConformalSelector(
        LinearRegression(),
        method="wcs",
        weight_function=lambda X: np.exp(0.3 * X[:, 0]),
        random_state=0,
    ).fit(X[:300], y[:300])
    with pytest.raises(ValueError, match="weight_function"):
        selector.fdp_bounds(X[300:])


def test_selector_bad_arguments():
    X, y = linear_data(9, 300)
    selector = ConformalSelector(LinearRegression(), random_state=0).fit(X, y)
    with pytest.raises(InvalidParameterError, match="confidence"):
        selector.fdp_bounds(X, confidence=1.5)
    with pytest.raises(InvalidParameterError, match="method"):
        selector.fdp_bounds(X, method="bh")


@pytest.mark.parametrize("randomized", [False, True])
def test_dask_bounds_equal_in_memory(randomized):
    da = pytest.importorskip("dask.array")
    X, y = linear_data(10, 1000)
    selector = ConformalSelector(
        LinearRegression(), threshold=0.5, randomized=randomized, random_state=0
    ).fit(X[:600], y[:600])
    in_memory = selector.fdp_bounds(X[600:])
    for chunks in (400, 77):
        lazy = selector.fdp_bounds(da.from_array(X[600:], chunks=(chunks, 3)))
        assert lazy.order is None
        assert np.array_equal(lazy.thresholds, in_memory.thresholds)
        assert np.array_equal(lazy.n_false_upper, in_memory.n_false_upper)


# ---------------------------------------------------------------------------------------------
# Simultaneous coverage (slow)


@pytest.mark.slow
@pytest.mark.parametrize("method, randomized", [("hc", False), ("ks", False), ("hc", True)])
def test_simultaneous_coverage(method, randomized):
    # n = 500, m = 300, confidence 0.9: P(for every k, false among the top k <= bound)
    # must be at least 0.9 - 3 s.e.; the exact law makes it about 0.90 (seen: 0.90).
    n_calib, n_tests, reps, confidence = 500, 300, 4000, 0.9
    rng = np.random.default_rng(11)
    covered = 0
    top50 = []
    for rep in range(reps):
        X_calib, X_test = rng.normal(size=n_calib), rng.normal(size=n_tests)
        y_calib = X_calib + rng.normal(size=n_calib)
        y_test = X_test + rng.normal(size=n_tests)
        calib_scores = np.where(y_calib > 1.0, np.inf, -X_calib)
        p_values = conformal_pvalues(calib_scores, -X_test, randomized=randomized, random_state=rep)
        # A few envelope seeds (each cached) so the coverage also averages over the draws.
        bounds = fdp_bounds(p_values, n_calib, method=method, random_state=rep % 7)
        false = np.cumsum(y_test[bounds.order] <= 1.0)
        covered += bool((false <= bounds.n_false_upper).all())
        top50.append(bounds.fdp_upper[49])
    coverage = covered / reps
    se = np.sqrt(confidence * (1 - confidence) / reps)
    print(f"coverage {coverage:.4f} (se {se:.4f}), mean top-50 bound {np.mean(top50):.3f}")
    assert coverage >= confidence - 3 * se, coverage


@pytest.mark.slow
def test_higher_criticism_is_tighter_than_ks_at_the_top():
    # Average top-50 FDP bound over the same p-values (seen: HC 0.59, KS 0.78).
    rng = np.random.default_rng(12)
    hc, ks = [], []
    for rep in range(200):
        p_values, _ = selection_pvalues(rng)
        hc.append(fdp_bounds(p_values, 500, method="hc", random_state=rep % 7).fdp_upper[49])
        ks.append(fdp_bounds(p_values, 500, method="ks", random_state=rep % 7).fdp_upper[49])
    assert np.mean(hc) < np.mean(ks)
