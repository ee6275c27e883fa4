"""self_consistent_subset and ConformalSelector.select_diverse: the size objective is e-BH /
cfBH exactly, every returned set is self-consistent, the groups objective against brute
force, similarity objectives, the stopping time below the smallest certified size, and the
FDR of label-peeking adversaries."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import itertools

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils._param_validation import InvalidParameterError

from skselect.conformal import (
    ConformalSelector,
    benjamini_hochberg,
    conformal_pvalues,
    ebh,
    self_consistent_subset,
)
from skselect.conformal._selector import _screening_stop


def assert_self_consistent(e_values, selected, fdr):
    size = selected.sum()
    if size:
        assert (e_values[selected] >= len(e_values) / (fdr * size)).all()


def screening_e_values(calib_scores, test_scores, fdr, budget=None):
    """Conformal e-values at the first point, coming down from the least promising score
    (calibration or test), where (1 + N) / (n + 1) <= fdr min(budget, R) / m; written from
    the definition, one candidate cut-off at a time."""
    n, m = len(calib_scores), len(test_scores)
    cuts = np.concatenate([test_scores, calib_scores[np.isfinite(calib_scores)]])
    for cut in sorted(set(cuts), reverse=True):
        remaining = int(np.sum(test_scores <= cut))
        nulls = int(np.sum(calib_scores <= cut))
        allowed = remaining if budget is None else min(remaining, budget)
        if remaining and (nulls + 1) / (n + 1) <= fdr * allowed / m:
            kept = test_scores <= cut
            return np.where(kept, (n + 1) / (1 + nulls), 0.0), kept
    return np.zeros(m), np.zeros(m, dtype=bool)


# ---------------------------------------------------------------------------------------------
# The function


def test_size_objective_is_ebh():
    rng = np.random.default_rng(0)
    for _ in range(300):
        m = rng.integers(1, 40)
        e_values = rng.choice([0.0, 1.0, 5.0, 20.0, 80.0, np.inf], size=m) * rng.random(m) ** 2
        e_values[rng.random(m) < 0.2] = 40.0  # ties
        fdr = rng.choice([0.05, 0.1, 0.3, 1.0])
        selected = self_consistent_subset(e_values, fdr)
        assert np.array_equal(selected, ebh(e_values, fdr))


@pytest.mark.parametrize("objective", ["size", "groups", "similarity", "callable"])
def test_every_returned_set_is_self_consistent_and_fits_the_budget(objective):
    rng = np.random.default_rng(1)
    for _ in range(100):
        m = int(rng.integers(2, 30))
        e_values = rng.exponential(size=m) * rng.choice([1.0, 30.0], size=m)
        fdr = float(rng.choice([0.1, 0.3]))
        budget = None if rng.random() < 0.3 else int(rng.integers(0, m + 1))
        kwargs = {}
        if objective == "groups":
            kwargs["groups"] = rng.integers(0, 3, size=m)
        if objective == "similarity":
            points = rng.normal(size=(m, 2))
            kwargs["similarity"] = np.exp(-((points[:, None] - points[None]) ** 2).sum(-1))
        chosen_objective = (
            (lambda idx: -float(np.sum(idx))) if objective == "callable" else objective
        )
        selected = self_consistent_subset(e_values, fdr, chosen_objective, budget, **kwargs)
        assert selected.dtype == bool and selected.shape == (m,)
        assert_self_consistent(e_values, selected, fdr)
        if budget is not None:
            assert selected.sum() <= budget
        # The size is the largest certified size within the budget.
        full = ebh(e_values, fdr).sum()
        if budget is None or budget >= full:
            assert selected.sum() == full


def test_groups_objective_against_brute_force():
    # Conformal e-values (equal on C): every size from r to |C| qualifies; the round robin
    # reaches the best smallest group count (and the best sorted count vector) among all
    # qualifying subsets within the budget.
    rng = np.random.default_rng(2)
    checked = 0
    while checked < 40:
        m = int(rng.integers(20, 60))
        n_calib = int(rng.integers(100, 400))
        n_candidates = int(rng.integers(2, 15))
        e = (n_calib + 1) / rng.integers(1, 3)
        e_values = np.zeros(m)
        e_values[rng.choice(m, n_candidates, replace=False)] = e
        fdr = 0.3
        r = int(np.ceil(m / (fdr * e) - 1e-12))
        if r > n_candidates:
            continue
        groups = rng.integers(0, 3, size=m)
        budget = int(rng.integers(r, n_candidates + 1))
        selected = self_consistent_subset(e_values, fdr, "groups", budget, groups=groups)
        candidates = np.flatnonzero(e_values > 0)

        def profile(subset, groups=groups):
            return sorted(np.sum(groups[list(subset)] == g) for g in range(3))

        best = max(
            profile(subset)
            for size in range(r, budget + 1)
            for subset in itertools.combinations(candidates, size)
        )
        assert selected.sum() == budget
        assert profile(np.flatnonzero(selected)) == best
        checked += 1


def test_similarity_objective_spreads_over_clusters():
    # Two tight clusters of candidates: the greedy choice takes from both.
    m = 40
    e_values = np.zeros(m)
    e_values[:20] = 100.0
    points = np.zeros((m, 2))
    points[10:20] = 10.0
    similarity = np.exp(-((points[:, None] - points[None]) ** 2).sum(-1))
    selected = self_consistent_subset(e_values, 0.2, "similarity", 4, similarity=similarity)
    assert selected[:10].sum() == 2 and selected[10:20].sum() == 2
    size_only = self_consistent_subset(e_values, 0.2, "size", 4)
    assert size_only[:4].all()  # ties by position


def test_wcs_e_values_from_the_report():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(600, 3))
    y = X[:, 0] + 0.5 * rng.normal(size=600)
    selector = ConformalSelector(
        LinearRegression(),
        threshold=0.5,
        fdr=0.2,
        method="wcs",
        pruning="deterministic",
        weight_function=lambda X: np.exp(0.2 * X[:, 1]),
        random_state=0,
    ).fit(X[:400], y[:400])
    report = selector.selection_report(X[400:])
    e_values = report["e_value"].to_numpy()
    groups = (X[400:, 2] > 0).astype(int)
    # Deterministic pruning is e-BH on these e-values.
    assert np.array_equal(self_consistent_subset(e_values, 0.2), report["selected"])
    budget = max(1, int(report["selected"].sum()) // 2)
    selected = self_consistent_subset(e_values, 0.2, "groups", budget, groups=groups)
    assert_self_consistent(e_values, selected, 0.2)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(objective="groups"), "needs groups"),
        (dict(objective="groups", groups=[0, 1]), "one label per unit"),
        (dict(objective="groups", groups=[0.0, np.nan, 1.0]), "NaN"),
        (dict(objective="similarity"), "needs similarity"),
        (dict(objective="similarity", similarity=np.eye(2)), r"finite \(3, 3\) matrix"),
        (dict(priority=[1.0, 2.0]), "one value per unit"),
    ],
)
def test_function_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        self_consistent_subset([10.0, 10.0, 0.0], 0.5, **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [dict(fdr=0.0), dict(fdr=0.1, budget=-1), dict(fdr=0.1, objective="diverse")],
)
def test_function_parameter_errors(kwargs):
    with pytest.raises(InvalidParameterError):
        self_consistent_subset([10.0, 10.0, 0.0], **kwargs)


def test_function_bad_e_values():
    with pytest.raises(ValueError, match="e_values must be non-negative"):
        self_consistent_subset([1.0, -1.0], 0.1)
    with pytest.raises(ValueError, match="NaN"):
        self_consistent_subset([1.0, np.nan], 0.1)


def test_callable_objective_nan():
    with pytest.raises(ValueError, match="objective returned NaN"):
        self_consistent_subset([50.0] * 4, 0.5, lambda idx: np.nan, budget=2)


# ---------------------------------------------------------------------------------------------
# The selector


def data(seed, n=900):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] + 0.5 * rng.normal(size=n)


@pytest.mark.parametrize(
    "estimator", [LinearRegression(), DecisionTreeRegressor(max_depth=3, random_state=0)]
)
def test_size_objective_and_large_budgets_are_select(estimator):
    # A shallow tree gives many tied scores and p-values.
    for seed in range(15):
        X, y = data(seed)
        selector = ConformalSelector(estimator, threshold=0.8, fdr=0.2, random_state=seed)
        selector.fit(X[:600], y[:600])
        expected = selector.select(X[600:])
        assert np.array_equal(selector.select_diverse(X[600:]), expected)
        groups = np.arange(300) % 4
        for objective in ("size", "groups"):
            got = selector.select_diverse(
                X[600:], budget=int(expected.sum()) + 5, objective=objective, groups=groups
            )
            assert np.array_equal(got, expected)


def test_budget_keeps_the_best_ranked_and_is_self_consistent():
    X, y = data(20)
    selector = ConformalSelector(LinearRegression(), threshold=0.8, fdr=0.2, random_state=0)
    selector.fit(X[:600], y[:600])
    full = selector.select(X[600:])
    p_values = selector.p_values(X[600:])
    ranking = selector.estimator_.predict(X[600:])
    for budget in (5, 10, 20):
        chosen = selector.select_diverse(X[600:], budget=budget)
        assert chosen.sum() == budget and (chosen <= full).all()
        assert ranking[chosen].min() >= ranking[full & ~chosen].max()
        # Certified: the e-value 1 / p_(tau) of the stopping point is at least
        # m / (fdr |R|), and p_(tau) is at least the largest chosen p-value.
        assert p_values[chosen].max() <= 0.2 * budget / 300


def test_similarity_forms_and_callable_objective():
    pd = pytest.importorskip("pandas")
    X, y = data(21)
    selector = ConformalSelector(LinearRegression(), threshold=0.8, fdr=0.2, random_state=0)
    selector.fit(X[:600], y[:600])
    X_test = X[600:]
    full = selector.select(X_test)
    budget = int(full.sum()) // 2

    def bits(X):
        cuts = [X[:, 0] > t for t in (0.0, 0.5, 1.0, 1.5)]
        return np.column_stack(cuts + [X[:, 1] > 0, X[:, 2] > 0]).astype(float)

    fingerprints = bits(X_test)
    for similarity, features in [
        ("rbf", X_test),
        (lambda rows: np.exp(-np.abs(rows[:, :1] - rows[:, :1].T)), X_test),
        (np.exp(-((X_test[:, None] - X_test[None]) ** 2).sum(-1)), X_test),
    ]:
        chosen = selector.select_diverse(
            features, budget=budget, objective="similarity", similarity=similarity
        )
        assert chosen.sum() == budget and (chosen <= full).all()
    # Tanimoto on binary fingerprints (the ranking model sees them as features too).
    fp_selector = ConformalSelector(LinearRegression(), threshold=0.8, random_state=0)
    fp_selector.fit(bits(X[:600]), y[:600])
    fp_full = fp_selector.select(fingerprints)
    chosen = fp_selector.select_diverse(
        fingerprints, budget=12, objective="similarity", similarity="tanimoto"
    )
    assert fp_full.sum() > 12 and chosen.sum() == 12 and (chosen <= fp_full).all()
    # A callable objective sees positions and X; a DataFrame gives a Series.
    seen = []

    def spread(indices, X):
        seen.append(type(X))
        return float(np.ptp(np.asarray(X)[indices, 1])) if len(indices) > 1 else 0.0

    frame = pd.DataFrame(X_test, index=np.arange(5000, 5300))
    selector.fit(pd.DataFrame(X[:600]), y[:600])
    chosen = selector.select_diverse(frame, budget=budget, objective=spread)
    assert chosen.index.equals(frame.index) and chosen.sum() == budget
    assert seen and seen[0] is pd.DataFrame


def test_budget_below_the_floor_warns_and_selects_nothing():
    X, y = data(22)
    selector = ConformalSelector(LinearRegression(), threshold=0.8, fdr=0.1, random_state=0)
    selector.fit(X[:400], y[:400])  # n = 200, m = 500: floor 500 / (0.1 * 201) = 24.9
    with pytest.warns(UserWarning, match=r"budget=10 is below m / \(fdr \(n \+ 1\)\) = 24\.9"):
        assert not selector.select_diverse(X[400:], budget=10).any()
    assert not selector.select_diverse(X[400:], budget=0).any()


def test_stopping_time_below_the_smallest_certified_size():
    # A budget below r: the set comes from the first point down the ranking where r fits;
    # self-consistent for the e-values at that point.
    found = 0
    for seed in range(40):
        X, y = data(seed, n=700)
        selector = ConformalSelector(LinearRegression(), threshold=0.8, fdr=0.2, random_state=0)
        selector.fit(X[:600], y[:600])  # n = 300, m = 100: floor 1.66
        calib_scores = selector.calib_scores_
        test_scores = -selector.estimator_.predict(X[600:])
        e_values, full = screening_e_values(calib_scores, test_scores, 0.2)
        if not full.any():
            continue
        r = int(np.ceil(100 / (0.2 * e_values.max()) - 1e-12))
        if r <= 2:
            continue
        chosen = selector.select_diverse(X[600:], budget=2)
        e_stop, kept = screening_e_values(calib_scores, test_scores, 0.2, budget=2)
        assert chosen.sum() == min(2, kept.sum())
        if chosen.any():
            found += 1
            assert (chosen <= kept).all()
            assert_self_consistent(e_stop, chosen, 0.2)
    assert found > 0


def test_selector_errors():
    X, y = data(23, n=300)
    for kwargs in (
        dict(randomized=True),
        dict(method="wcs", weight_function=lambda X: np.ones(len(X))),
    ):
        selector = ConformalSelector(LinearRegression(), **kwargs).fit(X, y)
        with pytest.raises(ValueError, match="select_diverse needs the deterministic"):
            selector.select_diverse(X)
    selector = ConformalSelector(LinearRegression(), random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="needs groups"):
        selector.select_diverse(X, objective="groups")
    with pytest.raises(InvalidParameterError, match="budget"):
        selector.select_diverse(X, budget=-2)
    with pytest.raises(ValueError, match="non-negative features"):
        selector.select_diverse(X, budget=30, objective="similarity", similarity="tanimoto")


# ---------------------------------------------------------------------------------------------
# FDR of label-peeking adversaries (slow)


def fact_one_batch(rng, n=500, m=200):
    X_calib, X_test = rng.normal(size=n), rng.normal(size=m)
    y_calib, y_test = X_calib + rng.normal(size=n), X_test + rng.normal(size=m)
    return np.where(y_calib > 1.0, np.inf, -X_calib), -X_test, y_test <= 1.0


@pytest.mark.slow
def test_adversarial_subset_keeps_the_fdr():
    # The adversary knows the labels and keeps the r-subset of C with the most nulls (r the
    # smallest certified size). n = 500, m = 200, y = x + N(0, 1), threshold 1, q = 0.1;
    # FDR <= q + 3 s.e.
    rng = np.random.default_rng(30)
    fdps, reps = [], 2000
    for _ in range(reps):
        calib_scores, test_scores, null = fact_one_batch(rng)
        stop, kept_units = _screening_stop(calib_scores, test_scores, 0.1, None)
        if stop == 0:
            fdps.append(0.0)
            continue
        e_values, kept = screening_e_values(calib_scores, test_scores, 0.1)
        assert np.array_equal(np.flatnonzero(kept), np.sort(kept_units))
        assert np.array_equal(
            kept, benjamini_hochberg(conformal_pvalues(calib_scores, test_scores), 0.1)
        )
        r = int(np.ceil(200 / (0.1 * e_values.max()) - 1e-12))
        chosen = self_consistent_subset(
            e_values, 0.1, lambda idx, null=null: float(null[idx].sum()), budget=r
        )
        assert chosen.sum() == r
        fdps.append(null[chosen].sum() / r)
    fdr, se = np.mean(fdps), np.std(fdps) / np.sqrt(reps)
    print(f"adversarial FDR {fdr:.4f} (se {se:.4f})")
    assert fdr <= 0.1 + 3 * se


@pytest.mark.slow
def test_stopping_time_adversary_keeps_the_fdr():
    # Budget K = 5, below r in most batches; the adversary maximises the nulls among the
    # min(K, |C_tau|) units kept.
    rng = np.random.default_rng(31)
    model = LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0])  # mu(x) = x
    fdps, reps = [], 1500
    for _ in range(reps):
        X = rng.normal(size=(700, 1))
        y = X[:, 0] + rng.normal(size=700)
        selector = ConformalSelector(model, threshold=1.0, fdr=0.1, prefit=True)
        selector.fit(X[:500], y[:500])
        null = y[500:] <= 1.0
        chosen = selector.select_diverse(
            X[500:], budget=5, objective=lambda idx, X, null=null: float(null[idx].sum())
        )
        fdps.append(null[chosen].sum() / max(1, chosen.sum()))
    fdr, se = np.mean(fdps), np.std(fdps) / np.sqrt(reps)
    print(f"stopping-time adversarial FDR {fdr:.4f} (se {se:.4f})")
    assert fdr <= 0.1 + 3 * se


@pytest.mark.slow
def test_e_values_are_those_of_the_first_stopping_point():
    # Small n and m, where it matters: the e-values of the last calibration removal before
    # the next test unit (as if one knew it was a test unit) are not valid. n = 20, m = 5,
    # q = 0.5, 30% non-nulls; an adversary keeping the r-subset of C with the most nulls.
    # Seen: FDR 0.475 with the first stopping point, 0.578 > q with the later one.
    rng = np.random.default_rng(32)
    n, m, fdr, reps = 20, 5, 0.5, 20_000
    fdps = []
    for _ in range(reps):
        calib_scores = rng.random(n)
        calib_scores[rng.random(n) < 0.3] = np.inf
        nonnull = rng.random(m) < 0.3
        test_scores = rng.random(m)
        test_scores[nonnull] *= 0.2
        e_values, kept = screening_e_values(calib_scores, test_scores, fdr)
        stop, kept_units = _screening_stop(calib_scores, test_scores, fdr, None)
        assert np.array_equal(np.flatnonzero(kept), np.sort(kept_units))
        if stop == 0:
            fdps.append(0.0)
            continue
        r = int(np.ceil(m / (fdr * e_values.max()) - 1e-12))
        chosen = self_consistent_subset(
            e_values, fdr, lambda idx, null=~nonnull: float(null[idx].sum()), budget=r
        )
        assert chosen.sum() == r
        fdps.append((chosen & ~nonnull).sum() / r)
    fdr_seen, se = np.mean(fdps), np.std(fdps) / np.sqrt(reps)
    print(f"small-sample adversarial FDR {fdr_seen:.4f} (se {se:.4f})")
    assert fdr_seen <= fdr + 3 * se
