"""skselect.over_sampling.SMOTE against imbalanced-learn's SMOTE, the oracle it replaces."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import SMOTE as ImblearnSMOTE
from imblearn.pipeline import make_pipeline
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.datasets import load_breast_cancer, load_wine, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors

from skselect.datasets import load_pima
from skselect.over_sampling import SMOTE


def _binary(n_samples=400, n_features=6, seed=0):
    return make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=3,
        weights=[0.15, 0.85],
        random_state=seed,
    )


def _multiclass(n_samples=600, n_features=5, seed=1):
    return make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=4,
        n_redundant=0,
        n_classes=4,
        weights=[0.05, 0.15, 0.3, 0.5],
        random_state=seed,
    )


def _both(X, y, **params):
    ours = SMOTE(**params).fit_resample(X, y)
    theirs = ImblearnSMOTE(**{k: v for k, v in params.items() if k != "n_jobs"}).fit_resample(X, y)
    return ours, theirs


def _assert_identical(ours, theirs):
    (X_ours, y_ours), (X_theirs, y_theirs) = ours, theirs
    assert X_ours.dtype == X_theirs.dtype
    assert X_ours.shape == X_theirs.shape
    assert np.array_equal(X_ours, X_theirs)
    assert y_ours.dtype == y_theirs.dtype
    assert np.array_equal(y_ours, y_theirs)


def _three_quarters_of_majority(y):
    counts = Counter(y)
    majority = max(counts.values())
    return {label: max(count, int(0.75 * majority)) for label, count in counts.items()}


MULTICLASS_STRATEGIES = [
    "auto",
    "minority",
    "not minority",
    "not majority",
    "all",
    {0: 200, 1: 150},
    _three_quarters_of_majority,
]


@pytest.mark.parametrize("sampling_strategy", MULTICLASS_STRATEGIES)
@pytest.mark.parametrize("seed", [0, 7])
def test_identical_to_imblearn_multiclass(sampling_strategy, seed):
    X, y = _multiclass()
    _assert_identical(*_both(X, y, sampling_strategy=sampling_strategy, random_state=seed))


@pytest.mark.parametrize("sampling_strategy", [0.3, 0.5, 1.0, "auto", "minority", "all"])
def test_identical_to_imblearn_binary(sampling_strategy):
    X, y = _binary()
    _assert_identical(*_both(X, y, sampling_strategy=sampling_strategy, random_state=3))


@pytest.mark.parametrize("k_neighbors", [1, 3, 5, 11])
def test_identical_to_imblearn_int_k_neighbors(k_neighbors):
    X, y = _multiclass()
    _assert_identical(*_both(X, y, k_neighbors=k_neighbors, random_state=0))


@pytest.mark.parametrize(
    "nn",
    [
        NearestNeighbors(n_neighbors=4),
        NearestNeighbors(n_neighbors=6, algorithm="brute"),
        NearestNeighbors(n_neighbors=6, algorithm="ball_tree", metric="manhattan"),
    ],
)
def test_identical_to_imblearn_neighbors_object(nn):
    X, y = _multiclass()
    _assert_identical(*_both(X, y, k_neighbors=nn, random_state=0))


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine, load_pima])
def test_identical_to_imblearn_on_real_imbalanced_data(loader):
    X, y = loader(return_X_y=True)
    _assert_identical(*_both(X, y, random_state=11))


def test_identical_with_random_state_instance():
    # A RandomState instance keeps its stream across classes instead of being reseeded.
    X, y = _multiclass()
    ours = SMOTE(random_state=np.random.RandomState(5)).fit_resample(X, y)
    theirs = ImblearnSMOTE(random_state=np.random.RandomState(5)).fit_resample(X, y)
    _assert_identical(ours, theirs)


def test_float32_stays_float32_and_identical():
    X, y = _multiclass()
    X = X.astype(np.float32)
    ours, theirs = _both(X, y, random_state=2)
    assert ours[0].dtype == np.float32
    _assert_identical(ours, theirs)
    # and it agrees with the float64 computation to float32 precision
    X64, _ = SMOTE(random_state=2).fit_resample(X.astype(np.float64), y)
    np.testing.assert_allclose(ours[0], X64, rtol=1e-6, atol=1e-6)


def test_integer_input_matches_imblearn():
    X, y = _multiclass()
    X = np.round(X * 10).astype(np.int64)
    _assert_identical(*_both(X, y, random_state=4))


def test_fortran_ordered_input():
    X, y = _multiclass()
    _assert_identical(*_both(np.asfortranarray(X), y, random_state=4))


@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csr_array, sparse.csc_matrix])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_matches_imblearn(container, dtype):
    rng = np.random.RandomState(0)
    X = sparse.random(500, 40, density=0.15, random_state=rng, format="csr", dtype=dtype)
    y = np.r_[np.zeros(60, dtype=int), np.ones(140, dtype=int), np.full(300, 2)]
    X = container(X)
    X_ours, y_ours = SMOTE(random_state=0).fit_resample(X, y)
    X_theirs, y_theirs = ImblearnSMOTE(random_state=0).fit_resample(X, y)
    assert type(X_ours) is type(X_theirs)
    assert X_ours.format == X_theirs.format
    assert X_ours.dtype == X_theirs.dtype == dtype
    np.testing.assert_allclose(X_ours.toarray(), X_theirs.toarray(), rtol=0, atol=1e-12)
    assert np.array_equal(y_ours, y_theirs)
    # zeros are dropped as SciPy's arithmetic drops them: same sparsity structure
    assert X_ours.nnz == X_theirs.nnz


def test_sparse_unsorted_indices():
    X = sparse.random(200, 10, density=0.4, random_state=1, format="csr")
    y = np.r_[np.zeros(40, dtype=int), np.ones(160, dtype=int)]
    shuffled = X.copy()
    for row in range(shuffled.shape[0]):
        start, end = shuffled.indptr[row], shuffled.indptr[row + 1]
        shuffled.indices[start:end] = shuffled.indices[start:end][::-1]
        shuffled.data[start:end] = shuffled.data[start:end][::-1]
    shuffled.has_sorted_indices = False
    X_ours, _ = SMOTE(random_state=0).fit_resample(shuffled, y)
    X_ref, _ = SMOTE(random_state=0).fit_resample(X, y)
    np.testing.assert_allclose(X_ours.toarray(), X_ref.toarray(), rtol=0, atol=1e-12)


def test_sparse_and_dense_agree():
    X = sparse.random(300, 12, density=0.3, random_state=2, format="csr")
    y = np.r_[np.zeros(50, dtype=int), np.ones(250, dtype=int)]
    # brute force on both so that the neighbours are the same
    nn = NearestNeighbors(n_neighbors=6, algorithm="brute")
    X_sparse, _ = SMOTE(k_neighbors=nn, random_state=0).fit_resample(X, y)
    X_dense, _ = SMOTE(k_neighbors=nn, random_state=0).fit_resample(X.toarray(), y)
    np.testing.assert_allclose(X_sparse.toarray(), X_dense, rtol=0, atol=1e-12)


@pytest.mark.parametrize("n_jobs", [1, 2, -1])
def test_n_jobs_never_changes_output(n_jobs):
    X, y = _multiclass(n_samples=2000)
    reference = SMOTE(random_state=0).fit_resample(X, y)
    _assert_identical(SMOTE(random_state=0, n_jobs=n_jobs).fit_resample(X, y), reference)
    Xs = sparse.csr_matrix(np.where(np.abs(X) > 1, X, 0))
    ref_sparse = SMOTE(random_state=0).fit_resample(Xs, y)[0]
    ours_sparse = SMOTE(random_state=0, n_jobs=n_jobs).fit_resample(Xs, y)[0]
    assert np.array_equal(ref_sparse.toarray(), ours_sparse.toarray())


def test_pandas_round_trip_matches_imblearn():
    pd = pytest.importorskip("pandas")
    X, y = _multiclass()
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    y = pd.Series(y, name="target")
    X_ours, y_ours = SMOTE(random_state=0).fit_resample(X, y)
    X_theirs, y_theirs = ImblearnSMOTE(random_state=0).fit_resample(X, y)
    assert isinstance(X_ours, pd.DataFrame)
    assert isinstance(y_ours, pd.Series)
    pd.testing.assert_frame_equal(X_ours, X_theirs, check_exact=True)
    pd.testing.assert_series_equal(y_ours, y_theirs, check_exact=True)
    sampler = SMOTE(random_state=0).fit(X, y)
    assert list(sampler.feature_names_in_) == list(X.columns)


def test_string_labels_and_order_of_output():
    X, y = _multiclass()
    labels = np.array(["rare", "few", "some", "many"], dtype=object)[y]
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, labels)
    _assert_identical((X_res, y_res), ImblearnSMOTE(random_state=0).fit_resample(X, labels))
    # originals first, unchanged; then the new rows, class by class in sorted label order
    assert np.array_equal(X_res[: len(X)], X)
    new_labels = y_res[len(X) :]
    assert list(dict.fromkeys(new_labels)) == sorted(set(new_labels))


def test_synthetic_samples_lie_on_segments_to_neighbours():
    # Independent geometric check: each synthetic sample equals x_i + t (x_j - x_i) with x_j
    # among the k nearest same-class neighbours of x_i and t in [0, 1).
    X, y = _binary(n_samples=200, n_features=5)
    k = 3
    X_res, y_res = SMOTE(k_neighbors=k, random_state=0).fit_resample(X, y)
    minority = X[y == 0]
    distances = np.linalg.norm(minority[:, None] - minority[None], axis=2)
    neighbours = np.argsort(distances, axis=1, kind="stable")[:, 1 : k + 1]
    for sample in X_res[len(X) :]:
        found = False
        for i in range(len(minority)):
            for j in neighbours[i]:
                direction = minority[j] - minority[i]
                t = np.dot(sample - minority[i], direction) / np.dot(direction, direction)
                if -1e-12 <= t < 1 and np.allclose(minority[i] + t * direction, sample):
                    found = True
                    break
            if found:
                break
        assert found


def test_imblearn_pipeline_gives_same_model():
    X, y = _binary(n_samples=300)
    ours = make_pipeline(SMOTE(random_state=0), LogisticRegression()).fit(X, y)
    theirs = make_pipeline(ImblearnSMOTE(random_state=0), LogisticRegression()).fit(X, y)
    np.testing.assert_array_equal(ours[-1].coef_, theirs[-1].coef_)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


class _CycleNeighbors(BaseEstimator):
    """Duck-typed neighbour search whose only neighbour of sample i is sample i + 1.

    The segments i -> i + 1 are never traversed backwards, so the base of every synthetic
    sample can be recovered from the sample alone.
    """

    def __init__(self, n_neighbors=2):
        self.n_neighbors = n_neighbors

    def fit(self, X):
        self.n_samples_fit_ = X.shape[0]
        return self

    def kneighbors(self, X, return_distance=False):
        n = X.shape[0]
        return np.c_[np.arange(n), (np.arange(n) + 1) % n]

    def kneighbors_graph(self, X):  # pragma: no cover - required by the API only
        raise NotImplementedError


def _bases_on_cycle(X_class, X_new):
    bases = []
    for sample in X_new:
        candidates = []
        for i in range(len(X_class)):
            direction = X_class[(i + 1) % len(X_class)] - X_class[i]
            t = np.dot(sample - X_class[i], direction) / np.dot(direction, direction)
            if 0 <= t < 1 and np.allclose(X_class[i] + t * direction, sample, atol=1e-10):
                candidates.append(i)
        assert len(candidates) == 1
        bases.append(candidates[0])
    return np.array(bases)


@pytest.mark.parametrize("n_new", [100, 119])
def test_even_base_selection_uses_every_sample_evenly(n_new):
    # The paper's scheme: with N synthetic samples and n minority samples, each one is a base
    # N // n times, plus once more for N % n of them.
    rng = np.random.RandomState(3)
    X = rng.normal(size=(140, 3))
    y = np.r_[np.zeros(20, dtype=int), np.ones(120, dtype=int)]
    strategy = {0: 20 + n_new}
    params = dict(sampling_strategy=strategy, k_neighbors=_CycleNeighbors(), random_state=0)
    X_res, _ = SMOTE(base_selection="even", **params).fit_resample(X, y)
    counts = np.bincount(_bases_on_cycle(X[:20], X_res[140:]), minlength=20)
    per_sample, remainder = divmod(n_new, 20)
    assert sorted(counts) == [per_sample] * (20 - remainder) + [per_sample + 1] * remainder
    # imblearn's random bases are not even for the same amount
    X_random, _ = SMOTE(**params).fit_resample(X, y)
    random_counts = np.bincount(_bases_on_cycle(X[:20], X_random[140:]), minlength=20)
    assert random_counts.max() - random_counts.min() > 1


def test_resampled_counts_follow_strategy():
    X, y = _multiclass()
    strategy = {0: 300, 1: 160, 3: 300}
    _, y_res = SMOTE(sampling_strategy=strategy, random_state=0).fit_resample(X, y)
    counts = Counter(y_res)
    original = Counter(y)
    for label in original:
        assert counts[label] == strategy.get(label, original[label])


# ----------------------------------------------------------------------------- errors


def test_k_neighbors_too_large_names_class_count_and_largest_k():
    X, y = _multiclass()
    X, y = X[y != 0], y[y != 0]
    keep = np.r_[np.flatnonzero(y == 1)[:4], np.flatnonzero(y != 1)]
    X, y = X[keep], y[keep]
    msg = re.escape(
        "k_neighbors=5 needs at least 6 samples in every class to over-sample, but class 1 "
        "has only 4. Use k_neighbors <= 3"
    )
    with pytest.raises(ValueError, match=msg):
        SMOTE(random_state=0).fit_resample(X, y)
    # the largest k_neighbors named in the message works
    SMOTE(k_neighbors=3, random_state=0).fit_resample(X, y)


def test_neighbors_object_too_large_is_explained():
    X, y = _binary()
    X, y = (
        X[np.r_[np.flatnonzero(y == 0)[:5], np.flatnonzero(y == 1)]],
        np.r_[np.zeros(5, dtype=int), np.ones((y == 1).sum(), dtype=int)],
    )
    with pytest.raises(
        ValueError, match=r"n_neighbors=8 .* class 0 has only 5\. Use k_neighbors <= 4"
    ):
        SMOTE(k_neighbors=NearestNeighbors(n_neighbors=8)).fit_resample(X, y)


def test_single_sample_class():
    X, y = _binary()
    keep = np.r_[np.flatnonzero(y == 0)[:1], np.flatnonzero(y == 1)]
    with pytest.raises(ValueError, match="class 0 has only 1. SMOTE needs at least 2 samples"):
        SMOTE().fit_resample(X[keep], y[keep])


@pytest.mark.parametrize("bad, word", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_nan_and_inf_are_rejected(bad, word):
    X, y = _binary()
    X[3, 1] = bad
    with pytest.raises(ValueError, match=f"Input X contains {word}"):
        SMOTE().fit_resample(X, y)


def test_one_class_only():
    X, _ = _binary()
    with pytest.raises(ValueError, match="needs to have more than 1 class. Got 1 class"):
        SMOTE().fit_resample(X, np.zeros(len(X)))


def test_bad_sampling_strategy_messages_match_imblearn():
    X, y = _multiclass()
    with pytest.raises(ValueError, match='"sampling_strategy" can be a float only when'):
        SMOTE(sampling_strategy=0.5).fit_resample(X, y)
    with pytest.raises(ValueError, match="The 'sampling_strategy' parameter"):
        SMOTE(sampling_strategy="most").fit_resample(X, y)
    with pytest.raises(ValueError, match="are not present in the data"):
        SMOTE(sampling_strategy={9: 100}).fit_resample(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"k_neighbors": 0}, "The 'k_neighbors' parameter"),
        ({"n_jobs": 1.5}, "The 'n_jobs' parameter"),
        (
            {"n_jobs": 0},
            r"The .n_jobs. parameter of SMOTE must be an int in the range \(-inf, -1\]",
        ),
        ({"base_selection": "uniform"}, "The 'base_selection' parameter"),
    ],
)
def test_bad_parameters(params, match):
    X, y = _binary()
    with pytest.raises(ValueError, match=match):
        SMOTE(**params).fit_resample(X, y)


@settings(max_examples=25, deadline=None)
@given(
    extra=st.lists(st.integers(min_value=0, max_value=120), min_size=4, max_size=4),
    seed=st.integers(min_value=0, max_value=2**31 - 1),
    k=st.integers(min_value=1, max_value=7),
)
def test_property_counts_follow_dict_strategy_and_match_imblearn(extra, seed, k):
    X, y = _multiclass(n_samples=300, seed=2)
    counts = Counter(y.tolist())
    strategy = {label: counts[label] + more for label, more in zip(sorted(counts), extra)}
    ours = SMOTE(sampling_strategy=strategy, k_neighbors=k, random_state=seed).fit_resample(X, y)
    assert Counter(ours[1].tolist()) == strategy
    theirs = ImblearnSMOTE(sampling_strategy=strategy, k_neighbors=k, random_state=seed)
    _assert_identical(ours, theirs.fit_resample(X, y))


def test_no_full_size_temporaries():
    # The memory goal: synthetic rows go straight into the preallocated output, without
    # X[rows], difference or product temporaries (each as large as the new rows) and without
    # a final stacking copy. Traced peak (NumPy buffers) must stay within the output, the
    # class's rows and the neighbour table plus a small margin; imbalanced-learn's exceeds it.
    import tracemalloc

    rng = np.random.RandomState(0)
    n_minority, n_majority, n_features = 2_000, 20_000, 10
    X = rng.normal(size=(n_minority + n_majority, n_features))
    y = np.r_[np.zeros(n_minority, dtype=int), np.ones(n_majority, dtype=int)]
    n_out = 2 * n_majority
    output_bytes = n_out * n_features * 8 + n_out * 8
    class_bytes = n_minority * n_features * 8 + n_minority * 6 * 8 * 2  # rows + neighbours
    draws_bytes = (n_majority - n_minority) * 8 * 5  # indices, rows, cols, steps
    allowed = output_bytes + class_bytes + draws_bytes + 512 * 1024

    def traced_peak(sampler):
        sampler.fit_resample(X, y)  # imports and caches outside the trace
        tracemalloc.start()
        try:
            sampler.fit_resample(X, y)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    ours = traced_peak(SMOTE(random_state=0))
    theirs = traced_peak(ImblearnSMOTE(random_state=0))
    assert ours <= allowed, (ours, allowed)
    assert theirs > allowed
