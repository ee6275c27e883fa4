"""Small real datasets shipped inside the package (no network access needed)."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from skselect.datasets._pima import load_pima
from skselect.datasets._qsar_aquatic_toxicity import load_qsar_aquatic_toxicity
from skselect.datasets._wine_quality import load_wine_quality

__all__ = ["load_pima", "load_qsar_aquatic_toxicity", "load_wine_quality"]
