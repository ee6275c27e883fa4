"""conformal_pvalues, benjamini_hochberg, ebh and the auxiliary-set machinery against
brute-force references written from the definitions, and scipy's BH."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import false_discovery_control
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_limits

from skselect.conformal import benjamini_hochberg, conformal_pvalues, ebh
from skselect.conformal._auxiliary import _auxiliary_sizes, _prune, _select_with_auxiliary_sets

# ---------------------------------------------------------------------------------------------
# Brute-force references (loops over the definitions, no sorting tricks)


def brute_pvalues(calib, test, calib_w=None, test_w=None, uniforms=None):
    calib_w = np.ones(len(calib)) if calib_w is None else calib_w
    test_w = np.ones(len(test)) if test_w is None else test_w
    out = []
    for j, v in enumerate(test):
        below = sum(w for s, w in zip(calib, calib_w) if s < v)
        tied = sum(w for s, w in zip(calib, calib_w) if s == v)
        u = 1.0 if uniforms is None else uniforms[j]
        out.append((below + u * (tied + test_w[j])) / (sum(calib_w) + test_w[j]))
    return np.array(out)


def brute_bh(p_values, fdr):
    m = len(p_values)
    count = 0
    for k in range(1, m + 1):
        if sum(p <= fdr * k / m for p in p_values) >= k:
            count = k
    return (
        np.array([p <= fdr * count / m for p in p_values], dtype=bool)
        if count
        else (np.zeros(m, dtype=bool))
    )


def exact_bh(p_fractions, fdr_fraction):
    """BH in exact rational arithmetic."""
    m = len(p_fractions)
    count = max(
        [k for k in range(1, m + 1) if sum(p <= fdr_fraction * k / m for p in p_fractions) >= k],
        default=0,
    )
    return np.array([count > 0 and p <= fdr_fraction * count / m for p in p_fractions])


def brute_ebh(e_values, fdr):
    m = len(e_values)
    count = 0
    for k in range(1, m + 1):
        if sum(e >= m / (fdr * k) for e in e_values) >= k:
            count = k
    if count == 0:
        return np.zeros(m, dtype=bool)
    return np.array([e >= m / (fdr * count) for e in e_values])


def brute_auxiliary_sizes(calib, test, calib_w, test_w, fdr, own_weight_in_extra_term=True):
    """s_j = |BH(p^(j))| with p^(j) built explicitly for every j: O(m^2 (n + m log m))."""
    m = len(test)
    sizes = np.empty(m, dtype=int)
    for j in range(m):
        row = np.empty(m)
        for ell in range(m):
            if ell == j:
                row[ell] = 0.0
                continue
            extra = test_w[j] if own_weight_in_extra_term else test_w[ell]
            numerator = sum(w for s, w in zip(calib, calib_w) if s <= test[ell])
            indicator = 1.0 if test[j] <= test[ell] else 0.0
            row[ell] = (numerator + extra * indicator) / (sum(calib_w) + test_w[j])
        ordered = np.sort(row)
        sizes[j] = max(k for k in range(1, m + 1) if ordered[k - 1] <= fdr * k / m)
    return sizes


def brute_prune(first_step, sizes, xi):
    m = len(sizes)
    scaled = xi * sizes
    best = 0
    for r in range(1, m + 1):
        if sum(1 for j in range(m) if first_step[j] and scaled[j] <= r) >= r:
            best = r
    return np.array([bool(first_step[j] and scaled[j] <= best) for j in range(m)])


def tie_heavy(rng, size, levels=6):
    return rng.integers(0, levels, size=size).astype(np.float64)


# ---------------------------------------------------------------------------------------------
# conformal_pvalues


@pytest.mark.parametrize("seed", range(5))
def test_deterministic_pvalues_match_brute_force_with_ties(seed):
    rng = np.random.default_rng(seed)
    calib, test = tie_heavy(rng, 40), tie_heavy(rng, 30)
    calib[:3] = np.inf  # clipped non-null calibration units
    assert np.allclose(conformal_pvalues(calib, test), brute_pvalues(calib, test))
    # The unit-weight closed form (1 + #{V_i <= V_j}) / (n + 1).
    expected = (1 + (calib[None, :] <= test[:, None]).sum(axis=1)) / (len(calib) + 1)
    assert np.array_equal(conformal_pvalues(calib, test), expected)


@pytest.mark.parametrize("seed", range(5))
def test_weighted_and_randomized_pvalues_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    calib, test = tie_heavy(rng, 25), tie_heavy(rng, 20)
    calib_w, test_w = rng.lognormal(0, 0.5, 25), rng.lognormal(0, 0.5, 20)
    got = conformal_pvalues(calib, test, calib_weights=calib_w, test_weights=test_w)
    assert np.allclose(got, brute_pvalues(calib, test, calib_w, test_w))
    uniforms = np.random.RandomState(seed).uniform(size=20)
    got = conformal_pvalues(
        calib,
        test,
        calib_weights=calib_w,
        test_weights=test_w,
        randomized=True,
        random_state=seed,
    )
    assert np.allclose(got, brute_pvalues(calib, test, calib_w, test_w, uniforms))
    # Unweighted randomized: JC's formula.
    got = conformal_pvalues(calib, test, randomized=True, random_state=seed)
    assert np.allclose(got, brute_pvalues(calib, test, uniforms=uniforms))


def test_randomized_pvalues_are_never_above_deterministic_and_uniform_under_exchangeability():
    rng = np.random.default_rng(0)
    calib, test = tie_heavy(rng, 50), tie_heavy(rng, 50)
    det = conformal_pvalues(calib, test)
    ran = conformal_pvalues(calib, test, randomized=True, random_state=0)
    assert (ran <= det + 1e-15).all()
    # Exchangeable scores with heavy ties: the randomized p-value of one fresh draw is exactly
    # U(0, 1); check P(p <= t) at a few t over 4000 draws (Monte-Carlo s.e. <= 0.008).
    draws = []
    for rep in range(4000):
        scores = np.random.default_rng(rep).integers(0, 4, size=11).astype(float)
        draws.append(
            conformal_pvalues(scores[:10], scores[10:], randomized=True, random_state=rep)[0]
        )
    draws = np.array(draws)
    for t in (0.1, 0.25, 0.5, 0.8):
        assert abs(np.mean(draws <= t) - t) < 4 * np.sqrt(t * (1 - t) / 4000)


def test_pvalues_keep_float32_and_input_order():
    rng = np.random.default_rng(1)
    calib = rng.normal(size=30).astype(np.float32)
    test = rng.normal(size=10).astype(np.float32)
    p = conformal_pvalues(calib, test)
    assert p.dtype == np.float64 and p.shape == (10,)
    order = rng.permutation(10)
    # Bug 4 of the reference code returned p-values in sorted-score order.
    assert np.array_equal(conformal_pvalues(calib, test[order]), p[order])


def test_pvalue_errors():
    with pytest.raises(ValueError, match="calib_scores contains NaN"):
        conformal_pvalues([0.0, np.nan], [1.0])
    with pytest.raises(ValueError, match="test_scores must be one-dimensional"):
        conformal_pvalues([0.0], [[1.0]])
    with pytest.raises(ValueError, match="calib_scores is empty"):
        conformal_pvalues([], [1.0])
    with pytest.raises(TypeError, match="calib_scores must be an array of real numbers"):
        conformal_pvalues(["a"], [1.0])
    with pytest.raises(ValueError, match="must be given together"):
        conformal_pvalues([0.0], [1.0], calib_weights=[1.0])
    with pytest.raises(ValueError, match="test_weights must have one weight per score"):
        conformal_pvalues([0.0], [1.0], calib_weights=[1.0], test_weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="calib_weights must be non-negative"):
        conformal_pvalues([0.0], [1.0], calib_weights=[-1.0], test_weights=[1.0])
    with pytest.raises(ValueError, match="calib_weights contains infinite"):
        conformal_pvalues([0.0], [1.0], calib_weights=[np.inf], test_weights=[1.0])
    with pytest.raises(ValueError, match=r"test_weights must be positive.*positions \[0\]"):
        conformal_pvalues([0.0], [1.0], calib_weights=[0.0], test_weights=[0.0])
    with pytest.raises(InvalidParameterError, match="randomized"):
        conformal_pvalues([0.0], [1.0], randomized="yes")


def test_pvalues_with_crepes_residual_score():
    crepes = pytest.importorskip("crepes", reason="crepes is an optional test dependency")
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.normal(size=600)
    learner = LinearRegression().fit(X[:200], y[:200])
    wrapped = crepes.WrapRegressor(learner)
    threshold = 0.7
    # crepes reseeds numpy's global generator internally; restore it so that the autouse
    # guard checks only skselect's own randomness.
    global_state = np.random.get_state()  # noqa: NPY002
    try:
        wrapped.calibrate(X[200:500], y[200:500], cps=True)
        theirs = wrapped.predict_p(X[500:], np.full(100, threshold), smoothing=False)
    finally:
        np.random.set_state(global_state)  # noqa: NPY002
    calib_scores = y[200:500] - learner.predict(X[200:500])
    test_scores = threshold - learner.predict(X[500:])
    assert np.allclose(conformal_pvalues(calib_scores, test_scores), theirs)


# ---------------------------------------------------------------------------------------------
# benjamini_hochberg and ebh


@pytest.mark.parametrize("seed", range(8))
def test_bh_matches_scipy_and_brute_force(seed):
    rng = np.random.default_rng(seed)
    m = 200
    # A mix of signal and uniform noise, plus tie-heavy conformal p-values.
    p = np.concatenate([rng.uniform(0, 0.01, 30), rng.uniform(size=m - 30)])
    fdr = 0.1 + 0.01 * np.pi * rng.uniform()
    expected = false_discovery_control(p, method="bh") <= fdr
    assert np.array_equal(benjamini_hochberg(p, fdr), expected)
    calib, test = tie_heavy(rng, 19, levels=4), tie_heavy(rng, 60, levels=4)
    tied_p = conformal_pvalues(calib, test)
    assert np.array_equal(benjamini_hochberg(tied_p, fdr), brute_bh(tied_p, fdr))
    assert np.array_equal(
        benjamini_hochberg(tied_p, fdr),
        false_discovery_control(tied_p, method="bh") <= fdr,
    )


def test_bh_exact_boundary_is_inclusive():
    # p_(k) == q k / m exactly (in rationals): BH must reject up to and including k.
    p = [Fraction(1, 20), Fraction(2, 20), Fraction(3, 20), Fraction(19, 20)]
    expected = exact_bh(p, Fraction(1, 5))
    assert expected.tolist() == [True, True, True, False]
    got = benjamini_hochberg([0.05, 0.1, 0.15, 0.95], 0.2)
    assert got.tolist() == expected.tolist()


def test_bh_keeps_the_largest_passing_pvalue():
    # Bug 1 of the reference code: range(max_idx) dropped the last rejection, so a single
    # rejection (k* = 1) became the empty set.
    assert benjamini_hochberg([0.001, 0.9, 0.8], 0.1).tolist() == [True, False, False]
    selected = benjamini_hochberg([0.01, 0.02, 0.03, 0.9], 0.1)
    assert selected.tolist() == [True, True, True, False]


def test_bh_edge_cases_and_errors():
    assert benjamini_hochberg([], 0.1).shape == (0,)
    assert not benjamini_hochberg([0.5, 0.9], 0.1).any()
    assert benjamini_hochberg([0.5, 0.9], 1.0).all()
    with pytest.raises(InvalidParameterError, match="fdr"):
        benjamini_hochberg([0.1], 0.0)
    with pytest.raises(InvalidParameterError, match="fdr"):
        benjamini_hochberg([0.1], 1.5)
    with pytest.raises(ValueError, match="p_values contains NaN"):
        benjamini_hochberg([np.nan], 0.1)
    with pytest.raises(ValueError, match="p_values must be non-negative"):
        benjamini_hochberg([-0.1], 0.1)
    with pytest.raises(ValueError, match="e_values must be non-negative"):
        ebh([-1.0], 0.1)


@pytest.mark.parametrize("seed", range(6))
def test_ebh_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    m = 50
    e = np.where(rng.uniform(size=m) < 0.3, rng.choice([m / 0.1, m / 0.3, 40.0], size=m), 0.0)
    e = e * rng.choice([1.0, 2.0], size=m)
    assert np.array_equal(ebh(e, 0.2), brute_ebh(e, 0.2))
    assert np.array_equal(ebh(np.append(e, np.inf), 0.2), brute_ebh(np.append(e, np.inf), 0.2))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=1, max_size=40),
    st.floats(0.01, 0.5),
    st.floats(0.01, 0.5),
)
def test_bh_and_ebh_selections_shrink_as_fdr_shrinks(p, fdr_a, fdr_b):
    low, high = sorted((fdr_a, fdr_b))
    p = np.array(p)
    assert not (benjamini_hochberg(p, low) & ~benjamini_hochberg(p, high)).any()
    e = np.where(p > 0, 1 / np.maximum(p, 1e-300), np.inf)
    assert not (ebh(e, low) & ~ebh(e, high)).any()


# ---------------------------------------------------------------------------------------------
# Auxiliary sets (WCS / OptCS) and pruning


def _prepared(calib, test, calib_w, test_w):
    return (
        np.ascontiguousarray(calib, dtype=np.float64),
        np.ascontiguousarray(test, dtype=np.float64),
        np.asarray(calib_w, dtype=np.float64),
        np.asarray(test_w, dtype=np.float64),
    )


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("weights", ["unit", "shared test weight", "distinct"])
def test_auxiliary_sizes_match_brute_force_with_ties(seed, weights):
    # "unit" and "shared test weight" take the O(m) kernel, "distinct" the O(m^2) one.
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(5, 30)), int(rng.integers(2, 25))
    calib, test = tie_heavy(rng, n, levels=5), tie_heavy(rng, m, levels=5)
    calib[rng.uniform(size=n) < 0.3] = np.inf
    calib_w = np.ones(n) if weights == "unit" else rng.lognormal(0, 0.5, n)
    test_w = {
        "unit": np.ones(m),
        "shared test weight": np.full(m, rng.lognormal(0, 0.5)),
        "distinct": rng.lognormal(0, 0.5, m),
    }[weights]
    fdr = float(rng.choice([0.1, 0.2, 0.3, 0.5]))
    args = _prepared(calib, test, calib_w, test_w)
    sizes, *_ = _auxiliary_sizes(*args, fdr)
    assert np.array_equal(sizes, brute_auxiliary_sizes(calib, test, calib_w, test_w, fdr))
    # Results never depend on the number of threads.
    with threadpool_limits(1, user_api="openmp"):
        assert np.array_equal(sizes, _auxiliary_sizes(*args, fdr)[0])


@pytest.mark.parametrize("seed", range(4))
def test_linear_and_quadratic_kernels_agree_on_larger_tie_heavy_cases(seed):
    from skselect.conformal._conformal_fast import (
        _auxiliary_set_sizes,
        _auxiliary_set_sizes_common_weight,
    )

    rng = np.random.default_rng(seed)
    m = 600
    sorted_test = np.sort(tie_heavy(rng, m, levels=40))
    at_or_below = np.sort(rng.integers(0, 500, size=m)).astype(float)
    at_or_below[np.flatnonzero(np.diff(sorted_test) == 0) + 1] = at_or_below[
        np.flatnonzero(np.diff(sorted_test) == 0)
    ]  # tied scores share their calibration count
    at_or_below = np.maximum.accumulate(at_or_below)
    for fdr in (0.05, 0.2, 0.6):
        linear = np.empty(m, dtype=np.intp)
        quadratic = np.empty(m, dtype=np.intp)
        _auxiliary_set_sizes_common_weight(sorted_test, at_or_below, 1.0, 500.0, fdr, linear, 2)
        _auxiliary_set_sizes(sorted_test, at_or_below, np.ones(m), 500.0, fdr, quadratic, 2)
        assert np.array_equal(linear, quadratic)
        # Distinct weights, one thread against two: the prange split changes nothing.
        weights = rng.lognormal(0, 0.5, m)
        one, two = np.empty(m, dtype=np.intp), np.empty(m, dtype=np.intp)
        _auxiliary_set_sizes(sorted_test, at_or_below, weights, 500.0, fdr, one, 1)
        _auxiliary_set_sizes(sorted_test, at_or_below, weights, 500.0, fdr, two, 2)
        assert np.array_equal(one, two)


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("pruning", ["deterministic", "homogeneous", "heterogeneous"])
def test_pruning_matches_brute_force_given_the_same_draws(seed, pruning):
    rng = np.random.default_rng(seed)
    n, m = 20, 15
    calib, test = tie_heavy(rng, n, levels=4), tie_heavy(rng, m, levels=4) - 1
    calib_w, test_w = rng.lognormal(0, 0.3, n), rng.lognormal(0, 0.3, m)
    fdr = 0.3
    args = _prepared(calib, test, calib_w, test_w)
    sizes, *_ = _auxiliary_sizes(*args, fdr)
    p = brute_pvalues(calib, test, calib_w, test_w)
    selected, first_step, e_values = _select_with_auxiliary_sets(
        p, sizes, fdr, pruning, np.random.RandomState(seed)
    )
    draws = np.random.RandomState(seed)
    xi = {
        "deterministic": np.ones(m),
        "homogeneous": np.full(m, draws.uniform()) if pruning == "homogeneous" else None,
        "heterogeneous": draws.uniform(size=m) if pruning == "heterogeneous" else None,
    }[pruning]
    brute_sizes = brute_auxiliary_sizes(calib, test, calib_w, test_w, fdr)
    brute_first = np.array([p[j] <= fdr * brute_sizes[j] / m for j in range(m)])
    assert np.array_equal(first_step, brute_first)
    assert np.array_equal(selected, brute_prune(brute_first, brute_sizes, xi))
    # Deterministic pruning is e-BH on the e-values; random prunings are e-BH on e / xi.
    assert np.array_equal(selected, ebh(np.where(xi > 0, e_values / xi, np.inf) * first_step, fdr))


def test_extra_term_uses_the_weight_of_the_left_out_unit():
    # Bug 2 of the reference Python code: the extra term of p^(j)_l carried w_{n+l} instead
    # of w_{n+j}. Find a case where the two differ and check we follow w_{n+j}.
    for seed in range(200):
        rng = np.random.default_rng(seed)
        calib, test = tie_heavy(rng, 8, levels=4), tie_heavy(rng, 8, levels=4) - 1
        calib_w, test_w = rng.lognormal(0, 1.0, 8), rng.lognormal(0, 1.0, 8)
        ours = brute_auxiliary_sizes(calib, test, calib_w, test_w, 0.4)
        buggy = brute_auxiliary_sizes(calib, test, calib_w, test_w, 0.4, False)
        if not np.array_equal(ours, buggy):
            break
    else:
        pytest.fail("no case separating the two conventions was found")
    sizes, *_ = _auxiliary_sizes(*_prepared(calib, test, calib_w, test_w), 0.4)
    assert np.array_equal(sizes, ours)
    assert not np.array_equal(sizes, buggy)


@pytest.mark.parametrize("seed", range(20))
def test_wcs_with_unit_weights_equals_cfbh(seed):
    # Also bug 3 of the reference R code: with strict '<' in the deterministic pruning, unit
    # weights selected nothing; with '<=' WCS reproduces the deterministic cfBH set exactly.
    rng = np.random.default_rng(seed)
    n, m = 60, 40
    calib = np.where(rng.uniform(size=n) < 0.4, np.inf, tie_heavy(rng, n, levels=8))
    test = tie_heavy(rng, m, levels=8) - 3
    fdr = float(rng.choice([0.1, 0.2, 0.3]))
    p = conformal_pvalues(calib, test)
    args = _prepared(calib, test, np.ones(n), np.ones(m))
    sizes, *_ = _auxiliary_sizes(*args, fdr)
    selected, _, _ = _select_with_auxiliary_sets(
        p, sizes, fdr, "deterministic", np.random.RandomState(0)
    )
    cfbh = benjamini_hochberg(p, fdr)
    assert np.array_equal(selected, cfbh)


def test_wcs_with_unit_weights_selects_something_when_cfbh_does():
    rng = np.random.default_rng(3)
    calib = np.concatenate([np.full(50, np.inf), rng.normal(size=50)])
    test = np.concatenate([rng.normal(-4, 0.5, size=20), rng.normal(size=20)])
    p = conformal_pvalues(calib, test)
    sizes, *_ = _auxiliary_sizes(*_prepared(calib, test, np.ones(100), np.ones(40)), 0.1)
    selected, _, _ = _select_with_auxiliary_sets(
        p, sizes, 0.1, "deterministic", np.random.RandomState(0)
    )
    assert selected.sum() >= 15


def test_prune_with_empty_first_step():
    selected, e_values = _prune(
        np.zeros(4, dtype=bool),
        np.ones(4, dtype=np.intp),
        "heterogeneous",
        0.1,
        np.random.RandomState(0),
    )
    assert not selected.any() and not e_values.any()


@pytest.mark.parametrize("bad", [1.5, np.inf, 1e300])
def test_benjamini_hochberg_refuses_values_that_are_no_p_values(bad):
    with pytest.raises(ValueError, match=r"p_values must lie in \[0, 1\]"):
        benjamini_hochberg([0.01, 0.2, bad], 0.1)
