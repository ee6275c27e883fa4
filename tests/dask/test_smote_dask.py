"""SMOTE, SMOTENC and SMOTEUnderSampler on Dask collections: lazy, and value for value the
in-memory result (and imbalanced-learn's) whatever the partitioning."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE as ImbSMOTE
from imblearn.over_sampling import SMOTENC as ImbSMOTENC
from sklearn.base import clone
from sklearn.datasets import make_classification

from skselect.combine import SMOTEUnderSampler
from skselect.over_sampling import SMOTE, SMOTENC

da = pytest.importorskip("dask.array", reason="needs the optional dask extra (skselect[dask])")
dask = pytest.importorskip("dask", reason="needs the optional dask extra (skselect[dask])")


def _data(n_samples=1500, weights=(0.75, 0.17, 0.08), seed=0):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=5,
        n_informative=3,
        n_classes=len(weights),
        weights=list(weights),
        random_state=seed,
    )
    return X, y


@pytest.mark.parametrize("chunks", [1500, 400, 173])
@pytest.mark.parametrize("base_selection", ["random", "even"])
def test_smote_array_is_the_in_memory_result(dask_client, chunks, base_selection):
    X, y = _data()
    expected_X, expected_y = SMOTE(random_state=1, base_selection=base_selection).fit_resample(X, y)
    X_dask = da.from_array(X, chunks=(chunks, 2))
    X_res, y_res = SMOTE(random_state=1, base_selection=base_selection).fit_resample(
        X_dask, da.from_array(y, chunks=chunks)
    )
    assert isinstance(X_res, da.Array) and isinstance(y_res, da.Array)
    # the original partitions come first, unchanged in size
    assert X_res.chunks[0][: len(X_dask.chunks[0])] == X_dask.chunks[0]
    got_X, got_y = dask.compute(X_res, y_res)
    assert np.array_equal(got_X, expected_X) and np.array_equal(got_y, expected_y)
    if base_selection == "random":
        peer_X, peer_y = ImbSMOTE(random_state=1).fit_resample(X, y)
        assert np.array_equal(got_X, peer_X) and np.array_equal(got_y, peer_y)


def test_original_partitions_pass_through_untouched(dask_client):
    from dask.core import flatten

    X, y = _data()
    X_dask, y_dask = da.from_array(X, chunks=(400, 5)), da.from_array(y, chunks=400)
    X_res, y_res = SMOTE(random_state=0).fit_resample(X_dask, y_dask)
    # the result is built on the very tasks of the input chunks, not on copies of them
    assert set(flatten(X_dask.__dask_keys__())) <= set(X_res.__dask_graph__().keys())
    assert set(flatten(y_dask.__dask_keys__())) <= set(y_res.__dask_graph__().keys())
    n_blocks = len(X_dask.chunks[0])
    assert X_res.chunks[0][:n_blocks] == X_dask.chunks[0]
    # the synthetic rows come in chunks no taller than the input's
    assert max(X_res.chunks[0][n_blocks:]) <= 400


def test_smote_float32_and_strategy_float(dask_client):
    X, y = _data(weights=(0.95, 0.05))
    X = X.astype(np.float32)
    sampler = SMOTE(sampling_strategy=0.5, random_state=4)
    expected_X, expected_y = sampler.fit_resample(X, y)
    X_res, y_res = SMOTE(sampling_strategy=0.5, random_state=4).fit_resample(
        da.from_array(X, chunks=(211, 5)), da.from_array(y, chunks=211)
    )
    assert X_res.dtype == np.float32
    assert np.array_equal(X_res.compute(), expected_X)
    assert np.array_equal(y_res.compute(), expected_y)


def test_smote_random_state_instance_advances_as_in_memory(dask_client):
    X, y = _data()
    rng_memory, rng_dask = np.random.RandomState(5), np.random.RandomState(5)
    expected_X, _ = SMOTE(random_state=rng_memory).fit_resample(X, y)
    X_res, _ = SMOTE(random_state=rng_dask).fit_resample(
        da.from_array(X, chunks=300), da.from_array(y, chunks=300)
    )
    assert np.array_equal(X_res.compute(), expected_X)
    assert rng_memory.randint(2**31) == rng_dask.randint(2**31)


@pytest.mark.parametrize("npartitions", [1, 3, 8])
def test_smote_dataframe_is_the_in_memory_result(dask_client, npartitions):
    pd = pytest.importorskip("pandas", reason="needs pandas for DataFrames")
    dd = pytest.importorskip("dask.dataframe", reason="needs dask[dataframe] (skselect[dask])")
    X, y = _data()
    frame = pd.DataFrame(X, columns=list("abcde")).astype({"b": np.float32})
    labels = pd.Series(y, name="target")
    expected_X, expected_y = SMOTE(random_state=2).fit_resample(frame, labels)
    X_res, y_res = SMOTE(random_state=2).fit_resample(
        dd.from_pandas(frame, npartitions=npartitions),
        dd.from_pandas(labels, npartitions=npartitions),
    )
    assert isinstance(X_res, dd.DataFrame) and isinstance(y_res, dd.Series)
    got_X, got_y = dask.compute(X_res, y_res)
    pd.testing.assert_frame_equal(got_X, expected_X)
    pd.testing.assert_series_equal(got_y, expected_y)


def test_dataframe_partitions_must_match():
    pd = pytest.importorskip("pandas", reason="needs pandas for DataFrames")
    dd = pytest.importorskip("dask.dataframe", reason="needs dask[dataframe] (skselect[dask])")
    X, y = _data()
    frame, labels = pd.DataFrame(X), pd.Series(y)
    X_dask = dd.from_pandas(frame, npartitions=3)
    with pytest.raises(ValueError, match="X and y must have the same partitions"):
        SMOTE().fit_resample(X_dask, dd.from_pandas(labels, npartitions=2))
    # three partitions each, of 500 / 500 / 500 rows against 400 / 500 / 600
    shifted = dd.concat(
        [
            dd.from_pandas(labels.iloc[a:b], npartitions=1)
            for a, b in ((0, 400), (400, 900), (900, 1500))
        ]
    )
    with pytest.raises(ValueError, match="partitioned alike"):
        SMOTE().fit_resample(X_dask, shifted)


@pytest.mark.parametrize("npartitions", [1, 4])
def test_smotenc_dataframe_is_imblearns_result(dask_client, npartitions):
    pd = pytest.importorskip("pandas", reason="needs pandas for DataFrames")
    dd = pytest.importorskip("dask.dataframe", reason="needs dask[dataframe] (skselect[dask])")
    X, y = _data(weights=(0.8, 0.2))
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(X[:, :3], columns=["a", "b", "c"])
    frame["colour"] = pd.Categorical(rng.choice(["red", "green", "blue"], size=len(y)))
    frame["level"] = rng.randint(0, 4, size=len(y))
    labels = pd.Series(y, name="target")
    features = ["colour", "level"]
    expected_X, expected_y = ImbSMOTENC(categorical_features=features, random_state=3).fit_resample(
        frame, labels
    )
    X_res, y_res = SMOTENC(categorical_features=features, random_state=3).fit_resample(
        dd.from_pandas(frame, npartitions=npartitions),
        dd.from_pandas(labels, npartitions=npartitions),
    )
    got_X, got_y = dask.compute(X_res, y_res)
    pd.testing.assert_frame_equal(got_X, expected_X)
    pd.testing.assert_series_equal(got_y, expected_y)


@pytest.mark.parametrize("chunks", [1500, 333])
def test_smotenc_array_is_the_in_memory_result(dask_client, chunks):
    X, y = _data()
    X[:, 4] = np.random.RandomState(1).randint(0, 3, size=len(y))
    expected_X, expected_y = SMOTENC(categorical_features=[4], random_state=5).fit_resample(X, y)
    X_res, y_res = SMOTENC(categorical_features=[4], random_state=5).fit_resample(
        da.from_array(X, chunks=chunks), da.from_array(y, chunks=chunks)
    )
    assert np.array_equal(X_res.compute(), expected_X)
    assert np.array_equal(y_res.compute(), expected_y)


@pytest.mark.parametrize("chunks", [1500, 256])
def test_smote_under_sampler_is_the_in_memory_result(dask_client, chunks):
    X, y = _data()
    kwargs = {"smote_percent": 200, "under_percent": 150, "random_state": 7}
    reference = SMOTEUnderSampler(**kwargs)
    expected_X, expected_y = reference.fit_resample(X, y)
    sampler = SMOTEUnderSampler(**kwargs)
    X_res, y_res = sampler.fit_resample(
        da.from_array(X, chunks=chunks), da.from_array(y, chunks=chunks)
    )
    assert np.array_equal(X_res.compute(), expected_X)
    assert np.array_equal(y_res.compute(), expected_y)
    assert sampler.sampling_strategy_ == reference.sampling_strategy_


def test_gather_budget_error_names_the_class_and_its_size():
    X, y = _data(weights=(0.8, 0.2))
    n_minority = int((y == 1).sum())
    with dask.config.set({"skselect.max-gather-bytes": "1kB"}):
        with pytest.raises(
            ValueError, match=rf"Class 1 has {n_minority} samples .*above the limit"
        ):
            SMOTE(random_state=0).fit_resample(
                da.from_array(X, chunks=500), da.from_array(y, chunks=500)
            )
    # SMOTE-NC also makes the class's synthetic rows on the client: both count
    X_nc = X.copy()
    X_nc[:, 4] = np.arange(len(y)) % 3
    n_after = int((y == 0).sum())
    with dask.config.set({"skselect.max-gather-bytes": "1kB"}):
        with pytest.raises(ValueError, match=rf"Class 1 has {n_after} samples and synthetic"):
            SMOTENC(categorical_features=[4], random_state=0).fit_resample(
                da.from_array(X_nc, chunks=500), da.from_array(y, chunks=500)
            )


def test_input_checks_match_the_in_memory_path():
    X, y = _data(weights=(0.8, 0.2))
    X_bad = X.copy()
    X_bad[np.flatnonzero(y == 0)[3], 1] = np.nan  # a majority row: not gathered, still checked
    with pytest.raises(ValueError, match="NaN"):
        SMOTE(random_state=0).fit_resample(X_bad, y)
    with pytest.raises(ValueError, match="NaN"):
        SMOTE(random_state=0).fit_resample(
            da.from_array(X_bad, chunks=300), da.from_array(y, chunks=300)
        )
    with pytest.raises(ValueError, match="different numbers of samples"):
        SMOTE().fit_resample(da.from_array(X, chunks=300), da.from_array(y[:-1], chunks=300))
    with pytest.raises(ValueError, match="y must be one-dimensional"):
        SMOTE().fit_resample(da.from_array(X, chunks=300), da.from_array(np.c_[y, y], chunks=300))
    with pytest.raises(ValueError, match="needs to have more than 1 class"):
        SMOTE().fit_resample(da.from_array(X, chunks=300), da.zeros(len(y), chunks=300))


def test_in_memory_X_with_lazy_labels():
    X, y = _data(weights=(0.8, 0.2))
    expected_X, _ = SMOTE(random_state=0).fit_resample(X, y)
    got_X, got_y = SMOTE(random_state=0).fit_resample(X, da.from_array(y, chunks=100))
    assert isinstance(got_X, np.ndarray) and np.array_equal(got_X, expected_X)


_PROVENANCE = ("sample_indices_", "synthetic_indices_", "base_indices_", "neighbor_indices_")


def _assert_same_provenance(got, expected, n_samples):
    for name in _PROVENANCE:
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name), err_msg=name)
    np.testing.assert_array_equal(got.gaps_, expected.gaps_)
    weights = np.linspace(1.0, 2.0, n_samples)
    np.testing.assert_array_equal(got.resample_array(weights), expected.resample_array(weights))
    np.testing.assert_array_equal(
        got.resample_array(weights, interpolate=True),
        expected.resample_array(weights, interpolate=True),
    )


@pytest.mark.parametrize("chunks", [1500, 173])
@pytest.mark.parametrize("base_selection", ["random", "even"])
def test_smote_array_provenance_is_the_in_memory_one(dask_client, chunks, base_selection):
    X, y = _data()
    expected = SMOTE(random_state=1, base_selection=base_selection)
    expected.fit_resample(X, y)
    sampler = SMOTE(random_state=1, base_selection=base_selection)
    X_res, _ = sampler.fit_resample(
        da.from_array(X, chunks=(chunks, 5)), da.from_array(y, chunks=chunks)
    )
    _assert_same_provenance(sampler, expected, len(y))
    assert sampler.sampling_strategy_ == expected.sampling_strategy_
    assert sampler.n_features_in_ == X.shape[1]
    # and it describes the Dask output
    got = X_res.compute()
    base, neighbour, gaps = sampler.base_indices_, sampler.neighbor_indices_, sampler.gaps_
    np.testing.assert_allclose(
        got[sampler.synthetic_indices_], X[base] + gaps[:, None] * (X[neighbour] - X[base])
    )
    np.testing.assert_array_equal(got[: len(y)], X[sampler.sample_indices_])


@pytest.mark.parametrize("npartitions", [1, 3])
def test_smote_dataframe_provenance_is_the_in_memory_one(dask_client, npartitions):
    pd = pytest.importorskip("pandas", reason="needs pandas for DataFrames")
    dd = pytest.importorskip("dask.dataframe", reason="needs dask[dataframe] (skselect[dask])")
    X, y = _data()
    frame, labels = pd.DataFrame(X, columns=list("abcde")), pd.Series(y, name="target")
    expected = SMOTE(random_state=2)
    expected.fit_resample(frame, labels)
    sampler = SMOTE(random_state=2)
    sampler.fit_resample(
        dd.from_pandas(frame, npartitions=npartitions),
        dd.from_pandas(labels, npartitions=npartitions),
    )
    _assert_same_provenance(sampler, expected, len(y))
    assert list(sampler.feature_names_in_) == list("abcde")


@pytest.mark.parametrize("npartitions", [1, 4])
def test_smotenc_dataframe_provenance_is_the_in_memory_one(dask_client, npartitions):
    pd = pytest.importorskip("pandas", reason="needs pandas for DataFrames")
    dd = pytest.importorskip("dask.dataframe", reason="needs dask[dataframe] (skselect[dask])")
    X, y = _data()
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(X[:, :3], columns=["a", "b", "c"])
    frame["colour"] = pd.Categorical(rng.choice(["red", "green", "blue"], size=len(y)))
    frame["level"] = rng.randint(0, 4, size=len(y))
    labels = pd.Series(y, name="target")
    kwargs = {"categorical_features": ["colour", "level"], "random_state": 3}
    expected = SMOTENC(**kwargs)
    expected.fit_resample(frame, labels)
    sampler = SMOTENC(**kwargs)
    sampler.fit_resample(
        dd.from_pandas(frame, npartitions=npartitions),
        dd.from_pandas(labels, npartitions=npartitions),
    )
    _assert_same_provenance(sampler, expected, len(y))
    assert sampler.median_std_ == pytest.approx(expected.median_std_)


def test_smotenc_array_provenance_is_the_in_memory_one(dask_client):
    X, y = _data()
    X[:, 4] = np.random.RandomState(1).randint(0, 3, size=len(y))
    expected = SMOTENC(categorical_features=[4], random_state=5)
    expected.fit_resample(X, y)
    sampler = SMOTENC(categorical_features=[4], random_state=5)
    sampler.fit_resample(da.from_array(X, chunks=333), da.from_array(y, chunks=333))
    _assert_same_provenance(sampler, expected, len(y))


def test_smote_under_sampler_provenance_is_the_in_memory_one(dask_client):
    X, y = _data()
    kwargs = {"smote_percent": 200, "under_percent": 150, "random_state": 7}
    expected = SMOTEUnderSampler(**kwargs)
    expected.fit_resample(X, y)
    sampler = SMOTEUnderSampler(**kwargs)
    X_res, _ = sampler.fit_resample(da.from_array(X, chunks=256), da.from_array(y, chunks=256))
    _assert_same_provenance(sampler, expected, len(y))
    got = X_res.compute()
    np.testing.assert_array_equal(
        got[np.setdiff1d(np.arange(len(got)), sampler.synthetic_indices_)],
        X[sampler.sample_indices_],
    )


@pytest.mark.parametrize("first", ["memory", "dask"])
def test_a_dask_fit_replaces_the_provenance_of_an_earlier_fit(dask_client, first):
    """Nothing of a first fit (in memory or on Dask input) survives a Dask fit on other data."""
    X_a, y_a = _data(n_samples=600, seed=3)
    X_b, y_b = _data(seed=4, weights=(0.6, 0.3, 0.1))
    samplers = {
        "smote": (SMOTE(random_state=0), lambda X: X),
        "smotenc": (SMOTENC(categorical_features=[4], random_state=0), _with_categories),
        "smote_under": (SMOTEUnderSampler(random_state=0), lambda X: X),
    }
    for sampler, prepare in samplers.values():
        X_first = prepare(X_a)
        if first == "memory":
            sampler.fit_resample(X_first, y_a)
        else:
            sampler.fit_resample(da.from_array(X_first, chunks=200), da.from_array(y_a, chunks=200))
        X_second = prepare(X_b)
        sampler.fit_resample(da.from_array(X_second, chunks=400), da.from_array(y_b, chunks=400))
        expected = clone(sampler)
        expected.fit_resample(X_second, y_b)
        _assert_same_provenance(sampler, expected, len(y_b))
        with pytest.raises(ValueError, match=f"the last fit_resample saw {len(y_b)} samples"):
            sampler.resample_array(np.ones(len(y_a)))


def _with_categories(X):
    X = X.copy()
    X[:, 4] = np.arange(X.shape[0]) % 3
    return X
