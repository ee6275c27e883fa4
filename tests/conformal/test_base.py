"""What both selectors share: select leaves the fitted selector unchanged, results do not
depend on the thread count, one module per concern."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import ast
import pickle
from pathlib import Path

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.linear_model import LinearRegression, Ridge
from threadpoolctl import threadpool_limits

import skselect.conformal
from skselect.conformal import ConformalSelector, OptCSSelector


def _data(seed, n, shift=0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    X[:, 0] += shift
    return X, X @ [1.0, -0.5, 0.25] + rng.normal(size=n)


def _shift_weights(X):
    return np.exp(X[:, 0] - 0.5)


SELECTORS = [
    ConformalSelector(LinearRegression(), fdr=0.3, random_state=0),
    ConformalSelector(
        Ridge(),
        method="wcs",
        pruning="heterogeneous",
        randomized=True,
        weight_function=_shift_weights,
        fdr=0.3,
        random_state=0,
    ),
    OptCSSelector([LinearRegression(), Ridge(alpha=30.0)], fdr=0.3, random_state=0),
    OptCSSelector([Ridge()], mode="full", fdr=0.3, random_state=0),
]


@pytest.mark.parametrize("selector", SELECTORS, ids=lambda s: type(s).__name__)
def test_select_leaves_the_fitted_selector_unchanged(selector):
    X, y = _data(0, 60)
    X_test, _ = _data(1, 20, shift=0.5)
    selector.fit(X, y)

    def state():
        # OptCS's full modes memoise the last batch's leave-one-out rankings (its one
        # documented select-time entry); everything else must stay as fit left it.
        return pickle.dumps(
            {k: v for k, v in selector.__dict__.items() if k != "_leave_one_out_cache"}
        )

    before = state()
    selected = selector.select(X_test)
    selector.p_values(X_test)
    assert state() == before
    assert not any(hasattr(selector, name) for name in ("p_values_", "aux_sizes_", "e_values_"))
    # Two calls with an int random_state give the same selection.
    assert np.array_equal(selector.select(X_test), selected)


def test_conformity_score_is_the_parameter_name():
    assert "conformity_score" in ConformalSelector(Ridge()).get_params()
    assert "score" not in ConformalSelector(Ridge()).get_params()


def test_weighted_selection_does_not_depend_on_the_thread_count():
    # m = 800 distinct test weights: m^2 / 2 steps, enough for the kernel to use threads.
    X, y = _data(2, 1600)
    X_test, _ = _data(3, 800, shift=0.5)
    selector = ConformalSelector(
        Ridge(),
        method="wcs",
        weight_function=_shift_weights,
        pruning="heterogeneous",
        fdr=0.3,
        random_state=0,
    ).fit(X, y)
    many = selector._selection_result(X_test)[1]
    with threadpool_limits(1, user_api="openmp"):
        one = selector._selection_result(X_test)[1]
    assert np.array_equal(many.aux_size, one.aux_size)
    assert np.array_equal(many.selected, one.selected)


def test_optcs_results_do_not_depend_on_n_jobs():
    X, y = _data(4, 40)
    kwargs = {"mode": "full-ms", "fdr": 0.3, "random_state": 1}
    models = [Ridge(), Ridge(alpha=10.0)]
    one = OptCSSelector(models, n_jobs=1, **kwargs).fit(X[:28], y[:28])
    with parallel_config(backend="threading"):
        two = OptCSSelector(models, n_jobs=2, **kwargs).fit(X[:28], y[:28])
        many = OptCSSelector(models, n_jobs=1000, **kwargs).fit(X[:28], y[:28])
        assert np.array_equal(one.p_values(X[28:]), two.p_values(X[28:]))
        assert np.array_equal(one.p_values(X[28:]), many.p_values(X[28:]))


def test_selectors_do_not_import_each_others_private_helpers():
    package = Path(skselect.conformal.__file__).parent
    for module, other in (("_optcs.py", "_selector"), ("_selector.py", "_optcs")):
        tree = ast.parse((package / module).read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert f"skselect.conformal.{other}" not in imported, module
