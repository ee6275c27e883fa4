"""Over-sampling: SMOTE and SMOTE-NC, drop-in replacements for imbalanced-learn's."""

__all__ = []
