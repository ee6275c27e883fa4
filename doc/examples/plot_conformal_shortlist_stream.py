"""
================================================================
Shortlists and streams: a balanced budget, compounds that arrive
================================================================

Two questions that come right after a conformal selection, on the QSAR aquatic toxicity
compounds (:func:`~skselect.datasets.load_qsar_aquatic_toxicity`; "toxic" means LC50 above
5):

* the assay can take only 12 compounds, and they should not all be nitrogen-free
  analogues: :meth:`~skselect.conformal.ConformalSelector.select_diverse` keeps a shortlist
  balanced over two chemical groups, with the FDR guarantee of the full selection;
* the compounds arrive one at a time and each must be flagged, or not, as it comes:
  :class:`~skselect.conformal.OnlineConformalSelector` with online Benjamini-Hochberg flags
  some on arrival and others later, never retracting a flag.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import train_test_split

from skselect.conformal import ConformalSelector, OnlineConformalSelector
from skselect.datasets import load_qsar_aquatic_toxicity

data = load_qsar_aquatic_toxicity(as_frame=True)
X, y = data.data, data.target
X_labelled, X_library, y_labelled, y_library = train_test_split(X, y, test_size=0.3, random_state=1)
threshold = 5.0


def make_selector():
    return ConformalSelector(
        RandomForestRegressor(n_estimators=100, random_state=0),
        threshold=threshold,
        fdr=0.3,
        calibration_size=0.6,
        random_state=0,
    )


selector = make_selector().fit(X_labelled, y_labelled)

# %%
# A shortlist of 12, balanced over nitrogen-free and nitrogen-bearing compounds
# -----------------------------------------------------------------------------
# Any subset of the conformal selection with at least ``r`` units keeps its FDR guarantee,
# so the budget and the balance are free to choose.
has_nitrogen = np.where(X_library["nN"] > 0, "with N", "no N")
full = selector.select(X_library)
best_ranked = selector.select_diverse(X_library, budget=12)
balanced = selector.select_diverse(X_library, budget=12, objective="groups", groups=has_nitrogen)
for name, chosen in [("full", full), ("top 12", best_ranked), ("balanced 12", balanced)]:
    groups, counts = np.unique(has_nitrogen[chosen.to_numpy()], return_counts=True)
    per_group = ", ".join(f"{g}: {c}" for g, c in zip(groups, counts))
    toxic = (y_library[chosen] > threshold).mean()
    print(f"{name:>12}: {int(chosen.sum()):3d} compounds ({per_group}), {toxic:.0%} truly toxic")

# %%
# The same compounds, arriving one at a time
# ------------------------------------------
# Online BH with uniform weights over the known number of arrivals: after the last arrival
# the flags equal the batch selection above; on the way, some compounds are flagged only
# when later evidence raises ``k*``.
online = OnlineConformalSelector(make_selector(), fdr=0.3, horizon=len(X_library)).fit(
    X_labelled, y_labelled
)
flags = [online.partial_select(X_library.iloc[[i]]).sum() for i in range(len(X_library))]
late = online.selected_at_[online.selected_] - 1 - online.selected_
print(f"flagged after all arrivals: {online.selected_.size} (batch: {int(full.sum())})")
print(f"flagged on arrival: {int((late == 0).sum())}, flagged later: {int((late > 0).sum())}")

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.step(np.arange(1, len(flags) + 1), flags, where="post")
ax.set_xlabel("compounds arrived")
ax.set_ylabel("compounds flagged so far")
ax.set_title("Online BH: flags only accumulate")
fig.tight_layout()
plt.show()
