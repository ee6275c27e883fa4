"""Instances and known exceptions for the common estimator checks.

``tests/test_common.py`` builds one instance per estimator returned by
:func:`skselect.utils.all_estimators`. An estimator whose defaults cannot be constructed (a
required argument, as SMOTENC's ``categorical_features``) or that needs small settings for
speed registers them in :data:`INIT_PARAMS`; an estimator that cannot pass a check records the
check and the reason in :data:`EXPECTED_FAILED_CHECKS`. Nothing else needs editing when an
estimator is added.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from sklearn.base import clone
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

from skselect.conformal import ConformalSelector
from skselect.over_sampling import SMOTE
from skselect.utils.discovery import all_estimators

_LABEL_ZERO_RARE = [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]

# Estimator class name -> dict of constructor arguments, or a list of such dicts to check
# several configurations.
INIT_PARAMS = {
    # A fixed seed makes the checks that compare two fits (idempotence, pickling) meaningful.
    "SMOTE": dict(random_state=42),
    # categorical_features is required; the common checks' data are numeric, so the last
    # column is declared categorical (each distinct float becomes a category).
    "SMOTENC": dict(categorical_features=[-1], random_state=42),
    "SMOTEUnderSampler": dict(random_state=42),
    # Regression samplers. The checks' targets are class labels (0, 1, 2), whose box plot has
    # no extremes, so nothing would be rare: explicit control points make 0 the rare value
    # (relevance 1) and 1 and above normal. k_neighbors=1 lets small bins be over-sampled.
    "SMOTER": dict(random_state=42, k_neighbors=1, relevance=_LABEL_ZERO_RARE),
    "SMOGN": dict(random_state=42, k_neighbors=1, relevance=_LABEL_ZERO_RARE),
    "RelevanceRandomOverSampler": dict(random_state=42, relevance=_LABEL_ZERO_RARE),
    "RelevanceRandomUnderSampler": dict(random_state=42, relevance=_LABEL_ZERO_RARE),
    # Meta-estimator: both arguments are required. k_neighbors=1 lets SMOTE over-sample the
    # checks' smallest classes (two samples).
    "FitResampled": dict(
        sampler=SMOTE(random_state=42, k_neighbors=1), estimator=LogisticRegression()
    ),
    # Meta-estimators: a small, fast regressor as the ranking model. The classifier path
    # (probability of 1{y > threshold}) is exercised by tests/conformal/test_selector.py.
    "ConformalSelector": [
        {"estimator": LinearRegression()},
        {"estimator": Ridge(alpha=1.0), "method": "wcs", "pruning": "heterogeneous"},
    ],
    "OptCSSelector": [
        {"estimators": [LinearRegression(), Ridge(alpha=10.0)]},
        {"estimators": [Ridge(alpha=1.0)], "mode": "full"},
    ],
    # The wrapped selector is required; uniform weights need the stream's horizon.
    "OnlineConformalSelector": [
        {"selector": ConformalSelector(LinearRegression()), "horizon": 100},
        {
            "selector": ConformalSelector(Ridge(alpha=1.0), randomized=True),
            "procedure": "lond",
            "gamma": [0.5, 0.25, 0.125],
        },
    ],
    # A 5-point grid keeps the CV estimator's checks fast.
    "PRESTOClassifierCV": {"alphas": 5},
}

# Estimator class name -> {check name: reason}. Every entry needs a reason that a reader can
# verify; these are reported as xfail, so a check that starts passing is noticed (XPASS).
_PRESTO_WEIGHT_CHECK = (
    "the check's three blobs are not ordered along any direction and nearly separable: at "
    "the default alpha the non-crossing constraint of some training rows is active and the "
    "optimum is flat along it, so the weighted and the repeated fits reach objectives equal to "
    "3e-15 but probabilities that differ by ~2e-7, above the check's rtol=1e-7. Weights equal "
    "to repetition on ordinal data: "
    "tests/ordinal/test_presto.py::test_integer_sample_weight_equals_repetition."
)
_PO_WEIGHT_CHECK = (
    "on the check's separable blobs the unpenalised proportional-odds likelihood has no finite "
    "maximiser (the objective goes to 0 as the weights grow), so the two fits stop at different "
    "points of a flat ridge; weights equal repetition on ordinal data "
    "(tests/ordinal/test_presto.py::test_integer_sample_weight_equals_repetition)."
)
_WIDE_SPARSE_WEIGHT_CHECK = (
    "the check's sparse data have more features (30) than rows with positive weight (27), "
    "where an unpenalised weight vector (the default first_penalty_factor=0, or alpha=0 of the "
    "proportional-odds model) has no finite maximum-likelihood value; the fit is refused with "
    "an error naming that parameter (tests/ordinal/test_wide_sparse.py). Weights equal "
    "repetition on sparse data: tests/ordinal/test_wide_sparse.py::"
    "test_sparse_sample_weight_equals_repetition."
)
_REGRESSION_TARGET = (
    "imbalanced-learn's check expects a classification sampler to refuse a continuous "
    "target; a regression sampler exists to accept one (tests/over_sampling/test_smoter.py "
    "covers the targets it refuses)."
)
_ONE_HOT_TARGET = (
    "the check passes one-hot class labels, a multi-output target; a regression sampler takes "
    "one numeric target and refuses it with a message naming y."
)
_REGRESSION_CHECKS = {
    "check_target_type": _REGRESSION_TARGET,
    "check_samplers_multiclass_ova": _ONE_HOT_TARGET,
}
_INTERPOLATING_CHECKS = {
    **_REGRESSION_CHECKS,
    "check_samplers_preserve_dtype": (
        "the check passes an int32 target; SMOTER and SMOGN interpolate targets, which are not "
        "integers, so an integer target comes back float64 (documented; float32 stays "
        "float32, tests/over_sampling/test_smoter.py::test_input_untouched_float32_kept)."
    ),
    "check_samplers_pandas_sparse": (
        "SMOTER and SMOGN take dense data only (their sparse tag is False); imbalanced-learn "
        "runs this check for every sampler that takes DataFrames, whatever that tag says."
    ),
}
EXPECTED_FAILED_CHECKS = {
    "SMOTER": _INTERPOLATING_CHECKS,
    "SMOGN": _INTERPOLATING_CHECKS,
    "RelevanceRandomOverSampler": _REGRESSION_CHECKS,
    "RelevanceRandomUnderSampler": _REGRESSION_CHECKS,
    "SMOTENC": {
        "check_samplers_string": (
            "the check passes a single string column, i.e. only categorical features, which "
            "SMOTE-NC rejects by design (as imbalanced-learn's does; it skips SMOTENC in its "
            "own common tests); tests/over_sampling/test_smote_nc.py covers string categories."
        ),
    },
    "PRESTOClassifier": {
        "check_sample_weight_equivalence_on_dense_data": _PRESTO_WEIGHT_CHECK,
        "check_sample_weight_equivalence_on_sparse_data": _WIDE_SPARSE_WEIGHT_CHECK,
    },
    "ProportionalOddsClassifier": {
        "check_sample_weight_equivalence_on_dense_data": _PO_WEIGHT_CHECK,
        "check_sample_weight_equivalence_on_sparse_data": _WIDE_SPARSE_WEIGHT_CHECK,
    },
}


def _construct_instances(estimator_class):
    """Yield the instances of ``estimator_class`` the common checks run on."""
    params = INIT_PARAMS.get(estimator_class.__name__, {})
    for kwargs in params if isinstance(params, list) else [params]:
        yield estimator_class(**kwargs)


def _tested_estimators(type_filter=None):
    """Yield a fresh instance of every estimator (configuration) to check."""
    for _, estimator_class in all_estimators(type_filter=type_filter):
        for estimator in _construct_instances(estimator_class):
            yield clone(estimator)


def _get_expected_failed_checks(estimator):
    """Callable for ``parametrize_with_checks(expected_failed_checks=...)``."""
    return dict(EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {}))
