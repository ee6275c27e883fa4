"""Many features and sparse input: the coordinate-descent solver in the linear predictors.

Oracles: the dense Newton solver on the same problem (an independent solver of the same
objective), the optimality (KKT) conditions computed here from a numpy log-likelihood (with
the non-crossing multipliers where constraints are active), and equality to rounding between
dense and sparse storage of the same wide matrix.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit

from skselect.ordinal import PRESTOClassifier, PRESTOClassifierCV, ProportionalOddsClassifier
from skselect.ordinal._newton_solver import _Problem
from skselect.ordinal._wide_solver import DENSE_MAX_PARAMS, _WideProblem


def _sparse_ordinal(n=400, p=30, density=0.3, seed=0):
    rng = np.random.default_rng(seed)
    dense = rng.normal(size=(n, p)) * (rng.uniform(size=(n, p)) < density)
    X = sp.csr_matrix(dense)
    beta = np.zeros(p)
    beta[:4] = [1.5, -1.0, 0.8, 0.5]
    y = np.digitize(X @ beta + rng.logistic(size=n), [-1.0, 0.2, 1.5])
    return X, y


def _nll(intercept, coef, X, y):
    cumulative = expit(intercept - np.asarray(X @ coef.T))
    padded = np.hstack([np.zeros((len(y), 1)), cumulative, np.ones((len(y), 1))])
    proba = padded[np.arange(len(y)), y + 1] - padded[np.arange(len(y)), y]
    with np.errstate(divide="ignore"):
        return float(-np.mean(np.log(proba)))


@pytest.mark.parametrize("alpha", [0.05, 0.1])
@pytest.mark.parametrize("link", ["logit", "probit"])
def test_sparse_input_gives_the_dense_solvers_coefficients(alpha, link):
    X, y = _sparse_ordinal()
    # Dense X with few parameters goes to the Newton solver with its dense Hessian; sparse X
    # to coordinate descent in the linear predictors: two solvers, one objective.
    dense = PRESTOClassifier(alpha=alpha, first_penalty_factor=1.0, link=link, tol=1e-10)
    sparse = PRESTOClassifier(alpha=alpha, first_penalty_factor=1.0, link=link, tol=1e-10)
    dense.fit(X.toarray(), y)
    sparse.fit(X, y)
    eta = dense.intercept_ - X.toarray() @ dense.coef_.T
    assert np.diff(eta, axis=1).min() > 1e-3  # an interior optimum: KKT pins it down
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-8)
    np.testing.assert_allclose(sparse.intercept_, dense.intercept_, atol=1e-8)
    np.testing.assert_array_equal(sparse.coef_ == 0, dense.coef_ == 0)
    np.testing.assert_allclose(sparse.predict_proba(X), dense.predict_proba(X.toarray()))
    for fmt in ("csc", "coo"):
        np.testing.assert_allclose(sparse.predict_proba(X.asformat(fmt)), sparse.predict_proba(X))


def test_wide_dense_and_sparse_storage_give_the_same_fit():
    X, y = _sparse_ordinal(n=120, p=600, density=0.05, seed=1)
    assert 3 * 601 > DENSE_MAX_PARAMS  # both go to coordinate descent
    a = PRESTOClassifier(alpha=0.05, first_penalty_factor=1.0).fit(X.toarray(), y)
    b = PRESTOClassifier(alpha=0.05, first_penalty_factor=1.0).fit(X, y)
    # Same coordinate descent; dense storage computes the products with all of X by BLAS,
    # so the two agree to rounding, not bit for bit.
    np.testing.assert_array_equal(a.coef_ == 0, b.coef_ == 0)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=0, atol=1e-12)


def test_wide_binary_fit_meets_the_optimality_conditions():
    # Two classes: no boundary can cross, so the optimality (KKT) conditions of the L1
    # penalised likelihood pin the solution down; p = 1,000 features for n = 150 rows.
    X, y = _sparse_ordinal(n=150, p=1000, density=0.05, seed=2)
    X, y = X.toarray(), (y >= 2).astype(int)
    alpha = 0.02
    model = PRESTOClassifier(alpha=alpha, first_penalty_factor=1.0, tol=1e-10).fit(X, y)
    coef = model.coef_[0]
    assert 0 < np.count_nonzero(coef) < 0.2 * coef.size  # sparse, and not empty
    sd = X.std(axis=0)
    step = 1e-6
    worst = 0.0
    rng = np.random.default_rng(0)
    zero = np.flatnonzero(coef == 0)
    picks = np.concatenate([np.flatnonzero(coef), rng.choice(zero, size=100, replace=False)])
    for j in picks:
        bump = np.zeros_like(coef)
        bump[j] = step
        up = _nll(model.intercept_, (coef + bump)[None, :], X, y)
        down = _nll(model.intercept_, (coef - bump)[None, :], X, y)
        gradient = (up - down) / (2 * step) / sd[j]  # on the standardised scale
        if coef[j] != 0:
            worst = max(worst, abs(gradient + alpha * np.sign(coef[j])))
        else:
            worst = max(worst, abs(gradient) - alpha)
    up = _nll(model.intercept_ + step, coef[None, :], X, y)
    down = _nll(model.intercept_ - step, coef[None, :], X, y)
    worst = max(worst, abs(up - down) / (2 * step))
    assert worst < 1e-6


def test_wide_fit_equals_the_dense_solver_on_the_same_problem():
    # With more features than rows, separate boundaries meet the non-crossing constraint, and
    # the optimum is the constrained one that both solvers reach by the method of multipliers:
    # the dense Newton solver (Hessian in the 3 x 301 parameters) is the oracle here.
    X, y = _sparse_ordinal(n=150, p=300, density=0.05, seed=2)
    kwargs = dict(standardize=True, fit_intercept=True, l1_ratio=1.0, first_penalty_factor=1.0)
    weights = np.ones(len(y))
    dense = _Problem(X.toarray(), y, 4, weights, **kwargs)
    wide = _WideProblem(X, y, 4, weights, **kwargs)
    for alpha in (0.1, 0.06):
        u_dense, _, converged_dense = dense.solve(alpha, tol=1e-10)
        u_wide, _, converged_wide = wide.solve(alpha, tol=1e-10)
        assert converged_dense and converged_wide
        for a, b in zip(dense.unstandardize(u_dense), wide.unstandardize(u_wide)):
            np.testing.assert_allclose(a, b, atol=1e-6)


def test_sparse_fit_is_never_densified_and_cross_validates():
    X, y = _sparse_ordinal(n=240, p=30, density=0.2, seed=3)
    # The path stops at a fifth of alpha_max, which keeps the test short.
    search = PRESTOClassifierCV(alphas=4, alpha_min_ratio=0.1, cv=3, first_penalty_factor=1.0).fit(
        X, y
    )
    refit = PRESTOClassifier(alpha=search.alpha_, first_penalty_factor=1.0).fit(X, y)
    np.testing.assert_allclose(search.coef_, refit.coef_, atol=1e-7)
    problem = search._make_problem(X, np.unique(y, return_inverse=True)[1], 4, np.ones(len(y)))
    assert isinstance(problem, _WideProblem)
    assert sp.issparse(problem.X)
    po = ProportionalOddsClassifier(alpha=0.01).fit(X, y)
    np.testing.assert_allclose(po.predict_proba(X).sum(axis=1), 1.0)


def test_small_dense_problems_keep_the_newton_solver():
    X, y = _sparse_ordinal(n=200, p=10, seed=4)
    problem = PRESTOClassifier()._make_problem(X.toarray(), y, 4, np.ones(len(y)))
    assert type(problem) is _Problem


@pytest.mark.parametrize("make", [PRESTOClassifier, PRESTOClassifierCV])
def test_an_unpenalised_first_vector_with_more_features_than_rows_is_refused(make):
    X, y = _sparse_ordinal(n=40, p=60, density=0.5, seed=5)
    with pytest.raises(ValueError, match=r"first_penalty_factor=0 leaves .* 40 samples .* 60"):
        make().fit(X, y)
    with pytest.raises(ValueError, match=r"alpha=0 leaves the shared weights unpenalised"):
        ProportionalOddsClassifier().fit(X, y)


def test_sparse_sample_weight_equals_repetition():
    X, y = _sparse_ordinal(n=150, p=20, density=0.3, seed=6)
    weights = np.random.default_rng(1).integers(0, 3, size=len(y))
    weighted = PRESTOClassifier(alpha=0.05, first_penalty_factor=1.0, tol=1e-10)
    weighted.fit(X, y, sample_weight=weights)
    rows = np.repeat(np.arange(len(y)), weights)
    repeated = PRESTOClassifier(alpha=0.05, first_penalty_factor=1.0, tol=1e-10)
    repeated.fit(X[rows], y[rows])
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, atol=1e-7)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, atol=1e-7)


def _mean_nll_gradient_in_eta(eta, y):
    """d (mean negative log-likelihood) / d eta for the cumulative logit P(y <= k) =
    sigmoid(eta_k), written out here independently of the kernels."""
    n, n_boundaries = eta.shape
    cdf = np.hstack([np.zeros((n, 1)), expit(eta), np.ones((n, 1))])
    pdf = np.hstack([np.zeros((n, 1)), expit(eta) * expit(-eta), np.zeros((n, 1))])
    rows = np.arange(n)
    proba = cdf[rows, y + 1] - cdf[rows, y]
    gradient = np.zeros((n, n_boundaries + 2))
    gradient[rows, y + 1] -= pdf[rows, y + 1] / proba
    gradient[rows, y] += pdf[rows, y] / proba
    return gradient[:, 1:-1] / n


@pytest.mark.parametrize("ratio", [0.3, 0.15])
def test_constrained_wide_optimum_meets_the_kkt_conditions_with_its_multipliers(ratio):
    # p = 300 features for 150 rows: the separate boundaries meet the non-crossing constraint
    # of some training rows. The optimality conditions of the constrained problem are checked
    # from a numpy gradient: feasibility, multipliers >= 0 only on constraints that hold with
    # equality, and stationarity of likelihood - sum w_i lambda_ik gap_ik + L1 penalty, on the
    # standardised scale the penalty applies to.
    X, y = _sparse_ordinal(n=150, p=300, density=0.05, seed=2)
    problem = _WideProblem(
        X,
        y,
        4,
        np.ones(len(y)),
        standardize=True,
        fit_intercept=True,
        l1_ratio=1.0,
        first_penalty_factor=1.0,
    )
    alpha = ratio * problem.alpha_max()[0]
    u, _, converged = problem.solve(alpha, tol=1e-10)
    multipliers = problem.last_multipliers
    assert converged
    assert multipliers is not None and np.count_nonzero(multipliers) >= 5  # truly constrained
    n, p = X.shape
    dense = X.toarray()
    z = dense / dense.std(axis=0)
    intercepts, psi = u[:3], u[3:].reshape(3, p)
    eta = intercepts + z @ np.cumsum(psi, axis=0).T
    gaps = np.diff(eta, axis=1)
    assert gaps.min() >= -1e-12  # no training row crosses
    assert multipliers.min() >= 0
    assert np.all(gaps[multipliers[:, 1:] > 1e-8] < 1e-6)  # complementary slackness
    gradient = _mean_nll_gradient_in_eta(eta, y)
    pull = multipliers[:, 1:] / n
    gradient[:, 1:] -= pull
    gradient[:, :-1] += pull
    suffix = np.cumsum(gradient[:, ::-1], axis=1)[:, ::-1]
    psi_gradient = (z.T @ suffix).T
    assert np.abs(gradient.sum(axis=0)).max() < 1e-7  # the unpenalised intercepts
    nonzero = psi != 0
    assert nonzero.sum() > 10
    assert np.abs(psi_gradient[nonzero] + alpha * np.sign(psi[nonzero])).max() < 1e-7
    assert np.abs(psi_gradient[~nonzero]).max() <= alpha + 1e-7


def test_a_path_warm_started_with_multipliers_reaches_each_cold_optimum():
    # With more features than rows the weights need not be unique (rows of an end class leave
    # the other boundaries free within the constraints), so the objective is compared.
    X, y = _sparse_ordinal(n=150, p=300, density=0.05, seed=2)
    kwargs = dict(standardize=True, fit_intercept=True, l1_ratio=1.0, first_penalty_factor=1.0)
    path = _WideProblem(X, y, 4, np.ones(len(y)), **kwargs)
    alpha_max, u = path.alpha_max()
    multipliers, n_constrained = None, 0

    def objective(problem, u, alpha):
        return problem.loss(u) + problem._penalty(u, *problem.penalty_weights(alpha))

    for alpha in alpha_max * np.geomspace(0.5, 0.1, 5):
        u, _, converged = path.solve(alpha, u, tol=1e-10, multipliers=multipliers)
        multipliers = path.last_multipliers
        n_constrained += multipliers is not None
        cold = _WideProblem(X, y, 4, np.ones(len(y)), **kwargs)
        u_cold, _, converged_cold = cold.solve(alpha, tol=1e-10)
        assert converged and converged_cold
        assert path._violation(u) == 0.0 and cold._violation(u_cold) == 0.0
        assert objective(path, u, alpha) == pytest.approx(objective(cold, u_cold, alpha), abs=1e-9)
    assert n_constrained >= 4
