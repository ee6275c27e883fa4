"""OnlineConformalSelector: online BH ends at BH over a known horizon, selections only grow,
batches equal one-by-one arrivals, k* against brute force, FDR at every time (online BH and
LOND), the budget floor warning and errors."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError

from skselect.conformal import (
    ConformalSelector,
    OnlineConformalSelector,
    OptCSSelector,
    benjamini_hochberg,
)
from skselect.conformal._online import _online_bh_count


def stream_data(seed, n_calib=300, n_stream=400, noise=0.5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_calib + n_stream, 2))
    y = X[:, 0] + noise * rng.normal(size=n_calib + n_stream)
    return X[:n_calib], y[:n_calib], X[n_calib:], y[n_calib:]


# mu(x) = x_0: a fixed ranking, independent of every calibration and test set.
MODEL = LinearRegression().fit([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], [0.0, 1.0, 0.0])


def online(**kwargs):
    selector = ConformalSelector(MODEL, threshold=0.0, prefit=True)
    return OnlineConformalSelector(selector, **kwargs)


def split_points(rng, n, n_cuts):
    cuts = np.sort(rng.choice(np.arange(1, n), size=min(n_cuts, n - 1), replace=False))
    return np.split(np.arange(n), cuts)


# ---------------------------------------------------------------------------------------------
# Exactness


def test_uniform_weights_end_at_benjamini_hochberg():
    # 200 streams: with gamma = 1/H the set after H units is BH on the H p-values, exactly.
    for seed in range(200):
        rng = np.random.default_rng(seed)
        X_calib, y_calib, X_stream, _ = stream_data(seed, n_calib=100, n_stream=60)
        fdr = rng.choice([0.05, 0.1, 0.2, 0.5])
        model = online(fdr=fdr, horizon=60).fit(X_calib, y_calib)
        for part in split_points(rng, 60, rng.integers(0, 8)):
            selected = model.partial_select(X_stream[part])
        p_values = model.selector_.p_values(X_stream)
        assert np.array_equal(model.p_values_, p_values)
        assert np.array_equal(selected, benjamini_hochberg(p_values, fdr))


def brute_k_star(p_values, gamma, fdr):
    best = 0
    for k in range(len(p_values) + 1):
        if np.sum(p_values <= fdr * gamma * k) >= k:
            best = k
    return best


def test_k_star_against_brute_force():
    rng = np.random.default_rng(0)
    for _ in range(300):
        t = rng.integers(1, 40)
        p_values = rng.integers(1, 30, size=t) / 30
        gamma = rng.dirichlet(np.ones(t + rng.integers(0, 5)))[:t]
        gamma[rng.random(t) < 0.1] = 0.0
        fdr = rng.choice([0.1, 0.3, 0.9])
        with np.errstate(divide="ignore"):
            ratios = np.where(gamma > 0, p_values / np.where(gamma > 0, gamma, 1), np.inf)
        assert _online_bh_count(np.sort(ratios), fdr) == brute_k_star(p_values, gamma, fdr)


def test_selection_times_against_brute_force():
    # After each arrival t: k*_t from scratch, R_t = {i <= t: p_i <= fdr gamma_i k*_t}; a
    # unit's selection time is the first t with it in R_t. Random batches, weights with
    # zeros, tied p-values (a short calibration set).
    rng = np.random.default_rng(5)
    for seed in range(60):
        n_stream = int(rng.integers(5, 80))
        X_calib, y_calib, X_stream, _ = stream_data(seed, n_calib=int(rng.integers(10, 60)))
        gamma = rng.dirichlet(np.ones(n_stream)) * rng.uniform(0.5, 1.0)
        gamma[rng.random(n_stream) < 0.15] = 0.0
        fdr = float(rng.choice([0.1, 0.3, 0.6]))
        model = online(fdr=fdr, gamma=gamma).fit(X_calib, y_calib)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            for part in split_points(rng, n_stream, int(rng.integers(0, 10))):
                model.partial_select(X_stream[part])
        p_values = model.p_values_
        expected = np.full(n_stream, -1)
        for t in range(1, n_stream + 1):
            k_star = brute_k_star(p_values[:t], gamma[:t], fdr)
            inside = np.flatnonzero(p_values[:t] <= fdr * gamma[:t] * k_star)
            fresh = inside[expected[inside] < 0]
            expected[fresh] = t
        assert np.array_equal(model.selected_at_, expected)
        assert model.k_star_ == brute_k_star(p_values, gamma, fdr)


def state(model):
    return (
        model.p_values_.copy(),
        model.gamma_.copy(),
        model.selected_at_.copy(),
        model.k_star_,
        model.n_seen_,
    )


def assert_same_state(a, b):
    for u, v in zip(a, b):
        assert np.array_equal(u, v)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_cuts=st.integers(0, 12),
    procedure=st.sampled_from(["online_bh", "lond"]),
    randomized=st.booleans(),
)
def test_batches_equal_one_by_one_and_selections_only_grow(seed, n_cuts, procedure, randomized):
    X_calib, y_calib, X_stream, _ = stream_data(seed, n_calib=80, n_stream=40)
    rng = np.random.default_rng(seed)
    gamma = rng.dirichlet(np.ones(40)) * 0.9

    def make():
        selector = ConformalSelector(
            MODEL, threshold=0.0, prefit=True, randomized=randomized, random_state=seed
        )
        return OnlineConformalSelector(selector, fdr=0.3, procedure=procedure, gamma=gamma).fit(
            X_calib, y_calib
        )

    # Random weights may leave some units too little budget; the floor warning is tested
    # on its own.
    warnings.simplefilter("ignore", UserWarning)
    one_by_one = make()
    masks = [one_by_one.partial_select(X_stream[i : i + 1]) for i in range(40)]
    for before, after in zip(masks, masks[1:]):
        assert (after[: before.shape[0]] >= before).all()  # never un-selects
    batched = make()
    previous = np.zeros(0, dtype=bool)
    for part in split_points(rng, 40, n_cuts):
        mask = batched.partial_select(X_stream[part])
        assert (mask[: previous.shape[0]] >= previous).all()
        previous = mask
    assert_same_state(state(one_by_one), state(batched))
    assert np.array_equal(batched.selected_, np.flatnonzero(batched.selected_at_ >= 0))


def test_lond_decisions_are_final_at_arrival():
    X_calib, y_calib, X_stream, _ = stream_data(1, n_calib=300, n_stream=200)
    model = online(procedure="lond", gamma=lambda i: 1 / (i * (i + 1)), fdr=0.2)
    model.fit(X_calib, y_calib)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # late units get a tiny gamma
        model.partial_select(X_stream)
    chosen = model.selected_at_ >= 0
    # Every LOND selection is taken when its unit arrives.
    assert np.array_equal(model.selected_at_[chosen], np.flatnonzero(chosen) + 1)
    # And it is the LOND rule.
    count = 0
    for t, p in enumerate(model.p_values_, start=1):
        expected = p <= 0.2 / (t * (t + 1)) * (count + 1)
        assert chosen[t - 1] == expected
        count += expected
    assert model.k_star_ == count > 0


def test_online_bh_can_accept_later():
    X_calib, y_calib, X_stream, _ = stream_data(2, n_calib=300, n_stream=200)
    model = online(horizon=200, fdr=0.2).fit(X_calib, y_calib)
    model.partial_select(X_stream)
    chosen = model.selected_at_ >= 0
    assert (model.selected_at_[chosen] > np.flatnonzero(chosen) + 1).any()


def test_reset_and_refit_start_a_new_stream():
    X_calib, y_calib, X_stream, _ = stream_data(3, n_calib=200, n_stream=50)
    model = online(horizon=50).fit(X_calib, y_calib)
    first = model.partial_select(X_stream).copy()
    calib = model.selector_.calib_scores_.copy()
    assert model.reset().n_seen_ == 0 and model.k_star_ == 0
    assert np.array_equal(model.selector_.calib_scores_, calib)
    assert np.array_equal(model.partial_select(X_stream), first)
    model.fit(X_calib, y_calib)
    assert model.n_seen_ == 0


def test_p_values_do_not_change_the_stream():
    X_calib, y_calib, X_stream, _ = stream_data(4, n_calib=200, n_stream=20)
    model = online(horizon=20).fit(X_calib, y_calib)
    model.partial_select(X_stream[:5])
    before = state(model)
    assert np.array_equal(model.p_values(X_stream), model.selector_.p_values(X_stream))
    assert_same_state(before, state(model))


def test_pandas_stream():
    pd = pytest.importorskip("pandas")
    X_calib, y_calib, X_stream, _ = stream_data(5, n_calib=200, n_stream=30)
    columns = ["a", "b"]

    def make():
        selector = ConformalSelector(LinearRegression(), random_state=0)
        return OnlineConformalSelector(selector, horizon=30)

    model = make().fit(pd.DataFrame(X_calib, columns=columns), y_calib)
    frame = pd.DataFrame(X_stream, columns=columns, index=np.arange(100, 130))
    mask = model.partial_select(frame)
    reference = make().fit(X_calib, y_calib).partial_select(X_stream)
    assert np.array_equal(mask, reference)
    assert model.p_values(frame).index.equals(frame.index)
    assert list(model.feature_names_in_) == columns


def test_classifier_and_composite_target():
    X_calib, y_calib, X_stream, _ = stream_data(6, n_calib=400, n_stream=100)
    selector = ConformalSelector(
        LogisticRegression(), target=("interval", 0.0, 2.0), random_state=0
    )
    model = OnlineConformalSelector(selector, horizon=100, fdr=0.3).fit(X_calib, y_calib)
    mask = model.partial_select(X_stream)
    offline = selector.set_params(fdr=0.3).fit(X_calib, y_calib).select(X_stream)
    assert np.array_equal(mask, offline)


# ---------------------------------------------------------------------------------------------
# Warnings and errors


def test_floor_warning_when_late_units_cannot_be_selected():
    X_calib, y_calib, X_stream, _ = stream_data(7, n_calib=300, n_stream=400)
    model = online(gamma=lambda i: 0.4 * i**-1.6, procedure="lond").fit(X_calib, y_calib)
    model.partial_select(X_stream[:5])  # early units can still be selected
    with pytest.warns(UserWarning, match=r"cannot be selected: fdr \* gamma_i"):
        model.partial_select(X_stream[5:400])
    # A horizon too long for the calibration set: no unit can ever be selected.
    model = online(horizon=10_000, fdr=0.01).fit(X_calib[:50], y_calib[:50])
    with pytest.warns(UserWarning, match="1 / \\(n \\+ 1\\)"):
        model.partial_select(X_stream[:3])


def test_beyond_the_horizon():
    X_calib, y_calib, X_stream, _ = stream_data(8, n_calib=100, n_stream=20)
    model = online(horizon=10).fit(X_calib, y_calib)
    model.partial_select(X_stream[:8])
    with pytest.raises(ValueError, match="reached its horizon of 10 units"):
        model.partial_select(X_stream[8:12])
    assert model.n_seen_ == 8  # the refused batch changed nothing


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(), ValueError, "gamma='uniform' .* give horizon"),
        (dict(gamma=[0.6, 0.6]), ValueError, "sum to at most 1"),
        (dict(gamma=[0.5, -0.1]), ValueError, "non-negative"),
        (dict(gamma=[[0.1]]), ValueError, "1-d array"),
        (dict(gamma=[0.1, 0.1], horizon=5), ValueError, "one weight per unit"),
        (dict(gamma="geometric"), InvalidParameterError, "gamma"),
        (dict(procedure="lord", horizon=5), InvalidParameterError, "procedure"),
        (dict(fdr=0.0, horizon=5), InvalidParameterError, "fdr"),
    ],
)
def test_bad_parameters(kwargs, error, message):
    X_calib, y_calib, _, _ = stream_data(9, n_calib=50, n_stream=1)
    with pytest.raises(error, match=message):
        online(**kwargs).fit(X_calib, y_calib)


def test_callable_gamma_over_budget():
    X_calib, y_calib, X_stream, _ = stream_data(10, n_calib=50, n_stream=5)
    model = online(gamma=lambda i: 0.4).fit(X_calib, y_calib)
    model.partial_select(X_stream[:2])
    with pytest.raises(ValueError, match="sum to more than 1"):
        model.partial_select(X_stream[2:3])


def test_bad_selector():
    X_calib, y_calib, _, _ = stream_data(11, n_calib=50, n_stream=1)
    with pytest.raises(TypeError, match="selector must be a ConformalSelector"):
        OnlineConformalSelector(OptCSSelector([LinearRegression()]), horizon=5).fit(
            X_calib, y_calib
        )
    weighted = ConformalSelector(
        LinearRegression(), method="wcs", weight_function=lambda X: np.ones(len(X))
    )
    with pytest.raises(ValueError, match="method='cfbh' and no weight_function"):
        OnlineConformalSelector(weighted, horizon=5).fit(X_calib, y_calib)


def test_not_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        online(horizon=5).partial_select(np.zeros((1, 2)))


# ---------------------------------------------------------------------------------------------
# FDR at every time (slow)


def _stream_fdr(procedure, reps=1000, fdr=0.1, checkpoints=(50, 100, 200, 400), **kwargs):
    fdps = {t: [] for t in checkpoints}
    powers = {t: [] for t in checkpoints}
    for seed in range(reps):
        X_calib, y_calib, X_stream, y_stream = stream_data(10_000 + seed)
        model = online(fdr=fdr, procedure=procedure, **kwargs).fit(X_calib, y_calib)
        start = 0
        for t in checkpoints:
            mask = model.partial_select(X_stream[start:t])
            start = t
            truth = y_stream[:t] > 0
            fdps[t].append((mask & ~truth).sum() / max(1, mask.sum()))
            powers[t].append((mask & truth).sum() / max(1, truth.sum()))
    return {
        t: (np.mean(fdps[t]), np.std(fdps[t]) / np.sqrt(reps), np.mean(powers[t]))
        for t in checkpoints
    }


@pytest.mark.slow
def test_online_bh_fdr_at_every_time():
    # n = 300, H = 400, y = x + 0.5 N(0, 1), target y > 0, q = 0.1: FDR(t) <= q t / H
    # (the budget spent so far) + 3 s.e.
    for t, (fdr, se, power) in _stream_fdr("online_bh", horizon=400).items():
        print(f"t={t}: FDR {fdr:.4f} (se {se:.4f}), power {power:.3f}")
        assert fdr <= 0.1 * t / 400 + 3 * se


@pytest.mark.slow
def test_lond_fdr_at_every_time():
    # LOND with gamma_t = 1 / (t (t + 1)), which spends the budget early (with
    # gamma = 1 / H, fdr gamma (|R| + 1) stays below the smallest p-value 1 / (n + 1) and
    # nothing is ever selected). Seen: FDR 0.05, power 0.01.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        results = _stream_fdr("lond", gamma=lambda i: 1 / (i * (i + 1)), reps=600)
    for t, (fdr, se, power) in results.items():
        print(f"t={t}: FDR {fdr:.4f} (se {se:.4f}), power {power:.3f}")
        assert fdr <= 0.1 + 3 * se
    assert results[400][0] > 0 and results[400][2] > 0
