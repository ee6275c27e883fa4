"""Conformal selection and OptCS: select test units with a finite-sample FDR guarantee."""

from skselect.conformal._optcs import OptCSSelector
from skselect.conformal._pvalues import benjamini_hochberg, conformal_pvalues, ebh
from skselect.conformal._selector import ConformalSelector

__all__ = [
    "ConformalSelector",
    "OptCSSelector",
    "benjamini_hochberg",
    "conformal_pvalues",
    "ebh",
]
