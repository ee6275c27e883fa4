"""Over-sampling: SMOTE and SMOTE-NC, drop-in replacements for imbalanced-learn's."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from skselect.over_sampling._provenance import FitResampled
from skselect.over_sampling._relevance import relevance, relevance_control_points
from skselect.over_sampling._smote import SMOTE, SMOTENC

# registers the Dask code path of SMOTE and SMOTE-NC (Dask itself is imported only when used)
from skselect.over_sampling import _smote_dask  # noqa: F401, E402  isort: skip

__all__ = ["SMOTE", "SMOTENC", "FitResampled", "relevance", "relevance_control_points"]
