"""Conformal selection and OptCS: select test units with a finite-sample FDR guarantee."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from skselect.conformal._diverse import self_consistent_subset
from skselect.conformal._fdp import FDPBounds, fdp_bounds
from skselect.conformal._online import OnlineConformalSelector
from skselect.conformal._optcs import OptCSSelector
from skselect.conformal._plot import SelectionDisplay
from skselect.conformal._pvalues import benjamini_hochberg, conformal_pvalues, ebh
from skselect.conformal._selector import ConformalSelector

# registers the Dask code paths of selection and p-values (Dask is imported only when used)
from skselect.conformal import _dask  # noqa: F401, E402  isort: skip

__all__ = [
    "ConformalSelector",
    "FDPBounds",
    "OnlineConformalSelector",
    "OptCSSelector",
    "SelectionDisplay",
    "benjamini_hochberg",
    "conformal_pvalues",
    "ebh",
    "fdp_bounds",
    "self_consistent_subset",
]
