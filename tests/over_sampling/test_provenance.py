"""Provenance of resampled rows, row-aligned arrays carried through, and FitResampled."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from skselect.combine import SMOTEUnderSampler
from skselect.over_sampling import SMOTE, SMOTENC, FitResampled


def _data(seed=0, n=300):
    return make_classification(
        n_samples=n,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        weights=[0.1, 0.3, 0.6],
        random_state=seed,
    )


def _brute_force_neighbours(X_class, k):
    """Each row's k nearest other rows of the class, by sorting all squared distances."""
    d2 = ((X_class[:, None, :] - X_class[None, :, :]) ** 2).sum(axis=-1)
    np.fill_diagonal(d2, np.inf)
    return np.argsort(d2, axis=1, kind="stable")[:, :k]


def _brute_force_smote(X, y, random_state, k=5):
    """imbalanced-learn's documented draws, replayed with a brute-force neighbour search."""
    counts = {c: int((y == c).sum()) for c in np.unique(y)}
    target = max(counts.values())
    bases, neighbours, gaps = [], [], []
    for label in sorted(counts):
        n_new = target - counts[label]
        if n_new == 0:
            continue
        class_indices = np.flatnonzero(y == label)
        table = _brute_force_neighbours(X[class_indices], k)
        rng = np.random.RandomState(random_state)
        flat = rng.randint(0, class_indices.size * k, size=n_new)
        steps = rng.uniform(size=n_new)
        rows, cols = np.divmod(flat, k)
        bases.append(class_indices[rows])
        neighbours.append(class_indices[table[rows, cols]])
        gaps.append(steps)
    return np.concatenate(bases), np.concatenate(neighbours), np.concatenate(gaps)


@pytest.mark.parametrize("seed", [0, 3])
def test_smote_provenance_matches_brute_force_reconstruction(seed):
    X, y = _data(seed)
    sampler = SMOTE(random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    base, neighbour, gaps = _brute_force_smote(X, y, seed)
    np.testing.assert_array_equal(sampler.base_indices_, base)
    np.testing.assert_array_equal(sampler.neighbor_indices_, neighbour)
    np.testing.assert_array_equal(sampler.gaps_, gaps)
    np.testing.assert_array_equal(sampler.sample_indices_, np.arange(len(X)))
    np.testing.assert_array_equal(sampler.synthetic_indices_, np.arange(len(X), len(X_res)))
    synthetic = X_res[sampler.synthetic_indices_]
    np.testing.assert_allclose(synthetic, X[base] + gaps[:, None] * (X[neighbour] - X[base]))
    np.testing.assert_array_equal(y_res[sampler.synthetic_indices_], y[base])
    np.testing.assert_array_equal(y[base], y[neighbour])


def test_smotenc_provenance_continuous_part_and_neighbours():
    rng = np.random.RandomState(0)
    X, y = _data(1)
    X = np.c_[X, rng.randint(0, 3, size=len(X))]
    sampler = SMOTENC(categorical_features=[4], random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    base, neighbour, gaps = sampler.base_indices_, sampler.neighbor_indices_, sampler.gaps_
    assert base.size == len(X_res) - len(X) > 0
    assert np.all((gaps >= 0) & (gaps < 1))
    continuous = X_res[len(X) :, :4]
    np.testing.assert_allclose(
        continuous, X[base, :4] + gaps[:, None] * (X[neighbour, :4] - X[base, :4])
    )
    np.testing.assert_array_equal(y_res[len(X) :], y[base])
    # the neighbour is one of the base's 5 nearest by the paper's distance
    for label in np.unique(y[base]):
        class_indices = np.flatnonzero(y == label)
        X_class = X[class_indices]
        median = np.median(X_class[:, :4].std(axis=0))
        d2 = ((X_class[:, None, :4] - X_class[None, :, :4]) ** 2).sum(-1)
        d2 += median**2 * (X_class[:, None, 4] != X_class[None, :, 4])
        np.fill_diagonal(d2, np.inf)
        position = {index: i for i, index in enumerate(class_indices)}
        for b, nn in zip(base[y[base] == label], neighbour[y[base] == label]):
            row = d2[position[b]]
            assert row[position[nn]] <= np.sort(row)[4] + 1e-9


@pytest.mark.parametrize("under_percent", [50, 100, 400])
def test_smote_under_sampler_provenance(under_percent):
    X, y = make_classification(n_samples=300, weights=[0.15], random_state=2)
    sampler = SMOTEUnderSampler(smote_percent=200, under_percent=under_percent, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    is_synthetic = np.zeros(len(X_res), dtype=bool)
    is_synthetic[sampler.synthetic_indices_] = True
    # the kept originals, in output order, are the rows given by sample_indices_
    np.testing.assert_array_equal(X_res[~is_synthetic], X[sampler.sample_indices_])
    np.testing.assert_array_equal(y_res[~is_synthetic], y[sampler.sample_indices_])
    assert len(np.unique(sampler.sample_indices_)) == sampler.sample_indices_.size
    base, neighbour, gaps = sampler.base_indices_, sampler.neighbor_indices_, sampler.gaps_
    np.testing.assert_allclose(
        X_res[is_synthetic], X[base] + gaps[:, None] * (X[neighbour] - X[base])
    )
    # every synthetic row belongs to the minority class, and all 2 * n_minority are kept
    n_minority = int((y == 0).sum())  # weights=[0.15]: class 0 is the minority
    assert np.all(y[base] == 0) and base.size == 2 * n_minority
    # the kept majority rows are distinct original rows: under-sampling never duplicates
    kept_majority = sampler.sample_indices_[y[sampler.sample_indices_] == 1]
    assert kept_majority.size == min(int(3 * n_minority * 100 / under_percent), (y == 1).sum())


@pytest.mark.parametrize(
    "sampler",
    [SMOTE(random_state=0), SMOTEUnderSampler(random_state=0, under_percent=150)],
    ids=["SMOTE", "SMOTEUnderSampler"],
)
def test_resample_array_follows_provenance(sampler):
    pd = pytest.importorskip("pandas", reason="pandas round-trip of a side array")
    X, y = _data(4)
    weights = np.linspace(0.5, 2.0, len(y))
    groups = np.arange(len(y)) % 7
    X_res, y_res = sampler.fit_resample(X, y)

    carried_groups = sampler.resample_array(groups)
    carried_weights = sampler.resample_array(pd.Series(weights, name="w"))
    interpolated = sampler.resample_array(weights, interpolate=True)
    assert len(carried_groups) == len(carried_weights) == len(interpolated) == len(X_res)
    assert isinstance(carried_weights, pd.Series)

    # brute force: find each output row's source by the provenance arrays' definitions
    for position in range(len(X_res)):
        matches = np.flatnonzero((X == X_res[position]).all(axis=1))
        if position in set(sampler.synthetic_indices_.tolist()):
            i = np.searchsorted(sampler.synthetic_indices_, position)
            b, nn, gap = sampler.base_indices_[i], sampler.neighbor_indices_[i], sampler.gaps_[i]
            assert carried_groups[position] == groups[b]
            assert carried_weights.iloc[position] == weights[b]
            assert interpolated[position] == pytest.approx(
                weights[b] + gap * (weights[nn] - weights[b])
            )
        else:
            source = int(matches[0])
            assert carried_groups[position] == groups[source]
            assert interpolated[position] == weights[source]


def test_resample_array_errors():
    X, y = _data(0)
    sampler = SMOTE(random_state=0)
    with pytest.raises(Exception, match="not fitted"):
        sampler.resample_array(y)
    sampler.fit_resample(X, y)
    with pytest.raises(ValueError, match="values has 10 rows but the last fit_resample saw 300"):
        sampler.resample_array(np.ones(10))
    with pytest.raises(TypeError, match="interpolate=True needs numeric values"):
        sampler.resample_array(np.array(["a"] * len(y), dtype=object), interpolate=True)


class _RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Remembers what its fit received."""

    def fit(self, X, y, sample_weight=None, groups=None):
        self.X_, self.y_ = X, y
        self.sample_weight_, self.groups_ = sample_weight, groups
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_fit_resampled_in_an_imblearn_pipeline_carries_weights_and_groups():
    X, y = _data(5)
    weights = np.linspace(0.5, 2.0, len(y))
    groups = np.arange(len(y)) % 5
    pipe = make_pipeline(
        StandardScaler(),
        FitResampled(SMOTE(random_state=0), _RecordingClassifier(), interpolate=["sample_weight"]),
    )
    pipe.fit(X, y, fitresampled__sample_weight=weights, fitresampled__groups=groups)
    step = pipe[-1]
    fitted = step.estimator_
    n_out = len(fitted.y_)
    assert len(fitted.sample_weight_) == len(fitted.groups_) == len(fitted.X_) == n_out > len(X)
    smote = step.sampler_
    base, nn, gap = smote.base_indices_, smote.neighbor_indices_, smote.gaps_
    np.testing.assert_array_equal(fitted.groups_, np.r_[groups, groups[base]])
    np.testing.assert_allclose(
        fitted.sample_weight_, np.r_[weights, weights[base] + gap * (weights[nn] - weights[base])]
    )
    # the resampled data are SMOTE's on the scaled data
    X_scaled = StandardScaler().fit_transform(X)
    X_expected, _ = SMOTE(random_state=0).fit_resample(X_scaled, y)
    np.testing.assert_allclose(fitted.X_, X_expected)


def test_fit_resampled_weights_change_the_model_as_a_manual_fit_does():
    X, y = make_classification(n_samples=200, weights=[0.8], random_state=1)
    weights = np.where(X[:, 0] > 0, 3.0, 1.0)
    model = FitResampled(SMOTE(random_state=0), LogisticRegression()).fit(
        X, y, sample_weight=weights
    )
    smote = SMOTE(random_state=0)
    X_res, y_res = smote.fit_resample(X, y)
    manual = LogisticRegression().fit(
        X_res, y_res, sample_weight=np.r_[weights, weights[smote.base_indices_]]
    )
    np.testing.assert_allclose(model.estimator_.coef_, manual.coef_)
    unweighted = LogisticRegression().fit(X_res, y_res)
    assert not np.allclose(model.estimator_.coef_, unweighted.coef_)
    np.testing.assert_array_equal(model.predict(X), manual.predict(X))
    np.testing.assert_allclose(model.predict_proba(X), manual.predict_proba(X))


def test_fit_resampled_rejects_unknown_interpolate_names():
    X, y = _data(0)
    model = FitResampled(SMOTE(random_state=0), LogisticRegression(), interpolate=["weights"])
    with pytest.raises(ValueError, match=r"interpolate names \['weights'\]"):
        model.fit(X, y, sample_weight=np.ones(len(y)))
