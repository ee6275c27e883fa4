"""PPP: the estimator, its split tree, split test, dip test, Gaussian mixture, kernel and
display, one module each (as scikit-learn keeps HDBSCAN in ``sklearn/cluster/_hdbscan/``)."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from skselect.cluster._ppp._display import SplitTreeDisplay
from skselect.cluster._ppp._estimator import PPP

# The Dask code path registers itself; it imports Dask only when a Dask collection arrives.
from skselect.cluster._ppp import _dask  # noqa: F401, E402  isort: skip

__all__ = ["PPP", "SplitTreeDisplay"]
