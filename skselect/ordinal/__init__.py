"""Ordinal classification: PRESTO, cumulative logit with L1-fused boundary weights."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from skselect.ordinal._plot import BoundaryCoefficientDisplay
from skselect.ordinal._presto import (
    PRESTOClassifier,
    PRESTOClassifierCV,
    ProportionalOddsClassifier,
    boundary_names,
    coef_table,
    parallel_lines_test,
)

__all__ = [
    "BoundaryCoefficientDisplay",
    "PRESTOClassifier",
    "PRESTOClassifierCV",
    "ProportionalOddsClassifier",
    "boundary_names",
    "coef_table",
    "parallel_lines_test",
]
