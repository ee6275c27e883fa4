"""Evaluation helpers used by the papers behind skselect's estimators."""

__all__ = []
