"""Over-sampling: SMOTE and SMOTE-NC, drop-in replacements for imbalanced-learn's."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from skselect.over_sampling._provenance import FitResampled
from skselect.over_sampling._smote import SMOTE, SMOTENC

__all__ = ["SMOTE", "SMOTENC", "FitResampled"]
