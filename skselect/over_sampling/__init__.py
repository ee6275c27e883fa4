"""Over-sampling: SMOTE and SMOTE-NC (drop-in for imbalanced-learn's), SMOTER and SMOGN."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from skselect.over_sampling._provenance import FitResampled
from skselect.over_sampling._relevance import relevance, relevance_control_points
from skselect.over_sampling._smote import SMOTE, SMOTENC
from skselect.over_sampling._smoter import (
    SMOGN,
    SMOTER,
    RelevanceRandomOverSampler,
    RelevanceRandomUnderSampler,
)

# registers the Dask code path of SMOTE and SMOTE-NC (Dask itself is imported only when used)
from skselect.over_sampling import _smote_dask  # noqa: F401, E402  isort: skip

__all__ = [
    "SMOTE",
    "SMOTENC",
    "SMOTER",
    "SMOGN",
    "RelevanceRandomOverSampler",
    "RelevanceRandomUnderSampler",
    "FitResampled",
    "relevance",
    "relevance_control_points",
]
