"""skselect.over_sampling.SMOTENC against imbalanced-learn's SMOTENC, the oracle it replaces."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from imblearn.over_sampling import SMOTENC as ImblearnSMOTENC
from scipy import sparse
from sklearn.preprocessing import OneHotEncoder

from skselect.over_sampling import SMOTENC


def _mixed(n=500, n_categories=3, seed=0, n_classes=3):
    rng = np.random.RandomState(seed)
    p = [0.1, 0.3, 0.6] if n_classes == 3 else [0.25, 0.75]
    y = rng.choice(n_classes, size=n, p=p)
    continuous = rng.normal(size=(n, 3))
    categorical = rng.randint(0, n_categories, size=(n, 2))
    # categorical columns interleaved with continuous ones, as users have them
    X = np.c_[continuous[:, :1], categorical[:, :1], continuous[:, 1:], categorical[:, 1:]]
    return X, y, [1, 4]


def _assert_identical(ours, theirs):
    (X_ours, y_ours), (X_theirs, y_theirs) = ours, theirs
    assert X_ours.dtype == X_theirs.dtype
    assert X_ours.shape == X_theirs.shape
    assert np.array_equal(X_ours, X_theirs)
    assert np.array_equal(y_ours, y_theirs)


def _both(X, y, **params):
    return (
        SMOTENC(**params).fit_resample(X, y),
        ImblearnSMOTENC(**params).fit_resample(X, y),
    )


@pytest.mark.parametrize("sampling_strategy", ["auto", "all", "minority", {0: 200, 1: 250}])
@pytest.mark.parametrize("seed", [0, 1])
def test_identical_to_imblearn(sampling_strategy, seed):
    X, y, categorical = _mixed(seed=seed)
    _assert_identical(
        *_both(
            X,
            y,
            categorical_features=categorical,
            sampling_strategy=sampling_strategy,
            random_state=seed,
        )
    )


def test_identical_on_pima_with_pregnancies_as_a_category():
    from skselect.datasets import load_pima

    X, y = load_pima(return_X_y=True)
    _assert_identical(*_both(X, y, categorical_features=[0], random_state=0))


def test_identical_binary_float_strategy():
    X, y, categorical = _mixed(n_classes=2)
    _assert_identical(
        *_both(X, y, categorical_features=categorical, sampling_strategy=0.8, random_state=0)
    )


@pytest.mark.parametrize("n_categories", [2, 40])
@pytest.mark.parametrize("k_neighbors", [3, 9])
def test_identical_vote_with_many_ties(n_categories, k_neighbors):
    # 40 categories and few neighbours: almost every vote is a tie, so this pins the
    # random tie-break to imbalanced-learn's permutation.
    X, y, categorical = _mixed(n_categories=n_categories)
    _assert_identical(
        *_both(X, y, categorical_features=categorical, k_neighbors=k_neighbors, random_state=2)
    )


def test_identical_with_random_state_instance():
    X, y, categorical = _mixed()
    ours = SMOTENC(categorical, random_state=np.random.RandomState(4)).fit_resample(X, y)
    theirs = ImblearnSMOTENC(categorical, random_state=np.random.RandomState(4)).fit_resample(X, y)
    _assert_identical(ours, theirs)


@pytest.mark.parametrize(
    "categorical_features",
    [[1, 4], [4, 1], [-4, -1], [False, True, False, False, True]],
)
def test_ways_to_name_categorical_features(categorical_features):
    X, y, _ = _mixed()
    _assert_identical(*_both(X, y, categorical_features=categorical_features, random_state=0))


def test_numpy_boolean_mask():
    # imbalanced-learn 0.14 compares the mask with "auto" and fails on a NumPy array; a list
    # mask is its equivalent.
    X, y, _ = _mixed()
    mask = [False, True, False, False, True]
    ours = SMOTENC(np.array(mask), random_state=0).fit_resample(X, y)
    _assert_identical(ours, ImblearnSMOTENC(mask, random_state=0).fit_resample(X, y))


def test_float32_stays_float32_and_identical():
    X, y, categorical = _mixed()
    ours, theirs = _both(X.astype(np.float32), y, categorical_features=categorical, random_state=0)
    assert ours[0].dtype == np.float32
    _assert_identical(ours, theirs)


def test_zero_median_std_falls_back_to_plain_one_hot_vote():
    X, y, categorical = _mixed()
    X[:, [0, 2, 3]] = 1.0  # every continuous feature constant: median std is 0
    ours, theirs = _both(X, y, categorical_features=categorical, random_state=0)
    _assert_identical(ours, theirs)


def test_string_categories_object_array():
    X, y, categorical = _mixed()
    X = X.astype(object)
    X[:, 1] = np.array(["red", "green", "blue"])[X[:, 1].astype(int)]
    X[:, 4] = np.array(["s", "m", "l"])[X[:, 4].astype(int)]
    ours, theirs = _both(X, y, categorical_features=categorical, random_state=0)
    assert ours[0].dtype == object
    assert (ours[0] == theirs[0]).all()
    assert set(ours[0][:, 1]) == {"red", "green", "blue"}


def test_pandas_auto_and_names_match_imblearn():
    pd = pytest.importorskip("pandas")
    X, y, _ = _mixed()
    df = pd.DataFrame(
        {
            "a": X[:, 0],
            "colour": pd.Categorical(np.array(["red", "green", "blue"])[X[:, 1].astype(int)]),
            "b": X[:, 2],
            "c": X[:, 3],
            "size": pd.Categorical(X[:, 4].astype(int)),
        }
    )
    target = pd.Series(y, name="label")
    for categorical in ["auto", ["colour", "size"]]:
        (X_ours, y_ours), (X_theirs, y_theirs) = _both(
            df, target, categorical_features=categorical, random_state=0
        )
        pd.testing.assert_frame_equal(X_ours, X_theirs, check_exact=True)
        pd.testing.assert_series_equal(y_ours, y_theirs, check_exact=True)


def test_custom_encoder_matches_imblearn():
    X, y, categorical = _mixed()
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    _assert_identical(
        *_both(X, y, categorical_features=categorical, categorical_encoder=encoder, random_state=0)
    )


def test_sparse_input_matches_imblearn():
    X, y, categorical = _mixed()
    X = sparse.csr_matrix(np.where(np.abs(X) > 0.5, X, 0))
    (X_ours, y_ours), (X_theirs, y_theirs) = _both(
        X, y, categorical_features=categorical, random_state=0
    )
    assert sparse.issparse(X_ours) and X_ours.format == "csr"
    np.testing.assert_allclose(X_ours.toarray(), X_theirs.toarray(), rtol=0, atol=1e-12)
    assert np.array_equal(y_ours, y_theirs)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_n_jobs_never_changes_output(n_jobs):
    X, y, categorical = _mixed(n=1500, n_categories=30)
    reference = SMOTENC(categorical, random_state=0).fit_resample(X, y)
    _assert_identical(
        SMOTENC(categorical, random_state=0, n_jobs=n_jobs).fit_resample(X, y), reference
    )


def test_new_categories_are_a_neighbour_majority():
    # Independent check of the vote: with k neighbours all of one category, the new sample
    # must take it. Build a class whose samples share a category per cluster.
    rng = np.random.RandomState(0)
    centers = np.array([[0.0, 0.0], [100.0, 100.0]])
    cluster = np.repeat([0, 1], 15)
    continuous = centers[cluster] + rng.normal(scale=0.1, size=(30, 2))
    X = np.c_[continuous, cluster]  # category == cluster
    X = np.r_[X, np.c_[rng.normal(size=(60, 2)) + 50, rng.randint(0, 2, 60)]]
    y = np.r_[np.zeros(30, dtype=int), np.ones(60, dtype=int)]
    X_res, _ = SMOTENC([2], k_neighbors=5, random_state=0).fit_resample(X, y)
    new = X_res[len(X) :]
    expected_category = (new[:, 0] > 50).astype(float)
    np.testing.assert_array_equal(new[:, 2], expected_category)


# ----------------------------------------------------------------------------- errors


def test_categorical_indices_out_of_range():
    X, y, _ = _mixed()
    with pytest.raises(ValueError, match=r"indices \[7\] out of range for X with 5 features"):
        SMOTENC([1, 7]).fit_resample(X, y)


def test_only_categorical_or_only_continuous():
    X, y, _ = _mixed()
    with pytest.raises(ValueError, match="not designed to work only with categorical"):
        SMOTENC([0, 1, 2, 3, 4]).fit_resample(X, y)
    with pytest.raises(ValueError, match="not designed to work only with numerical"):
        SMOTENC(np.zeros(5, dtype=bool)).fit_resample(X, y)
    # The messages name the argument to change.
    with pytest.raises(ValueError, match="categorical_features names all n_features=5"):
        SMOTENC([0, 1, 2, 3, 4]).fit_resample(X, y)
    with pytest.raises(ValueError, match="categorical_features names none"):
        SMOTENC([]).fit_resample(X, y)


@pytest.mark.parametrize("features", [[2, 2], [1, -4], [0, 1, 2, 3, -1, 0]])
def test_repeated_categorical_columns_are_refused(features):
    # A repeated index once passed silently; with [0, 1, 2, 3, -1, 0] it even looked like
    # "every column categorical".
    X, y, _ = _mixed()
    with pytest.raises(
        ValueError, match=r"categorical_features names columns \[.*\] more than once"
    ):
        SMOTENC(features).fit_resample(X, y)


def test_boolean_mask_of_wrong_length():
    X, y, _ = _mixed()
    with pytest.raises(ValueError, match="one entry per feature: got 3 entries for 5"):
        SMOTENC(np.array([True, False, True])).fit_resample(X, y)


def test_names_require_dataframe():
    X, y, _ = _mixed()
    with pytest.raises(ValueError, match="requires X to be a pandas.DataFrame"):
        SMOTENC(["a"]).fit_resample(X, y)
    with pytest.raises(ValueError, match="should be a pandas.DataFrame"):
        SMOTENC("auto").fit_resample(X, y)


def test_lossy_encoder_is_rejected():
    X, y, categorical = _mixed()
    with pytest.raises(ValueError, match="produced 4 columns for 6 categories"):
        SMOTENC(categorical, categorical_encoder=OneHotEncoder(drop="first")).fit_resample(X, y)


@pytest.mark.parametrize("bad, word", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_nan_in_continuous_features(bad, word):
    X, y, categorical = _mixed()
    X[5, 0] = bad
    with pytest.raises(ValueError, match=f"Input X contains {word}"):
        SMOTENC(categorical).fit_resample(X, y)


def test_small_class_message():
    X, y, categorical = _mixed()
    keep = np.r_[np.flatnonzero(y == 0)[:3], np.flatnonzero(y != 0)]
    with pytest.raises(ValueError, match="class 0 has only 3. Use k_neighbors <= 2"):
        SMOTENC(categorical).fit_resample(X[keep], y[keep])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_neighbours_follow_the_papers_distance(seed):
    # Brute-force oracle of the paper's SMOTE-NC (section 6.1): squared distance = squared
    # Euclidean distance of the continuous features + Med^2 per differing nominal feature,
    # Med the median of the class's continuous standard deviations. With k=1 every synthetic
    # sample lies on the segment from its base to the base's nearest neighbour under that
    # distance, and takes that neighbour's categories. This would fail with imbalanced-learn's
    # old Med^2 / 2 penalty or with Med computed on another class.
    rng = np.random.RandomState(seed)
    n_class, n_other = 30, 90
    continuous = rng.normal(size=(n_class + n_other, 2)) * [1.0, 3.0]
    categories = rng.randint(0, 3, size=(n_class + n_other, 2)).astype(float)
    X = np.c_[continuous, categories]
    y = np.r_[np.zeros(n_class, dtype=int), np.ones(n_other, dtype=int)]
    X_res, _ = SMOTENC([2, 3], k_neighbors=1, random_state=seed).fit_resample(X, y)

    minority = X[:n_class]
    med = np.median(minority[:, :2].std(axis=0))
    squared = ((minority[:, None, :2] - minority[None, :, :2]) ** 2).sum(axis=2)
    squared += med**2 * (minority[:, None, 2:] != minority[None, :, 2:]).sum(axis=2)
    np.fill_diagonal(squared, np.inf)
    nearest = squared.argmin(axis=1)

    for sample in X_res[len(X) :]:
        matches = []
        for base in range(n_class):
            a, b = minority[base, :2], minority[nearest[base], :2]
            t = np.dot(sample[:2] - a, b - a) / np.dot(b - a, b - a)
            if 0 <= t < 1 and np.allclose(a + t * (b - a), sample[:2], atol=1e-9):
                matches.append(base)
        assert matches, "synthetic sample off every segment of the paper's neighbours"
        assert any(np.array_equal(sample[2:], minority[nearest[m], 2:]) for m in matches)


def test_big_endian_input_gives_imbalanced_learns_result():
    # scipy.sparse refused the non-native byte order inside the neighbour search.
    from imblearn.over_sampling import SMOTENC as ImblearnSMOTENC

    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(size=(60, 2)), rng.integers(0, 3, 60)]
    y = (np.arange(60) % 4 == 0).astype(int)
    ours = SMOTENC([2], random_state=0).fit_resample(X.astype(">f8"), y)
    theirs = ImblearnSMOTENC(categorical_features=[2], random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], theirs[1])
