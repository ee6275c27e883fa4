"""
=======================================
PPP's split tree on Fränti's S1 dataset
=======================================

:class:`~skselect.cluster.PPP` finds the number of clusters itself by splitting the data
top-down: each 2-means split is validated by a two-component Gaussian mixture (ΔBIC,
agreement between the mixture's MAP labels and the 2-means labels, mean max-posterior).
This example fits it on the S1 set (5000 points, 15 Gaussian clusters), draws the points
coloured by cluster and the split tree with each node's ΔBIC per sample and agreement, and
compares it with k-means given the true k and a Gaussian-mixture BIC sweep.

S1 is read from the project's shared benchmark data when it is available; otherwise the
example generates a set of the same shape (15 Gaussian clusters in 2-D).
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import gzip
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

from skselect.cluster import PPP


def load_s1():
    here = Path(globals().get("__file__", "plot_ppp_split_tree.py")).resolve().parent
    for root in (*here.parents, *Path.cwd().parents):
        stem = root / "shared" / "data" / "clustering" / "sipu" / "s1"
        if Path(f"{stem}.data.gz").exists():
            with gzip.open(f"{stem}.data.gz", "rt") as f:
                X = np.loadtxt(f)
            with gzip.open(f"{stem}.labels0.gz", "rt") as f:
                y = np.loadtxt(f).astype(int)
            return X, y, "S1"
    rng = np.random.default_rng(0)
    centres = rng.uniform(0, 100, (15, 2))
    y = np.repeat(np.arange(15), 333)
    X = centres[y] + rng.normal(scale=3.5, size=(y.size, 2))
    return X, y, "S1-like (generated)"


X, y, name = load_s1()
k_true = len(np.unique(y))

# %%
# Fit PPP
# -------
start = time.perf_counter()
ppp = PPP().fit(X)
ppp_time = time.perf_counter() - start
print(
    f"{name}: PPP found {ppp.n_clusters_} clusters (true: {k_true}), "
    f"ARI = {adjusted_rand_score(y, ppp.labels_):.3f}, "
    f"clusterability = {ppp.clusterability_:.3f}"
)
print("most separable split:", ppp.most_separable_split_)

# %%
# The split tree, node by node
# ----------------------------
# Every node records its size, ΔBIC, agreement, mean max-posterior and restart stability,
# and whether its split was accepted or why not.
tree = pd.DataFrame(ppp.split_tree_)
columns = [
    "path",
    "size",
    "delta_bic",
    "agreement",
    "mean_max_posterior",
    "stability",
    "reason",
    "cluster",
]
print(tree[columns].head(15).to_string(index=False))

# %%
# Points coloured by cluster, and the tree
# ----------------------------------------
# In the tree, a node is drawn at its depth; leaves are spread in depth-first order.
# Green nodes were split (accepted or kept by look-ahead), grey ones are leaves. Each
# internal node is labelled with ΔBIC per sample and the agreement.

positions = {}
leaf_order = iter(range(len(tree)))


def place(node_id):
    node = ppp.split_tree_[node_id]
    if node["children"] is None:
        positions[node_id] = (next(leaf_order), -node["depth"])
    else:
        for child in node["children"]:
            place(child)
        xs = [positions[c][0] for c in node["children"]]
        positions[node_id] = (float(np.mean(xs)), -node["depth"])


place(0)

fig, (ax_points, ax_tree) = plt.subplots(1, 2, figsize=(13, 5.5))
ax_points.scatter(X[:, 0], X[:, 1], c=ppp.labels_, cmap="tab20", s=3)
ax_points.set_title(f"{name}: {ppp.n_clusters_} clusters found by PPP")
ax_points.set_xticks([])
ax_points.set_yticks([])

for node in ppp.split_tree_:
    x, depth = positions[node["node"]]
    if node["children"] is not None:
        for child in node["children"]:
            cx, cdepth = positions[child]
            ax_tree.plot([x, cx], [depth, cdepth], color="0.6", lw=0.8, zorder=1)
        ax_tree.scatter(x, depth, color="tab:green", s=30, zorder=2)
        ax_tree.annotate(
            f"{node['delta_bic'] / node['size']:.2f}\n{node['agreement']:.2f}",
            (x, depth),
            fontsize=6,
            ha="center",
            va="bottom",
            xytext=(0, 4),
            textcoords="offset points",
        )
    else:
        ax_tree.scatter(x, depth, color="0.5", s=12, zorder=2)
ax_tree.set_title("split tree (label: ΔBIC per sample / agreement)")
ax_tree.set_ylabel("depth")
ax_tree.set_xticks([])
fig.tight_layout()
plt.show()

# %%
# Comparison
# ----------
# k-means needs the true k; a BIC sweep fits one mixture per candidate k (here 5..20, one
# initialisation each, to keep the example short; the benchmark sweeps 1..40). PPP finds k
# itself, and its labels do not depend on the seed. The full table over all benchmark sets
# is in ``benchmarks/RESULTS.md``.
rows = []
for seed in (0, 1):
    start = time.perf_counter()
    labels = PPP(random_state=seed).fit(X).labels_
    rows.append(
        (
            "PPP",
            seed,
            len(np.unique(labels)),
            adjusted_rand_score(y, labels),
            time.perf_counter() - start,
        )
    )
    start = time.perf_counter()
    labels = KMeans(n_clusters=k_true, random_state=seed).fit(X).labels_
    rows.append(
        (
            "KMeans(true k)",
            seed,
            k_true,
            adjusted_rand_score(y, labels),
            time.perf_counter() - start,
        )
    )
Z = StandardScaler().fit_transform(X)
start = time.perf_counter()
best = min(
    (GaussianMixture(k, random_state=0).fit(Z) for k in range(5, 21)), key=lambda g: g.bic(Z)
)
labels = best.predict(Z)
rows.append(
    (
        "GMM BIC sweep 5..20",
        0,
        best.n_components,
        adjusted_rand_score(y, labels),
        time.perf_counter() - start,
    )
)
print(
    pd.DataFrame(rows, columns=["method", "seed", "k", "ARI", "time (s)"])
    .round(3)
    .to_string(index=False)
)
