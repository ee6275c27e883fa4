"""Utilities: estimator discovery, thread helpers and build information."""

from skselect.utils.discovery import all_estimators

__all__ = ["all_estimators"]
