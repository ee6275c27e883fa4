"""Every exported estimator against scikit-learn's and imbalanced-learn's common checks.

Estimators are discovered with ``skselect.utils.all_estimators``; constructor arguments and
known, justified failures live in ``skselect.utils._test_common``, so adding an estimator never
requires editing this file.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import inspect

import numpy as np
import pytest
from imblearn.utils.estimator_checks import estimator_checks_generator
from sklearn.base import BaseEstimator, clone
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks

import skselect
from skselect.utils import all_estimators
from skselect.utils._test_common import (
    EXPECTED_FAILED_CHECKS,
    INIT_PARAMS,
    _get_expected_failed_checks,
    _tested_estimators,
)
from skselect.utils.discovery import _PUBLIC_SUBPACKAGES


@parametrize_with_checks(
    list(_tested_estimators()), expected_failed_checks=_get_expected_failed_checks
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _sampler_checks():
    # imbalanced-learn's own decorator hands pytest a generator; a list keeps pytest quiet.
    checks = []
    for sampler in _tested_estimators(type_filter="sampler"):
        checks.extend(
            estimator_checks_generator(
                sampler,
                expected_failed_checks=_get_expected_failed_checks(sampler),
                mark="xfail",
            )
        )
    return checks


def _check_id(value):
    if isinstance(value, BaseEstimator):
        return type(value).__name__
    name = getattr(value, "func", value)
    return getattr(name, "__name__", repr(name))


@pytest.mark.parametrize("estimator, check", _sampler_checks(), ids=_check_id)
def test_imblearn_sampler_compatible(estimator, check):
    check(estimator)


def _small_problem(estimator):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 4))
    tags = get_tags(estimator)
    if hasattr(estimator, "fit_resample") or tags.estimator_type == "classifier":
        return X, np.r_[np.zeros(60, dtype=int), np.ones(20, dtype=int)]
    if not tags.target_tags.required:
        return X, None
    return X, X[:, 0] + 0.1 * rng.standard_normal(80)


@pytest.mark.parametrize("estimator", list(_tested_estimators()), ids=_check_id)
def test_estimator_leaves_global_rng_alone(estimator):
    # With an explicit random_state, no draw may come from numpy's global RNG (the autouse
    # fixture in conftest.py fails the test if one does). The third-party checks cannot be
    # watched that way: they draw from the global RNG themselves.
    estimator = clone(estimator)
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=0)
    X, y = _small_problem(estimator)
    if hasattr(estimator, "fit_resample"):
        estimator.fit_resample(X, y)
        return
    estimator.fit(X) if y is None else estimator.fit(X, y)
    for method in ("predict", "predict_proba", "transform", "select", "p_values"):
        if hasattr(estimator, method):
            getattr(estimator, method)(X[:10])


def _exported_classes():
    for subpackage in _PUBLIC_SUBPACKAGES:
        module = importlib.import_module(f"skselect.{subpackage}")
        for name in module.__all__:
            yield subpackage, name, getattr(module, name)


def test_every_exported_estimator_is_discovered():
    discovered = {cls for _, cls in all_estimators()}
    exported = {
        cls
        for _, _, cls in _exported_classes()
        if inspect.isclass(cls) and issubclass(cls, BaseEstimator)
    }
    assert exported == discovered


@pytest.mark.parametrize("subpackage", _PUBLIC_SUBPACKAGES)
def test_all_lists_only_existing_public_names(subpackage):
    module = importlib.import_module(f"skselect.{subpackage}")
    assert sorted(set(module.__all__)) == sorted(module.__all__), "duplicates in __all__"
    for name in module.__all__:
        assert not name.startswith("_"), f"skselect.{subpackage}.__all__ exports {name}"
        assert hasattr(module, name), f"skselect.{subpackage}.__all__ lists missing {name}"


def test_test_registries_name_real_estimators():
    # A typo in a registry key would silently drop the arguments or the xfail reason.
    names = {name for name, _ in all_estimators()}
    assert set(INIT_PARAMS) <= names
    assert set(EXPECTED_FAILED_CHECKS) <= names
    for estimator_name, reasons in EXPECTED_FAILED_CHECKS.items():
        for check_name, reason in reasons.items():
            assert reason.strip(), f"{estimator_name}.{check_name} needs a written reason"


def test_every_estimator_constructs_with_registered_params():
    for name, cls in all_estimators():
        instances = list(_tested_estimators())
        assert any(type(est) is cls for est in instances), name


def test_discovery_type_filter():
    with pytest.raises(ValueError, match="type_filter must be None or among"):
        all_estimators(type_filter="classifer")
    # A number failed with "'int' object is not iterable".
    with pytest.raises(TypeError, match=r"type_filter must be None, one of .* got 3"):
        all_estimators(type_filter=3)
    everything = {name for name, _ in all_estimators()}
    for kind in ("classifier", "regressor", "cluster", "transformer", "sampler"):
        assert {name for name, _ in all_estimators(type_filter=kind)} <= everything


def test_top_level_subpackages_import_lazily():
    for name in skselect.__all__:
        assert getattr(skselect, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        skselect.nope  # noqa: B018
