"""skselect.combine.SMOTEUnderSampler against the same two steps chained in imbalanced-learn."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from collections import Counter

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE as ImblearnSMOTE
from imblearn.pipeline import make_pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.tree import DecisionTreeClassifier

from skselect.combine import SMOTEUnderSampler
from skselect.datasets import load_pima


def _imblearn_chain(X, y, over, under, seed):
    if over is not None:
        X, y = ImblearnSMOTE(sampling_strategy=over, random_state=seed).fit_resample(X, y)
    if under is not None:
        X, y = RandomUnderSampler(sampling_strategy=under, random_state=seed).fit_resample(X, y)
    return X, y


@pytest.mark.parametrize(
    "smote_percent, under_percent",
    [(100, 100), (200, 50), (300, 1000), (0, 25), (50, 2000), (100, 10)],
)
def test_paper_parameterisation_matches_the_imblearn_chain(smote_percent, under_percent):
    X, y = load_pima(return_X_y=True)  # 500 majority (0), 268 minority (1)
    n_new = int(268 * smote_percent / 100)
    n_minority = 268 + n_new
    n_majority = min(500, int(n_minority * 100 / under_percent))
    X_ours, y_ours = SMOTEUnderSampler(
        smote_percent=smote_percent, under_percent=under_percent, random_state=3
    ).fit_resample(X, y)
    X_ref, y_ref = _imblearn_chain(
        X,
        y,
        {1: n_minority} if n_new else None,
        {0: n_majority} if n_majority < 500 else None,
        3,
    )
    np.testing.assert_array_equal(X_ours, X_ref)
    np.testing.assert_array_equal(y_ours, y_ref)
    counts = Counter(y_ours.tolist())
    assert counts == {1: n_minority, 0: n_majority}


def test_under_percent_is_minority_over_majority_in_percent():
    X, y = load_pima(return_X_y=True)
    # after SMOTE-100 the minority has 536 samples, 107 % of the 500 majority samples: lower
    # levels keep the majority whole
    for level in [25, 100]:
        _, y_res = SMOTEUnderSampler(
            smote_percent=100, under_percent=level, random_state=0
        ).fit_resample(X, y)
        assert Counter(y_res.tolist()) == {0: 500, 1: 536}
    for level in [125, 150, 200, 400, 1000]:
        _, y_res = SMOTEUnderSampler(
            smote_percent=100, under_percent=level, random_state=0
        ).fit_resample(X, y)
        counts = Counter(y_res.tolist())
        # floor in the majority target: the ratio is at least the level, within one sample
        assert 100 * counts[1] / counts[0] >= level
        assert 100 * counts[1] / (counts[0] + 1) < level


def test_imblearn_strategies_match_the_imblearn_chain():
    X, y = load_pima(return_X_y=True)
    ours = SMOTEUnderSampler(over_strategy=0.8, under_strategy=0.9, random_state=1).fit_resample(
        X, y
    )
    ref = _imblearn_chain(X, y, 0.8, 0.9, 1)
    np.testing.assert_array_equal(ours[0], ref[0])
    np.testing.assert_array_equal(ours[1], ref[1])


def test_multiclass_touches_only_minority_and_majority():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(350, 3))
    y = np.r_[np.zeros(50, dtype=int), np.ones(100, dtype=int), np.full(200, 2)]
    sampler = SMOTEUnderSampler(smote_percent=100, under_percent=100, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 100, 1: 100, 2: 100}
    assert sampler.sampling_strategy_ == {"over": {0: 50}, "under": {2: 100}}


def test_in_an_imblearn_pipeline():
    X, y = load_pima(return_X_y=True)
    pipe = make_pipeline(
        SMOTEUnderSampler(smote_percent=200, under_percent=100, random_state=0),
        DecisionTreeClassifier(random_state=0),
    ).fit(X, y)
    # resampling acts during fit only: prediction keeps all rows
    assert pipe.predict(X).shape == (768,)


def test_bad_parameters():
    X, y = load_pima(return_X_y=True)
    with pytest.raises(ValueError, match="The 'under_percent' parameter"):
        SMOTEUnderSampler(under_percent=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="The 'smote_percent' parameter"):
        SMOTEUnderSampler(smote_percent=-5).fit_resample(X, y)
    with pytest.raises(ValueError, match="needs to have more than 1 class"):
        SMOTEUnderSampler().fit_resample(X, np.zeros(len(X)))


@pytest.mark.parametrize("smote_percent", [9e17, 1e300])
def test_smote_percent_beyond_memory_is_named(smote_percent):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (np.arange(60) % 4 == 0).astype(int)
    with pytest.raises(ValueError, match=r"smote_percent=.* asks for .* synthetic samples"):
        SMOTEUnderSampler(smote_percent=smote_percent).fit_resample(X, y)
