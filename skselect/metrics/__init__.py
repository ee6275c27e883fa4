"""Evaluation helpers used by the papers behind skselect's estimators."""

from skselect.metrics._roc_hull import roc_convex_hull

__all__ = ["roc_convex_hull"]
