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


# ------------------------------------------------------------------------------------- fit


@pytest.mark.parametrize("chunks", [(5000, 4), (1234, 2), (20_000, 4)])
def test_dask_fit_below_the_sample_size_is_the_in_memory_fit(dask_client, chunks):
    # Below DASK_FIT_SAMPLE_SIZE rows every row is in the sample: the in-memory model.
    X, _ = make_blobs(n_samples=20_000, centers=5, n_features=4, random_state=1)
    in_memory = PPP().fit(X)
    fitted = PPP().fit(da.from_array(X, chunks=chunks))
    assert isinstance(fitted.labels_, da.Array)
    assert fitted.n_samples_fit_sample_ == X.shape[0]
    np.testing.assert_array_equal(fitted.labels_.compute(), in_memory.labels_)
    np.testing.assert_allclose(fitted.means_, in_memory.means_, rtol=1e-10)


def test_dask_fit_does_not_compute_the_whole_array(monkeypatch):
    # Only reductions and the sampled rows reach the client: X is never converted whole.
    from skselect.cluster._ppp import _dask as ppp_dask

    monkeypatch.setattr(ppp_dask, "DASK_FIT_SAMPLE_SIZE", 3000)
    X, _ = make_blobs(n_samples=30_000, centers=3, n_features=3, random_state=2)
    Xd = da.from_array(X, chunks=(3000, 3))
    fitted = PPP().fit(Xd)
    # about 3000 rows drawn, whatever the partitioning, and the same rows for another one
    assert 2500 < fitted.n_samples_fit_sample_ < 3500
    other = PPP().fit(da.from_array(X, chunks=(7000, 3)))
    assert other.n_samples_fit_sample_ == fitted.n_samples_fit_sample_
    np.testing.assert_array_equal(other.labels_.compute(), fitted.labels_.compute())


@pytest.mark.slow
@pytest.mark.parametrize("n_partitions", [4, 16])
def test_dask_fit_on_a_million_rows_gives_the_in_memory_clusters(dask_client, n_partitions):
    rng = np.random.default_rng(3)
    centres = rng.uniform(-30, 30, size=(10, 10))
    y = rng.integers(0, 10, size=1_000_000)
    X = centres[y] + rng.normal(size=(1_000_000, 10))
    in_memory = PPP().fit(X)
    fitted = PPP().fit(da.from_array(X, chunks=(1_000_000 // n_partitions, 10)))
    assert fitted.n_samples_fit_sample_ < X.shape[0] // 2
    assert fitted.n_clusters_ == in_memory.n_clusters_ == 10
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(in_memory.labels_, fitted.labels_.compute()) >= 0.99


def test_dask_fit_dataframe_keeps_feature_names():
    dd = pytest.importorskip("dask.dataframe", reason="needs dask.dataframe")
    pd = pytest.importorskip("pandas", reason="needs pandas")
    X, _ = make_blobs(n_samples=2000, centers=3, n_features=3, random_state=4)
    frame = dd.from_pandas(pd.DataFrame(X, columns=["a", "b", "c"]), npartitions=3)
    fitted = PPP().fit(frame)
    assert list(fitted.feature_names_in_) == ["a", "b", "c"]
    np.testing.assert_array_equal(fitted.labels_.compute(), PPP().fit(X).labels_)


def test_dask_fit_bad_input():
    with pytest.raises(ValueError, match="NaN or infinity"):
        PPP().fit(da.from_array(np.array([[0.0, np.nan], [1.0, 2.0], [3.0, 4.0]]), chunks=2))
    with pytest.raises(ValueError, match="2-D"):
        PPP().fit(da.ones(10, chunks=5))
