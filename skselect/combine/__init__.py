"""Combined samplers: SMOTE of the minority class plus random under-sampling of the majority."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from skselect.combine._smote_under import SMOTEUnderSampler

# registers the Dask code path of SMOTEUnderSampler (Dask itself is imported only when used)
from skselect.combine import _smote_under_dask  # noqa: F401, E402  isort: skip

__all__ = ["SMOTEUnderSampler"]
