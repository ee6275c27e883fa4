"""Combined samplers: SMOTE of the minority class plus random under-sampling of the majority."""

__all__ = []
