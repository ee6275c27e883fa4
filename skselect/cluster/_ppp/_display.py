"""A picture of PPP's split tree with the evidence at every node."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("SplitTreeDisplay needs matplotlib: pip install matplotlib") from exc
    return plt


class SplitTreeDisplay:
    """PPP's split tree: one box per node, with its size and the evidence of its split test.

    Internal nodes show the number of samples and the two readings of the test on the
    chosen split (the BIC evidence for two clusters and the dip test's p-value); leaves are
    coloured by the cluster most of their samples ended in. Create it with
    :meth:`from_estimator`.

    Parameters
    ----------
    split_tree : dict of ndarray
        A fitted PPP's ``split_tree_``.
    n_clusters : int
        The fitted PPP's ``n_clusters_``.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes the tree is drawn on.
    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    See Also
    --------
    skselect.cluster.PPP : The estimator whose tree this draws.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_blobs
    >>> from skselect.cluster import PPP, SplitTreeDisplay
    >>> X, _ = make_blobs(n_samples=400, centers=4, n_features=10, random_state=0)
    >>> display = SplitTreeDisplay.from_estimator(PPP().fit(X))
    >>> len(display.ax_.texts) == len(display.split_tree["node"])
    True
    """

    def __init__(self, split_tree, n_clusters):
        self.split_tree = split_tree
        self.n_clusters = n_clusters

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, max_depth=None):
        """Draw the split tree of a fitted :class:`~skselect.cluster.PPP`.

        Parameters
        ----------
        estimator : PPP
            A fitted PPP.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        max_depth : int, default=None
            Draw the nodes down to this depth only (None: all).

        Returns
        -------
        display : SplitTreeDisplay
            The display, with ``ax_`` and ``figure_`` set.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import make_blobs
        >>> from skselect.cluster import PPP, SplitTreeDisplay
        >>> X, _ = make_blobs(n_samples=300, centers=3, n_features=5, random_state=0)
        >>> display = SplitTreeDisplay.from_estimator(PPP().fit(X), max_depth=1)
        >>> display.ax_.get_title()
        'PPP split tree: 3 clusters'
        """
        check_is_fitted(estimator, "split_tree_")
        display = cls(estimator.split_tree_, estimator.n_clusters_)
        return display.plot(ax=ax, max_depth=max_depth)

    def plot(self, *, ax=None, max_depth=None):
        """Draw the tree.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        max_depth : int, default=None
            Draw the nodes down to this depth only (None: all).

        Returns
        -------
        display : SplitTreeDisplay
            The display, with ``ax_`` and ``figure_`` set.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import make_blobs
        >>> from skselect.cluster import PPP, SplitTreeDisplay
        >>> ppp = PPP().fit(make_blobs(n_samples=300, centers=3, random_state=0)[0])
        >>> display = SplitTreeDisplay(ppp.split_tree_, ppp.n_clusters_).plot(max_depth=1)
        >>> display.ax_.get_title() == f"PPP split tree: {ppp.n_clusters_} clusters"
        True
        """
        if max_depth is not None and (
            isinstance(max_depth, bool) or not isinstance(max_depth, numbers.Integral)
        ):
            raise TypeError(f"max_depth must be None or an int >= 0; got {max_depth!r}.")
        if max_depth is not None and max_depth < 0:
            raise ValueError(f"max_depth must be None or an int >= 0; got {max_depth}.")
        plt = _pyplot()
        tree = self.split_tree
        depth = np.asarray(tree["depth"])
        shown = np.ones(depth.size, dtype=bool) if max_depth is None else depth <= max_depth
        left, right = np.asarray(tree["left"]), np.asarray(tree["right"])
        # Leaves (or the deepest shown nodes) get consecutive x positions in depth-first
        # order; a parent sits midway between its children.
        x = np.zeros(depth.size)
        next_x = [0.0]

        def place(node):
            if left[node] < 0 or not shown[left[node]]:
                x[node] = next_x[0]
                next_x[0] += 1.0
                return
            place(left[node])
            place(right[node])
            x[node] = 0.5 * (x[left[node]] + x[right[node]])

        place(0)
        if ax is None:
            width = max(6.0, 1.3 * next_x[0])
            height = max(3.0, 1.4 * (depth[shown].max() + 1))
            _, ax = plt.subplots(figsize=(min(width, 40.0), min(height, 30.0)))
        colours = plt.get_cmap("tab20")
        for node in np.flatnonzero(shown):
            if left[node] >= 0 and shown[left[node]]:
                for child in (left[node], right[node]):
                    ax.plot(
                        [x[node], x[child]], [-depth[node], -depth[child]], color="0.6", zorder=1
                    )
        for node in np.flatnonzero(shown):
            is_leaf = left[node] < 0
            lines = [f"n={tree['size'][node]}"]
            if np.isfinite(tree["delta_bic"][node]):
                lines.append(f"ΔBIC={tree['delta_bic'][node]:.0f}")
                lines.append(f"dip p={tree['dip_p_value'][node]:.1g}")
            if is_leaf:
                lines.append(f"cluster {tree['cluster'][node]}")
                face = colours(int(tree["cluster"][node]) % 20)
            else:
                face = "white" if tree["decision"][node] == "split" else "0.9"
            ax.text(
                x[node], -depth[node], "\n".join(lines), ha="center", va="center", fontsize=9,
                bbox={"boxstyle": "round", "facecolor": face, "edgecolor": "0.3", "alpha": 0.9},
                zorder=2,
            )  # fmt: skip
        ax.set_xlim(-0.7, max(next_x[0] - 0.3, 0.7))
        ax.set_ylim(-(depth[shown].max() + 0.6), 0.6)
        ax.set_axis_off()
        ax.set_title(f"PPP split tree: {self.n_clusters} clusters")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
