"""Over-sampling: SMOTE and SMOTE-NC, drop-in replacements for imbalanced-learn's."""

from skselect.over_sampling._smote import SMOTE, SMOTENC

__all__ = ["SMOTE", "SMOTENC"]
