"""skselect: scikit-learn compatible estimators that select what matters in data.

Subpackages
-----------
over_sampling
    SMOTE and SMOTE-NC, drop-in replacements for imbalanced-learn's samplers.
combine
    SMOTE followed by random under-sampling, the SMOTE paper's recipe.
ordinal
    PRESTO, an ordinal classifier for rare top categories.
cluster
    PPP, clustering that finds its own number of clusters.
conformal
    Conformal selection and OptCS: selection with a finite-sample FDR guarantee.
metrics
    Evaluation helpers the papers use (ROC convex hull, ...).
datasets
    Small real datasets shipped with the package.
utils
    Estimator discovery, thread helpers and shared validation.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

__version__ = "0.1.0.dev0"

# Subpackages are imported lazily (``import skselect.cluster``) so that ``import skselect``
# stays cheap and never loads BLAS or the compiled kernels.
__all__ = [
    "cluster",
    "combine",
    "conformal",
    "datasets",
    "metrics",
    "ordinal",
    "over_sampling",
    "utils",
    "show_versions",
]


def __getattr__(name):
    import importlib

    if name in __all__:
        if name == "show_versions":
            from skselect.utils._show_versions import show_versions

            return show_versions
        return importlib.import_module(f"skselect.{name}")
    raise AttributeError(f"module 'skselect' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
