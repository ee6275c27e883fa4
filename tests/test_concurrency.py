"""Estimators fitted from several Python threads at once give the sequential results.

Nothing may be shared between fits: no module-level mutable state, no kernel scratch buffer
that outlives a call, no global random state. Each estimator is fitted on a few different data
sets, one after the other, then all at once from as many threads (released together by a
barrier), twice; every concurrent result must equal its sequential one exactly. The
small-work threshold of the package's threading rule (``_kernel_n_threads``) is lowered to one
unit, so that the kernels that follow the rule also start OpenMP threads of their own inside
each Python thread.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

from skselect.cluster import PPP
from skselect.combine import SMOTEUnderSampler
from skselect.conformal import (
    ConformalSelector,
    OnlineConformalSelector,
    OptCSSelector,
    conformal_pvalues,
)
from skselect.ordinal import PRESTOClassifier, PRESTOClassifierCV, ProportionalOddsClassifier
from skselect.over_sampling import (
    SMOGN,
    SMOTE,
    SMOTENC,
    SMOTER,
    FitResampled,
    RelevanceRandomOverSampler,
    RelevanceRandomUnderSampler,
)
from skselect.utils import _parallel
from skselect.utils.discovery import all_estimators

N_THREADS = 4


@pytest.fixture(autouse=True)
def _kernels_always_parallel(monkeypatch):
    monkeypatch.setattr(_parallel, "MIN_WORK_PER_THREAD", 1)


def _classification(seed, n=600, d=10):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X[:, 0] + 0.5 * rng.normal(size=n) > 1.2).astype(int)  # about 1 in 8 positive
    return X, y


def _ordinal(seed, n=400, d=6):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.digitize(X[:, 0] + X[:, 1] + rng.logistic(size=n), [-1.5, 0.0, 1.5])
    return X, y


def _regression(seed, n=600, d=5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, X[:, 0] + rng.normal(size=n)


def _skewed(seed, n=600, d=5):
    """A target with a long high tail: a rare high bin for the regression samplers."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, np.exp(1.5 * X[:, 0] + 0.3 * rng.normal(size=n))


def _blobs(seed, n=600, d=3):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, d)) * 6
    return np.repeat(centres, n // 3, axis=0) + rng.normal(size=(n // 3 * 3, d)), None


def _smotenc_data(seed):
    X, y = _classification(seed, d=8)
    X[:, -1] = np.random.default_rng(seed + 100).integers(0, 4, size=len(y))
    return X, y


def _resample(make):
    def run(X, y, seed):
        return make(seed).fit_resample(X, y)

    return run


def _proba(make):
    def run(X, y, seed):
        return make(seed).fit(X, y).predict_proba(X)

    return run


def _ppp(X, y, seed):
    # PPP has no random state: the seed only varies the data it is given.
    model = PPP().fit(X)
    return model.labels_, model.predict(X), model.transform(X)


def _selector(make):
    def run(X, y, seed):
        model = make(seed).fit(X[:300], y[:300])
        return model.select(X[300:]), np.asarray(model.p_values(X[300:]))

    return run


def _online(X, y, seed):
    selector = ConformalSelector(LinearRegression(), randomized=True, random_state=seed)
    model = OnlineConformalSelector(selector, fdr=0.2, horizon=300).fit(X[:300], y[:300])
    for start in range(300, 600, 60):
        mask = model.partial_select(X[start : start + 60])
    return mask, model.p_values_, model.selected_at_


# Estimator name -> (data maker, run(X, y, seed) -> arrays to compare).
CASES = {
    "SMOTE": (_classification, _resample(lambda s: SMOTE(random_state=s))),
    "SMOTENC": (
        _smotenc_data,
        _resample(lambda s: SMOTENC(categorical_features=[-1], random_state=s)),
    ),
    "SMOTEUnderSampler": (
        _classification,
        _resample(lambda s: SMOTEUnderSampler(smote_percent=200, random_state=s)),
    ),
    "FitResampled": (
        _classification,
        _proba(lambda s: FitResampled(SMOTE(random_state=s), LogisticRegression())),
    ),
    "SMOTER": (_skewed, _resample(lambda s: SMOTER(random_state=s))),
    "SMOGN": (_skewed, _resample(lambda s: SMOGN(random_state=s))),
    "RelevanceRandomOverSampler": (
        _skewed,
        _resample(lambda s: RelevanceRandomOverSampler(random_state=s)),
    ),
    "RelevanceRandomUnderSampler": (
        _skewed,
        _resample(lambda s: RelevanceRandomUnderSampler(random_state=s)),
    ),
    "PRESTOClassifier": (_ordinal, _proba(lambda s: PRESTOClassifier(alpha=0.01))),
    "PRESTOClassifierCV": (_ordinal, _proba(lambda s: PRESTOClassifierCV(alphas=4, cv=3))),
    "ProportionalOddsClassifier": (_ordinal, _proba(lambda s: ProportionalOddsClassifier())),
    "PPP": (_blobs, _ppp),
    "ConformalSelector": (
        _regression,
        _selector(lambda s: ConformalSelector(LinearRegression(), random_state=s)),
    ),
    "OptCSSelector": (
        _regression,
        _selector(lambda s: OptCSSelector([LinearRegression(), Ridge(alpha=10.0)], random_state=s)),
    ),
    "OnlineConformalSelector": (_regression, _online),
}


def test_every_estimator_has_a_case():
    assert sorted(CASES) == sorted(name for name, _ in all_estimators())


def _assert_same(a, b):
    if isinstance(a, tuple):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _assert_same(u, v)
    else:
        np.testing.assert_array_equal(a, b)


def _concurrently(run, inputs):
    barrier = threading.Barrier(len(inputs))

    def task(args):
        barrier.wait()
        return run(*args)

    with ThreadPoolExecutor(max_workers=len(inputs)) as pool:
        return list(pool.map(task, inputs))


@pytest.mark.parametrize("name", sorted(CASES))
def test_concurrent_fits_equal_sequential_fits(name):
    make_data, run = CASES[name]
    inputs = [(*make_data(seed), seed) for seed in range(N_THREADS)]
    sequential = [run(*args) for args in inputs]
    for _ in range(2):
        for expected, got in zip(sequential, _concurrently(run, inputs)):
            _assert_same(got, expected)


def test_concurrent_randomized_pvalues():
    rng = np.random.default_rng(0)
    calib = np.round(rng.normal(size=5000), 1)  # ties, so the randomisation matters
    tests = [np.round(rng.normal(size=2000), 1) for _ in range(N_THREADS)]

    def run(test, seed):
        return conformal_pvalues(calib, test, randomized=True, random_state=seed)

    inputs = [(t, seed) for seed, t in enumerate(tests)]
    sequential = [run(*args) for args in inputs]
    for expected, got in zip(sequential, _concurrently(run, inputs)):
        np.testing.assert_array_equal(got, expected)


# One fitted estimator, asked from many threads at once. Estimator name -> (data maker,
# fit(X, y) -> fitted estimator, ask(fitted, X_batch, y_batch) -> arrays to compare). The
# samplers' read-only question is resample_array (fit_resample is a fit: it writes the
# fitted attributes, so one sampler is not shared between concurrent fits, as in
# imbalanced-learn).
N_ASKING_THREADS = 8


def _sampler_case(make):
    def fit(X, y):
        sampler = make()
        sampler.fit_resample(X, y)
        return sampler

    def ask(sampler, X, y):
        values = np.arange(len(y), dtype=float) + X[:, 0]
        return (
            sampler.resample_array(values),
            sampler.resample_array(values, interpolate=True),
        )

    return fit, ask


def _predictor_case(make):
    def fit(X, y):
        return make().fit(X, y)

    def ask(model, X, y):
        return model.predict(X), model.predict_proba(X)

    return fit, ask


def _ppp_case():
    def fit(X, y):
        return PPP().fit(X)

    def ask(model, X, y):
        return model.predict(X), model.predict_proba(X), model.transform(X)

    return fit, ask


def _selector_case(make, n_calib=300):
    def fit(X, y):
        return make().fit(X[:n_calib], y[:n_calib])

    def ask(selector, X, y):
        X_test = X[n_calib:]
        report = selector.selection_report(X_test)
        return (
            selector.select(X_test),
            np.asarray(selector.p_values(X_test)),
            np.asarray(report["selected"]),
        )

    return fit, ask


def _online_case():
    # partial_select changes the stream (one stream per instance); the threads ask the
    # read-only questions of a fitted selector whose stream has received units.
    def fit(X, y):
        selector = ConformalSelector(LinearRegression(), randomized=True, random_state=None)
        model = OnlineConformalSelector(selector, horizon=1000).fit(X[:300], y[:300])
        model.partial_select(X[300:400])
        return model

    def ask(model, X, y):
        return np.asarray(model.p_values(X)), model.p_values_, model.selected_

    return fit, ask


def _small_regression(seed):
    return _regression(seed, n=60)


SHARED_CASES = {
    "SMOTE": (_classification, *_sampler_case(lambda: SMOTE(random_state=0))),
    "SMOTENC": (
        _smotenc_data,
        *_sampler_case(lambda: SMOTENC(categorical_features=[-1], random_state=0)),
    ),
    "SMOTEUnderSampler": (
        _classification,
        *_sampler_case(lambda: SMOTEUnderSampler(smote_percent=200, random_state=0)),
    ),
    "FitResampled": (
        _classification,
        *_predictor_case(lambda: FitResampled(SMOTE(random_state=0), LogisticRegression())),
    ),
    "SMOTER": (_skewed, *_sampler_case(lambda: SMOTER(random_state=0))),
    "SMOGN": (_skewed, *_sampler_case(lambda: SMOGN(random_state=0))),
    "RelevanceRandomOverSampler": (
        _skewed,
        *_sampler_case(lambda: RelevanceRandomOverSampler(random_state=0)),
    ),
    "RelevanceRandomUnderSampler": (
        _skewed,
        *_sampler_case(lambda: RelevanceRandomUnderSampler(random_state=0)),
    ),
    "PRESTOClassifier": (_ordinal, *_predictor_case(lambda: PRESTOClassifier(alpha=0.01))),
    "PRESTOClassifierCV": (
        _ordinal,
        *_predictor_case(lambda: PRESTOClassifierCV(alphas=4, cv=3)),
    ),
    "ProportionalOddsClassifier": (
        _ordinal,
        *_predictor_case(lambda: ProportionalOddsClassifier()),
    ),
    "PPP": (_blobs, *_ppp_case()),
    # random_state=None: the select-time draws are seeded once at fit, so every thread's
    # answer equals the serial one.
    "ConformalSelector": (
        _regression,
        *_selector_case(
            lambda: ConformalSelector(LinearRegression(), randomized=True, random_state=None)
        ),
    ),
    "OptCSSelector": (
        _regression,
        *_selector_case(
            lambda: OptCSSelector([LinearRegression(), Ridge(alpha=10.0)], random_state=None)
        ),
    ),
    "OnlineConformalSelector": (_regression, *_online_case()),
    # The full mode's leave-one-out rankings are memoised per batch: threads asking about
    # different batches at once must each get their own batch's answer.
    "OptCSSelector-full": (
        _small_regression,
        *_selector_case(
            lambda: OptCSSelector([Ridge()], mode="full", fdr=0.3, random_state=None),
            n_calib=40,
        ),
    ),
}


def test_every_estimator_has_a_shared_case():
    names = {name.split("-")[0] for name in SHARED_CASES}
    assert sorted(names) == sorted(name for name, _ in all_estimators())


@pytest.mark.parametrize("name", sorted(SHARED_CASES))
def test_one_fitted_estimator_answers_many_threads_as_it_answers_one(name):
    make_data, fit, ask = SHARED_CASES[name]
    X, y = make_data(0)
    fitted = fit(X, y)
    # Half the threads ask about the training data, half about other batches of the same
    # shape, so that answers differ between threads and a mix-up shows.
    batches = [make_data(seed % 2 * (seed + 1)) for seed in range(N_ASKING_THREADS)]
    sequential = [ask(fitted, *batch) for batch in batches]
    for _ in range(2):
        got = _concurrently(lambda batch: ask(fitted, *batch), [(b,) for b in batches])
        for expected, answer in zip(sequential, got):
            _assert_same(answer, expected)
