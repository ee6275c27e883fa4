"""Clustering: PPP, probabilistic partitive partitioning with its own number of clusters."""

__all__ = []
