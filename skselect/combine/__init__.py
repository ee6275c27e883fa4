"""Combined samplers: SMOTE of the minority class plus random under-sampling of the majority."""

from skselect.combine._smote_under import SMOTEUnderSampler

__all__ = ["SMOTEUnderSampler"]
