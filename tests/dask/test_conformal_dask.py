"""Conformal selection of Dask test points: the in-memory selection whatever the chunking,
and OptCS refits spread over a Dask cluster through joblib."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, Ridge

from skselect.conformal import ConformalSelector, OptCSSelector, conformal_pvalues

da = pytest.importorskip("dask.array", reason="needs the optional dask extra (skselect[dask])")


def _data(n_train=400, n_test=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_train, 4))
    y = X @ [2.0, -1.0, 0.5, 0.0] + rng.normal(size=n_train)
    return X, y, rng.normal(size=(n_test, 4))


@pytest.mark.parametrize("chunks", [3000, 701, 250])
@pytest.mark.parametrize("randomized", [False, True])
def test_conformal_selection_is_the_in_memory_one(dask_client, chunks, randomized):
    X, y, X_test = _data()
    selector = ConformalSelector(
        LinearRegression(), threshold=1.0, fdr=0.2, randomized=randomized, random_state=0
    ).fit(X, y)
    expected = selector.select(X_test)
    expected_p = selector.p_values_
    # an independent check of the step-up rule on the in-memory p-values
    m = len(expected_p)
    order = np.sort(expected_p)
    k = max([i for i in range(1, m + 1) if order[i - 1] <= 0.2 * i / m], default=0)
    assert expected.sum() == k > 0

    selected = selector.select(da.from_array(X_test, chunks=(chunks, 4)))
    assert (
        isinstance(selected, da.Array)
        and selected.chunks[0] == (da.from_array(X_test, chunks=(chunks, 4)).chunks[0])
    )
    assert np.array_equal(selected.compute(), expected)
    assert np.array_equal(selector.p_values_.compute(), expected_p)
    p_values = selector.p_values(da.from_array(X_test, chunks=(chunks, 4)))
    assert np.array_equal(p_values.compute(), expected_p)


def test_nothing_selected_and_weighted_method_refused():
    X, y, X_test = _data(n_test=200)
    selector = ConformalSelector(LinearRegression(), threshold=50.0, random_state=0).fit(X, y)
    assert not selector.select(X_test).any()
    assert not selector.select(da.from_array(X_test, chunks=50)).compute().any()
    wcs = ConformalSelector(LinearRegression(), method="wcs", random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="method='wcs'.*does not accept Dask"):
        wcs.select(da.from_array(X_test, chunks=50))
    with pytest.raises(ValueError, match="X has 3 features"):
        selector.select(da.from_array(X_test[:, :3], chunks=50))


@pytest.mark.parametrize("chunks", [1000, 123])
def test_conformal_pvalues_on_dask_scores(chunks):
    rng = np.random.default_rng(1)
    calib, test = rng.normal(size=150), rng.normal(size=1000)
    for kwargs in (
        {},
        {"randomized": True, "random_state": 3},
        {"calib_weights": rng.random(150), "test_weights": rng.random(1000)},
    ):
        expected = conformal_pvalues(calib, test, **kwargs)
        got = conformal_pvalues(calib, da.from_array(test, chunks=chunks), **kwargs)
        assert isinstance(got, da.Array)
        assert np.array_equal(got.compute(), expected)


@pytest.mark.parametrize("chunks", [3000, 333])
def test_optcs_selection_is_the_in_memory_one(dask_client, chunks):
    X, y, X_test = _data()
    kwargs = {"threshold": 1.0, "fdr": 0.2, "random_state": 0}
    selector = OptCSSelector([LinearRegression(), Ridge(alpha=100.0)], **kwargs).fit(X, y)
    expected = selector.select(X_test)
    expected_p, expected_model = selector.p_values_, selector.selected_model_
    assert expected.any()
    selected = selector.select(da.from_array(X_test, chunks=chunks))
    assert isinstance(selected, da.Array)
    assert np.array_equal(selected.compute(), expected)
    assert np.array_equal(selector.p_values_, expected_p)
    assert np.array_equal(selector.selected_model_, expected_model)


def test_optcs_refits_run_on_the_dask_joblib_backend(dask_client):
    joblib = pytest.importorskip("joblib", reason="joblib ships with scikit-learn")
    distributed = pytest.importorskip("distributed", reason="needs distributed (skselect[dask])")
    X, y, X_test = _data(n_train=30, n_test=12, seed=3)
    kwargs = {"mode": "full-ms", "threshold": 0.5, "fdr": 0.3, "random_state": 0}
    estimators = [Ridge(alpha=1.0), Ridge(alpha=30.0)]
    expected = OptCSSelector(estimators, n_jobs=1, **kwargs).fit(X, y).select(X_test)
    with distributed.get_task_stream(client=dask_client) as stream:
        with joblib.parallel_config(backend="dask"):
            got = OptCSSelector(estimators, n_jobs=-1, **kwargs).fit(X, y).select(X_test)
    assert np.array_equal(got, expected)
    # the leave-one-out refits ran as tasks on the cluster's workers
    keys = [str(record["key"]) for record in stream.data]
    assert any("leave_one_out" in key for key in keys), keys[:5]
