"""Ordinal classification: PRESTO, cumulative logit with L1-fused boundary weights."""

from skselect.ordinal._presto import (
    PRESTOClassifier,
    PRESTOClassifierCV,
    ProportionalOddsClassifier,
)

__all__ = ["PRESTOClassifier", "PRESTOClassifierCV", "ProportionalOddsClassifier"]
