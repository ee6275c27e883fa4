"""Combined samplers: SMOTE of the minority class plus random under-sampling of the majority."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from skselect.combine._smote_under import SMOTEUnderSampler

__all__ = ["SMOTEUnderSampler"]
