"""PPP's predict, predict_proba and transform on Dask collections: lazy, and the in-memory
result whatever the partitioning."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from skselect.cluster import PPP

da = pytest.importorskip("dask.array", reason="needs the optional dask extra (skselect[dask])")
dask = pytest.importorskip("dask", reason="needs the optional dask extra (skselect[dask])")

METHODS = ["predict", "predict_proba", "transform"]


@pytest.fixture(scope="module")
def data():
    X, _ = make_blobs(n_samples=500, centers=4, n_features=5, random_state=0)
    return X


@pytest.fixture(scope="module")
def fitted(data):
    return PPP().fit(data)


def _same(got, expected):
    assert got.dtype == expected.dtype
    if expected.dtype.kind == "f":
        # the same kernels on the same rows: equal up to the summation order of a block
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    else:
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("chunks", [(500, 5), (100, 5), (137, 2)])
def test_dask_array_gives_the_in_memory_result(dask_client, data, fitted, method, chunks):
    X_dask = da.from_array(data, chunks=chunks)
    out = getattr(fitted, method)(X_dask)
    assert isinstance(out, da.Array)
    assert out.chunks[0] == X_dask.chunks[0]
    expected = getattr(fitted, method)(data)
    assert out.shape == expected.shape and out.dtype == expected.dtype
    _same(out.compute(), expected)


@pytest.mark.parametrize("method", METHODS)
def test_dask_result_is_lazy(data, fitted, method, monkeypatch):
    calls = []
    original = getattr(PPP, f"_{method}")
    monkeypatch.setattr(
        PPP, f"_{method}", lambda self, X: calls.append(len(X)) or original(self, X)
    )
    out = getattr(fitted, method)(da.from_array(data, chunks=(100, 5)))
    assert calls == []  # nothing computed yet
    with dask.config.set(scheduler="sync"):
        out.compute()
    assert sorted(calls) == [100] * 5  # one call per row block


@pytest.mark.parametrize("method", ["predict_proba", "transform"])
def test_dask_float32_stays_float32(data, method):
    X32 = data.astype(np.float32)
    ppp = PPP().fit(X32)
    out = getattr(ppp, method)(da.from_array(X32, chunks=(128, 3)))
    assert out.dtype == np.float32
    with dask.config.set(scheduler="sync"):
        _same(out.compute(), getattr(ppp, method)(X32))


def test_dask_unknown_row_chunks_and_empty_blocks(data, fitted):
    X_dask = da.from_array(data, chunks=(100, 5))
    X_dask = X_dask[X_dask[:, 0] > np.median(data[:, 0])]  # unknown chunk sizes
    with dask.config.set(scheduler="sync"):
        labels = fitted.predict(X_dask).compute()
        empty = fitted.transform(da.from_array(data, chunks=(100, 5))[data[:, 0] > 1e9])
        empty = empty.compute()
    np.testing.assert_array_equal(labels, fitted.predict(data[data[:, 0] > np.median(data[:, 0])]))
    assert empty.shape == (0, fitted.n_clusters_)


def test_dask_dataframe(data, fitted):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe", reason="needs dask[dataframe]")
    columns = [f"f{i}" for i in range(5)]
    ppp = PPP().fit(pd.DataFrame(data, columns=columns))
    frame = dd.from_pandas(pd.DataFrame(data, columns=columns), npartitions=3)
    with dask.config.set(scheduler="sync"):
        labels = ppp.predict(frame)
        assert isinstance(labels, da.Array)
        np.testing.assert_array_equal(labels.compute(), ppp.labels_)
    with pytest.raises(ValueError, match="feature names"):
        ppp.predict(frame.rename(columns={"f0": "other"}))


def test_dask_bad_input_messages(data, fitted):
    with pytest.raises(ValueError, match="X has 4 features, but PPP is expecting 5"):
        fitted.predict(da.from_array(data[:, :4], chunks=100))
    with pytest.raises(ValueError, match="2-D"):
        fitted.transform(da.from_array(data[:, 0], chunks=100))
    bad = data.copy()
    bad[3, 1] = np.nan
    out = fitted.predict(da.from_array(bad, chunks=100))
    with dask.config.set(scheduler="sync"), pytest.raises(ValueError, match="NaN"):
        out.compute()
    with pytest.raises(Exception, match="not fitted"):
        PPP().predict(da.from_array(data, chunks=100))
