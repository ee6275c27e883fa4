"""Clustering: PPP, probabilistic partitive partitioning with its own number of clusters."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from skselect.cluster._ppp import PPP, SplitTreeDisplay

__all__ = ["PPP", "SplitTreeDisplay"]
