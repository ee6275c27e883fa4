"""Find the public estimators skselect exports.

The common tests (``tests/test_common.py``) are parametrised over :func:`all_estimators`, so an
estimator is held to scikit-learn's and imbalanced-learn's checks as soon as its subpackage lists
it in ``__all__``.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import inspect

from sklearn.base import BaseEstimator, ClassifierMixin, ClusterMixin, RegressorMixin

# The public subpackages whose ``__all__`` may export estimators.
_PUBLIC_SUBPACKAGES = (
    "cluster",
    "combine",
    "conformal",
    "metrics",
    "ordinal",
    "over_sampling",
)

_TYPE_FILTERS = ("classifier", "regressor", "cluster", "transformer", "sampler")


def _is_sampler(estimator_class):
    return callable(getattr(estimator_class, "fit_resample", None))


def _estimator_type(estimator_class):
    """The ``estimator_type`` tag, read without calling ``__init__`` (which may need
    arguments); mixin inheritance is the fallback for tags that read parameters."""
    try:
        return estimator_class.__new__(estimator_class).__sklearn_tags__().estimator_type
    except Exception:  # a __sklearn_tags__ that reads unset parameters
        for mixin, kind in (
            (ClassifierMixin, "classifier"),
            (RegressorMixin, "regressor"),
            (ClusterMixin, "clusterer"),
        ):
            if issubclass(estimator_class, mixin):
                return kind
        return None


def _matches(estimator_class, type_name):
    if type_name == "sampler":
        return _is_sampler(estimator_class)
    if type_name == "transformer":
        return callable(getattr(estimator_class, "transform", None))
    if type_name == "cluster":
        return _estimator_type(estimator_class) == "clusterer"
    return _estimator_type(estimator_class) == type_name


def all_estimators(type_filter=None):
    """List the public estimators exported by skselect.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "cluster", "transformer", "sampler"}, \
            list of those, or None, default=None
        Keep only estimators of these kinds; ``None`` keeps all of them.

    Returns
    -------
    estimators : list of (name, class) tuples
        Sorted by name. Only classes listed in a public subpackage's ``__all__`` that derive
        from :class:`sklearn.base.BaseEstimator` and are not abstract are returned.

    Examples
    --------
    >>> from skselect.utils import all_estimators
    >>> estimators = all_estimators()
    >>> all(isinstance(name, str) for name, _ in estimators)
    True
    """
    if type_filter is None:
        wanted = None
    else:
        if isinstance(type_filter, str):
            wanted = [type_filter]
        elif isinstance(type_filter, (list, tuple, set, frozenset)) and all(
            isinstance(value, str) for value in type_filter
        ):
            wanted = list(type_filter)
        else:
            raise TypeError(
                f"type_filter must be None, one of {list(_TYPE_FILTERS)} or a list of them; "
                f"got {type_filter!r}."
            )
        unknown = sorted(set(wanted) - set(_TYPE_FILTERS))
        if unknown:
            raise ValueError(
                f"type_filter must be None or among {list(_TYPE_FILTERS)}; got unknown "
                f"value(s) {unknown}."
            )

    found = {}
    for subpackage in _PUBLIC_SUBPACKAGES:
        module = importlib.import_module(f"skselect.{subpackage}")
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not inspect.isabstract(obj)
                and not name.startswith("_")
            ):
                found[name] = obj

    estimators = sorted(found.items())
    if wanted is not None:
        estimators = [
            (name, cls) for name, cls in estimators if any(_matches(cls, kind) for kind in wanted)
        ]
    return estimators
