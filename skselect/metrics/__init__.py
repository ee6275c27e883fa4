"""Evaluation helpers used by the papers behind skselect's estimators."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from skselect.metrics._regression import relevance_weighted_rmse, sera, sera_scorer
from skselect.metrics._roc_hull import roc_convex_hull
from skselect.metrics._roc_hull_display import RocConvexHullDisplay

__all__ = [
    "RocConvexHullDisplay",
    "relevance_weighted_rmse",
    "roc_convex_hull",
    "sera",
    "sera_scorer",
]
