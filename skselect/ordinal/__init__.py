"""Ordinal classification: PRESTO, cumulative logit with L1-fused thresholds."""

__all__ = []
