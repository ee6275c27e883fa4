"""
=====================================================================
PPP on 100 000 points in 100 clusters, and the same answer every time
=====================================================================

:class:`~skselect.cluster.PPP` finds the number of clusters itself. Here it is given 100 000
points drawn around the 100 nodes of a 10 x 10 grid, with the nodes about 5.7 standard
deviations apart, and no hint of how many clusters there are. Blocks of such a grid project
on almost every direction to one flat, unimodal shape, which is why a divisive method needs
its look-ahead here: the halves of a block show the comb of modes that the block hides.

The second part fits the same data in other units (``X * c + b``), with the last digits of
every value changed (a relative change of 1e-9) and with its rows shuffled, and compares the
answers: PPP orders the rows by where they lie, not by their exact bits, so all of them are
the same clustering.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# A grid of 100 clusters
# ----------------------
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from skselect.cluster import PPP

rng = np.random.default_rng(0)
nodes = np.array([(i, j) for i in range(10) for j in range(10)]) * 4 * np.sqrt(2)
y = rng.integers(0, 100, size=100_000)
X = nodes[y] + rng.normal(size=(100_000, 2))

start = time.perf_counter()
ppp = PPP().fit(X)
ppp_seconds = time.perf_counter() - start
start = time.perf_counter()
kmeans = KMeans(n_clusters=100, n_init=1, random_state=0).fit(X)
kmeans_seconds = time.perf_counter() - start

print(f"PPP: {ppp.n_clusters_} clusters in {ppp_seconds:.1f} s, "
      f"ARI {adjusted_rand_score(y, ppp.labels_):.3f}")  # fmt: skip
print(f"KMeans told k=100: ARI {adjusted_rand_score(y, kmeans.labels_):.3f} "
      f"in {kmeans_seconds:.1f} s")  # fmt: skip
print(f"nodes split through the look-ahead: {ppp.split_tree_['lookahead'].sum()}")

# %%
# The clusters found, and the split test's evidence at every node
# -----------------------------------------------------------------
# Every cluster gets its own colour (cycled); the centres found are marked. On the right,
# every node of the split tree: large nodes holding whole rows of the grid project to a
# comb of modes, which the dip test reads (their BIC evidence is negative: a flat comb is
# better fitted by one flat cluster than by two Gaussians); small nodes holding a few
# clusters are split on BIC evidence; the leaves are single clusters.
tree = ppp.split_tree_
fig, (ax_points, ax_tree) = plt.subplots(1, 2, figsize=(11, 5))
ax_points.scatter(X[::5, 0], X[::5, 1], c=ppp.labels_[::5] % 20, cmap="tab20", s=1)
ax_points.scatter(*ppp.cluster_centers_.T, c="black", marker="x", s=15)
ax_points.set_title(f"PPP: {ppp.n_clusters_} clusters found in 100 000 points")
ax_points.set_aspect("equal")
split = tree["decision"] == "split"
by_bic = split & ~tree["lookahead"] & (tree["delta_bic"] > 2)
by_dip = split & ~tree["lookahead"] & ~by_bic
for mask, label, marker in [
    (by_bic, "split: BIC evidence above 2", "o"),
    (by_dip, "split: the dip test finds several modes", "s"),
    (tree["lookahead"], "split: a half has several modes (look-ahead)", "^"),
    (~split, "leaf: one cluster", "."),
]:
    ax_tree.scatter(tree["size"][mask], tree["delta_bic"][mask], label=label, marker=marker, s=14)
ax_tree.set_xscale("log")
ax_tree.set_yscale("symlog", linthresh=10)
ax_tree.set_xlabel("samples in the node")
ax_tree.set_ylabel("BIC evidence for two clusters")
ax_tree.set_title("The split tree's nodes")
ax_tree.legend(loc="lower left", fontsize=7)
fig.tight_layout()

# %%
# The same answer in other units, with other last digits, in another row order
# ----------------------------------------------------------------------------
permutation = rng.permutation(X.shape[0])
variants = {
    "X * 3.7 + (1.3, -20)": (X * 3.7 + np.array([1.3, -20.0]), None),
    "X / 1000 (other units)": (X / 1000, None),
    "relative change of 1e-9": (X * (1 + 1e-9 * rng.uniform(-1, 1, size=X.shape)), None),
    "rows shuffled": (X[permutation], permutation),
}
names, clusters, agreement = ["as given"], [ppp.n_clusters_], [1.0]
for name, (X_variant, rows) in variants.items():
    fitted = PPP().fit(X_variant)
    reference = ppp.labels_ if rows is None else ppp.labels_[rows]
    names.append(name)
    clusters.append(fitted.n_clusters_)
    agreement.append(adjusted_rand_score(reference, fitted.labels_))
    print(f"{name:26s} {fitted.n_clusters_} clusters, ARI with the first fit {agreement[-1]:.3f}")

fig, ax = plt.subplots(figsize=(8, 3))
bars = ax.barh(names, agreement, color="tab:green")
for bar, k in zip(bars, clusters):
    ax.text(0.02, bar.get_y() + bar.get_height() / 2, f"{k} clusters", va="center", color="white")
ax.set_xlim(0, 1.05)
ax.set_xlabel("ARI with the clustering of the data as given")
ax.set_title("One answer, whatever the units, the last digits or the row order")
ax.invert_yaxis()
fig.tight_layout()
plt.show()
