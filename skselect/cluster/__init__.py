"""Clustering: PPP, probabilistic partitive partitioning with its own number of clusters."""

from skselect.cluster._ppp import PPP

__all__ = ["PPP"]
