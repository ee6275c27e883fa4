"""Conformal selection and OptCS: select test units with a finite-sample FDR guarantee."""

__all__ = []
