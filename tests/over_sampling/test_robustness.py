"""Bad, extreme and odd input to the samplers: a clear error or a correct result, never garbage."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from scipy import sparse
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OneHotEncoder
from threadpoolctl import threadpool_limits

from skselect.combine import SMOTEUnderSampler
from skselect.over_sampling import SMOTE, SMOTENC
from skselect.utils._parallel import MIN_WORK_PER_THREAD


def _mixed(n_majority=45, n_minority=15, seed=0):
    rng = np.random.RandomState(seed)
    n = n_majority + n_minority
    X = np.c_[rng.normal(size=(n, 2)), rng.randint(0, 3, n)]
    y = np.r_[np.zeros(n_majority, dtype=int), np.ones(n_minority, dtype=int)]
    return X, y


@pytest.mark.parametrize("cut", ["y", "X"])
def test_smotenc_checks_lengths_before_any_kernel(cut):
    X, y = _mixed()
    X, y = (X, y[:-1]) if cut == "y" else (X[:-1], y)
    message = (
        "X and y have inconsistent numbers of samples: X has 60 rows and y has 59 labels"
        if cut == "y"
        else "X and y have inconsistent numbers of samples: X has 59 rows and y has 60 labels"
    )
    with pytest.raises(ValueError, match=message):
        SMOTENC(categorical_features=[2], random_state=0).fit_resample(X, y)


def test_smotenc_rejects_an_encoder_merging_infrequent_categories():
    X, y = _mixed()
    X[:3, 2] = 7  # a rare category: min_frequency merges it with nothing else
    X_before = X.copy()
    encoder = OneHotEncoder(min_frequency=5, handle_unknown="infrequent_if_exist")
    sampler = SMOTENC(categorical_features=[2], categorical_encoder=encoder, random_state=0)
    with pytest.raises(ValueError, match=r"merged the infrequent categories \[\[7.0\]\]"):
        sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X, X_before)


@pytest.mark.parametrize("bad", [[2.5], [1.0]])
def test_smotenc_rejects_float_categorical_indices(bad):
    X, y = _mixed()
    with pytest.raises(ValueError, match=r"must be integer column indices.*got \[(2.5|1.0)\]"):
        SMOTENC(categorical_features=bad).fit_resample(X, y)


def test_smotenc_auto_without_category_columns_says_so():
    pd = pytest.importorskip("pandas", reason="categorical_features='auto' needs a DataFrame")
    X, y = _mixed()
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": np.where(X[:, 2] > 0, "u", "v")})
    with pytest.raises(
        ValueError,
        match=r"only with numerical features.*found no column of pandas' 'category' dtype. "
        r"Columns \['c'\] hold non-numeric values",
    ):
        SMOTENC(categorical_features="auto").fit_resample(frame, y)


def test_smotenc_out_of_range_index_keeps_imblearn_phrase():
    X, y = _mixed()
    with pytest.raises(ValueError, match=r"indices \[5\] out of range.*all features must be in"):
        SMOTENC(categorical_features=[5]).fit_resample(X, y)


def _huge(n_majority=45, n_minority=15, dtype=np.float64):
    rng = np.random.RandomState(0)
    largest = np.finfo(dtype).max
    X = rng.uniform(0.5, 0.9, size=(n_majority + n_minority, 3)) * largest
    X[::2] *= -1  # opposite signs: differences overflow
    y = np.r_[np.zeros(n_majority, dtype=int), np.ones(n_minority, dtype=int)]
    return X.astype(dtype), y


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("dense", [True, False])
def test_smote_near_the_largest_float_stays_on_the_segments(dtype, dense):
    X, y = _huge(dtype=dtype)
    X_in = X if dense else sparse.csr_matrix(X)
    sampler = SMOTE(random_state=0)
    X_res, _ = sampler.fit_resample(X_in, y)
    X_res = X_res if dense else X_res.toarray()
    assert np.isfinite(X_res).all()
    synthetic = X_res[len(X) :].astype(np.float64)
    base = X[sampler.base_indices_].astype(np.float64)
    neighbour = X[sampler.neighbor_indices_].astype(np.float64)
    gap = sampler.gaps_[:, None]
    expected = (1 - gap) * base + gap * neighbour
    np.testing.assert_allclose(synthetic, expected, rtol=1e-6 if dtype == np.float32 else 1e-12)
    # and the neighbours are the true nearest ones, found on exactly rescaled data
    scaled = X.astype(np.float64) / np.abs(X.astype(np.float64)).max()
    minority = np.flatnonzero(y == 1)
    d2 = ((scaled[minority, None] - scaled[None, minority]) ** 2).sum(-1)
    np.fill_diagonal(d2, np.inf)
    nearest = {int(i): set(minority[np.argsort(row)[:5]].tolist()) for i, row in zip(minority, d2)}
    for b, nn in zip(sampler.base_indices_, sampler.neighbor_indices_):
        assert nn in nearest[int(b)]


def test_smote_under_sampler_near_the_largest_float():
    X, y = _huge()
    X_res, _ = SMOTEUnderSampler(random_state=0).fit_resample(X, y)
    assert np.isfinite(X_res).all()


def test_smotenc_near_the_largest_float():
    X, y = _huge()
    X[:, 2] = np.arange(len(X)) % 3
    sampler = SMOTENC(categorical_features=[2], random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    assert np.isfinite(X_res).all()
    assert np.isfinite(sampler.median_std_[1])
    gap = sampler.gaps_[:, None]
    base, nn = X[sampler.base_indices_, :2], X[sampler.neighbor_indices_, :2]
    np.testing.assert_allclose(X_res[len(X) :, :2], (1 - gap) * base + gap * nn, rtol=1e-12)


def test_neighbors_object_with_a_single_neighbour_is_explained():
    X, y = _mixed()
    with pytest.raises(ValueError, match="has n_neighbors=1, but SMOTE asks it for each sample"):
        SMOTE(k_neighbors=NearestNeighbors(n_neighbors=1)).fit_resample(X, y)


@pytest.mark.parametrize("sampler", [SMOTE(), SMOTENC(categorical_features=[2])])
def test_labels_mixing_ints_and_strings(sampler):
    X, _ = _mixed()
    y = np.array([1, "a"] * 30, dtype=object)
    with pytest.raises(TypeError, match=r"y mixes labels of different types \(number, str\)"):
        sampler.fit_resample(X, y)


def test_float16_into_smotenc():
    X, y = _mixed()
    X16 = X.astype(np.float16)
    X_res, _ = SMOTENC(categorical_features=[2], random_state=0).fit_resample(X16, y)
    assert X_res.dtype == np.float16
    X_res32, _ = SMOTENC(categorical_features=[2], random_state=0).fit_resample(
        X16.astype(np.float32), y
    )
    np.testing.assert_array_equal(X_res, X_res32.astype(np.float16))


def test_overflow_is_not_reported_as_nan():
    # SMOTE's output used to overflow to inf/NaN, which the under-sampling step then
    # reported as "Input X contains NaN" although the input had none.
    X, y = _huge()
    SMOTEUnderSampler(random_state=0, under_percent=50).fit_resample(X, y)


def _samplers():
    return [
        SMOTE(random_state=0),
        SMOTE(random_state=0, base_selection="even"),
        SMOTENC(categorical_features=[2], random_state=0),
        SMOTEUnderSampler(random_state=0, under_percent=150),
    ]


@pytest.mark.parametrize("sampler", _samplers(), ids=lambda s: type(s).__name__)
@pytest.mark.parametrize("layout", ["C", "F", "csr"])
def test_input_never_modified_and_originals_kept_in_order(sampler, layout):
    X, y = _mixed(seed=3)
    if layout == "csr" and isinstance(sampler, SMOTENC):
        pytest.skip("SMOTENC on CSR input is covered by tests/over_sampling/test_smote_nc.py")
    X_in = np.asfortranarray(X) if layout == "F" else X
    X_in = sparse.csr_matrix(X) if layout == "csr" else X_in
    y_in = y.copy()
    snapshot = X_in.copy()
    X_res, y_res = sampler.fit_resample(X_in, y_in)
    if layout == "csr":
        assert (X_in != snapshot).nnz == 0
        X_res = X_res.toarray()
    else:
        assert X_in.tobytes() == snapshot.tobytes()
    np.testing.assert_array_equal(y_in, y)
    is_synthetic = np.zeros(len(X_res), dtype=bool)
    is_synthetic[sampler.synthetic_indices_] = True
    kept = sampler.sample_indices_
    assert X_res[~is_synthetic].tobytes() == np.ascontiguousarray(X[kept]).tobytes()
    np.testing.assert_array_equal(y_res[~is_synthetic], y[kept])
    if not isinstance(sampler, SMOTEUnderSampler):
        # an over-sampler keeps every original row, first and in order
        np.testing.assert_array_equal(kept, np.arange(len(X)))
        assert X_res[: len(X)].tobytes() == np.ascontiguousarray(X).tobytes()


def _large_enough_for_two_threads(seed=0):
    rng = np.random.RandomState(seed)
    n_minority, n_majority = 1_000, 12_000
    n_features = 2 * MIN_WORK_PER_THREAD // (n_majority - n_minority) + 2
    X = rng.normal(size=(n_minority + n_majority, n_features))
    X[:, -1] = rng.randint(0, 5, size=len(X))
    y = np.r_[np.ones(n_minority, dtype=int), np.zeros(n_majority, dtype=int)]
    return X, y


@pytest.mark.parametrize(
    "make",
    [
        lambda: SMOTE(random_state=0),
        lambda: SMOTENC(categorical_features=[-1], random_state=0),
    ],
    ids=["SMOTE", "SMOTENC"],
)
@pytest.mark.parametrize("as_sparse", [False, True])
def test_results_do_not_depend_on_the_thread_count(make, as_sparse):
    X, y = _large_enough_for_two_threads()
    X_in = sparse.csr_matrix(X) if as_sparse else X
    results = []
    for n_threads in (1, 2):
        with threadpool_limits(limits=n_threads, user_api="openmp"):
            X_res, y_res = make().fit_resample(X_in, y)
        results.append((X_res.toarray() if as_sparse else X_res, y_res))
    assert results[0][0].tobytes() == results[1][0].tobytes()
    np.testing.assert_array_equal(results[0][1], results[1][1])


@pytest.mark.parametrize("make", [lambda: SMOTE(), lambda: SMOTEUnderSampler()])
def test_y_none_is_named(make):
    X = np.random.default_rng(0).normal(size=(40, 2))
    with pytest.raises(ValueError, match=r"y=None: resampling needs y"):
        make().fit_resample(X, None)


@pytest.mark.parametrize(
    "strategy, message",
    [
        ({5: 10}, r"sampling_strategy=\{5: 10\} does not fit y: The \{5\} target class"),
        ({0: 1}, r"sampling_strategy=\{0: 1\} does not fit y: With over-sampling methods"),
    ],
)
def test_sampling_strategy_dict_that_does_not_fit_y_is_named(strategy, message):
    X = np.random.default_rng(1).normal(size=(40, 2))
    y = (np.arange(40) % 4 == 0).astype(int)
    with pytest.raises(ValueError, match=message):
        SMOTE(sampling_strategy=strategy).fit_resample(X, y)
