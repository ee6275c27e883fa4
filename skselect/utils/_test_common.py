"""Instances and known exceptions for the common estimator checks.

``tests/test_common.py`` builds one instance per estimator returned by
:func:`skselect.utils.all_estimators`. An estimator whose defaults cannot be constructed (a
required argument, as SMOTENC's ``categorical_features``) or that needs small settings for
speed registers them in :data:`INIT_PARAMS`; an estimator that cannot pass a check records the
check and the reason in :data:`EXPECTED_FAILED_CHECKS`. Nothing else needs editing when an
estimator is added.
"""

from sklearn.base import clone

from skselect.utils.discovery import all_estimators

# Estimator class name -> dict of constructor arguments, or a list of such dicts to check
# several configurations.
INIT_PARAMS = {
    # A fixed seed makes the checks that compare two fits (idempotence, pickling) meaningful.
    "SMOTE": dict(random_state=42),
    # categorical_features is required; the common checks' data are numeric, so the last
    # column is declared categorical (each distinct float becomes a category).
    "SMOTENC": dict(categorical_features=[-1], random_state=42),
    "SMOTEUnderSampler": dict(random_state=42),
}

# Estimator class name -> {check name: reason}. Every entry needs a reason that a reader can
# verify; these are reported as xfail, so a check that starts passing is noticed (XPASS).
_GLOBAL_RNG_CHECK = (
    "scikit-learn's check itself calls np.random.permutation (the global RNG), which "
    "tests/conftest.py's autouse fixture rejects; a sampler has none of the methods the "
    "check compares (predict, transform, ...), so nothing of the estimator is under test."
)
_GLOBAL_RNG_SAMPLER_CHECK = (
    "imbalanced-learn's check builds its data with np.random.random / np.random.seed (the "
    "global RNG), which tests/conftest.py's autouse fixture rejects at teardown; the check "
    "itself passes (reported as XPASS)."
)
_SAMPLER_GLOBAL_RNG_CHECKS = {
    "check_methods_sample_order_invariance": _GLOBAL_RNG_CHECK,
    "check_target_type": _GLOBAL_RNG_SAMPLER_CHECK,
    "check_samplers_one_label": _GLOBAL_RNG_SAMPLER_CHECK,
    "check_samplers_fit": _GLOBAL_RNG_SAMPLER_CHECK,
}
EXPECTED_FAILED_CHECKS = {
    "SMOTE": dict(_SAMPLER_GLOBAL_RNG_CHECKS),
    "SMOTEUnderSampler": dict(_SAMPLER_GLOBAL_RNG_CHECKS),
    "SMOTENC": {
        **_SAMPLER_GLOBAL_RNG_CHECKS,
        "check_samplers_string": (
            "the check passes a single string column, i.e. only categorical features, which "
            "SMOTE-NC rejects by design (as imbalanced-learn's does; it skips SMOTENC in its "
            "own common tests); tests/test_smote_nc.py covers string categories."
        ),
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
