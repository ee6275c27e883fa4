"""
==============================================
PPP's split tree on 13-dimensional wine data
==============================================

:class:`~skselect.cluster.PPP` clusters scikit-learn's wine data (178 wines, 13 chemical
measurements, 3 cultivars) in all 13 dimensions, without being told how many clusters to
look for. The split tree shows how it got there: at every node, the number of wines, the BIC
evidence for two clusters against one on the node's cross-fitted projection, and the dip
test's p-value; the leaves are coloured by the cluster their wines ended in.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Fit PPP on the standardised data
# --------------------------------
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_wine
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skselect.cluster import PPP, SplitTreeDisplay

wine = load_wine()
model = make_pipeline(StandardScaler(), PPP()).fit(wine.data)
ppp = model[-1]
print(f"clusters found: {ppp.n_clusters_} (cultivars: 3)")
ari = adjusted_rand_score(wine.target, ppp.labels_)
print(f"adjusted Rand index against the cultivars: {ari:.3f}")

# %%
# The split tree
# --------------
# Each internal node shows the evidence for the split that was made; each leaf, the
# evidence that made PPP stop there (no split of it looked like two clusters).
display = SplitTreeDisplay.from_estimator(ppp)
plt.show()

# %%
# The same tree as a table
# ------------------------
# ``split_tree_`` is a dict of equal-length arrays, so pandas reads it directly.
tree = pd.DataFrame(ppp.split_tree_)
print(tree[["node", "parent", "size", "delta_bic", "dip_p_value", "decision", "cluster"]])

# %%
# Clusters against cultivars
# --------------------------
print(pd.crosstab(pd.Series(wine.target, name="cultivar"), pd.Series(ppp.labels_, name="PPP")))

# %%
# A look in two dimensions
# ------------------------
# PPP worked in all 13 dimensions; the first two principal components are only for the
# picture.
projected = PCA(n_components=2).fit_transform(StandardScaler().fit_transform(wine.data))
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), sharex=True, sharey=True)
axes[0].scatter(*projected.T, c=wine.target, cmap="tab10", s=15)
axes[0].set(title="cultivars", xlabel="PC 1", ylabel="PC 2")
axes[1].scatter(*projected.T, c=ppp.labels_, cmap="tab10", s=15)
axes[1].set(title="PPP clusters (fitted in 13 dimensions)", xlabel="PC 1")
plt.tight_layout()
plt.show()
