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
    expected_p = selector.p_values(X_test)
    # an independent check of the step-up rule on the in-memory p-values
    m = len(expected_p)
    order = np.sort(expected_p)
    k = max([i for i in range(1, m + 1) if order[i - 1] <= 0.2 * i / m], default=0)
    assert expected.sum() == k > 0

    X_dask = da.from_array(X_test, chunks=(chunks, 4))
    selected = selector.select(X_dask)
    assert isinstance(selected, da.Array) and selected.chunks[0] == X_dask.chunks[0]
    assert np.array_equal(selected.compute(), expected)
    p_values = selector.p_values(X_dask)
    assert isinstance(p_values, da.Array) and p_values.chunks[0] == X_dask.chunks[0]
    assert np.array_equal(p_values.compute(), expected_p)
    # select and p_values leave the selector as it was
    assert not [name for name in vars(selector) if name.startswith("p_value")]


def test_bh_count_from_counts_of_distinct_p_values():
    from skselect.conformal._pvalues import _bh_count, _bh_count_from_counts

    rng = np.random.default_rng(4)
    for fdr in (0.05, 0.2, 0.5):
        # many ties: deterministic p-values with 30 calibration units
        p_values = (rng.integers(0, 30, size=500) + 1) / 31
        p_values[:60] = 1 / 31
        values, counts = np.unique(p_values, return_counts=True)
        assert _bh_count_from_counts(values, counts, 500, fdr) == _bh_count(p_values, fdr)
    assert _bh_count_from_counts(np.array([0.9]), np.array([3]), 10, 0.1) == 0


def test_nothing_selected_and_errors():
    X, y, X_test = _data(n_test=200)
    with pytest.warns(UserWarning, match="No calibration label exceeds"):
        selector = ConformalSelector(LinearRegression(), threshold=50.0, random_state=0)
        selector.fit(X, y)
    assert not selector.select(X_test).any()
    assert not selector.select(da.from_array(X_test, chunks=50)).compute().any()
    with pytest.raises(ValueError, match="X has 3 features"):
        selector.select(da.from_array(X_test[:, :3], chunks=50))
    import dask

    with pytest.raises(TypeError, match="takes a Dask array of test points"):
        selector.select(dask.delayed(X_test))
    with pytest.raises(ValueError, match="selection_report does not accept a Dask array"):
        selector.selection_report(da.from_array(X_test, chunks=50))
    selector.set_params(threshold=0.0)
    with pytest.raises(ValueError, match="threshold changed since fit"):
        selector.p_values(da.from_array(X_test, chunks=50))


def test_weighted_selection_gathers_the_test_points():
    X, y, X_test = _data(n_test=300)
    X_test = X_test + [0.5, 0.0, 0.0, 0.0]
    kwargs = {"threshold": 1.0, "fdr": 0.2, "method": "wcs", "random_state": 0}
    for weight_function in (None, lambda Z: np.exp(0.5 * Z[:, 0])):
        selector = ConformalSelector(
            LinearRegression(), weight_function=weight_function, **kwargs
        ).fit(X, y)
        X_dask = da.from_array(X_test, chunks=70)
        selected = selector.select(X_dask)
        assert isinstance(selected, da.Array) and selected.chunks[0] == X_dask.chunks[0]
        expected = selector.select(X_test)
        assert expected.any()
        assert np.array_equal(selected.compute(), expected)
        p_values = selector.p_values(X_dask)
        assert np.array_equal(p_values.compute(), selector.p_values(X_test))
    import dask

    with dask.config.set({"skselect.max-gather-bytes": 1000}):
        with pytest.raises(ValueError, match="gathers the test points"):
            selector.select(da.from_array(X_test, chunks=70))


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
    expected_p = selector.p_values(X_test)
    assert expected.any()
    X_dask = da.from_array(X_test, chunks=chunks)
    selected = selector.select(X_dask)
    assert isinstance(selected, da.Array)
    assert np.array_equal(selected.compute(), expected)
    assert np.array_equal(selector.p_values(X_dask).compute(), expected_p)
    import dask

    with dask.config.set({"skselect.max-gather-bytes": 100}):
        with pytest.raises(ValueError, match="gathers the 2 rankings of every unit"):
            selector.select(X_dask)


def test_optcs_full_mode_on_dask_test_points():
    X, y, X_test = _data(n_train=40, n_test=15, seed=5)
    selector = OptCSSelector([Ridge()], mode="full", threshold=0.0, fdr=0.3, random_state=0)
    selector.fit(X, y)
    expected = selector.select(X_test)
    assert expected.any()
    got = selector.select(da.from_array(X_test, chunks=4))
    assert np.array_equal(got.compute(), expected)


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
