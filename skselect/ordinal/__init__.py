"""Ordinal classification: PRESTO, cumulative logit with L1-fused boundary weights."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from skselect.ordinal._inspection import boundary_names, coef_table, parallel_lines_test
from skselect.ordinal._plot import BoundaryCoefficientDisplay
from skselect.ordinal._presto import PRESTOClassifier, PRESTOClassifierCV
from skselect.ordinal._proportional_odds import ProportionalOddsClassifier

__all__ = [
    "BoundaryCoefficientDisplay",
    "PRESTOClassifier",
    "PRESTOClassifierCV",
    "ProportionalOddsClassifier",
    "boundary_names",
    "coef_table",
    "parallel_lines_test",
]
