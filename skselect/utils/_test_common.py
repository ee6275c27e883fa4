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
INIT_PARAMS = {}

# Estimator class name -> {check name: reason}. Every entry needs a reason that a reader can
# verify; these are reported as xfail, so a check that starts passing is noticed (XPASS).
EXPECTED_FAILED_CHECKS = {
    "PPP": {
        "check_methods_sample_order_invariance": (
            "the check itself shuffles with numpy's global RNG (np.random.permutation in "
            "sklearn/utils/estimator_checks.py), which tests/conftest.py's autouse fixture "
            "rejects; PPP's own row-permutation invariance is tested in tests/test_ppp.py"
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
