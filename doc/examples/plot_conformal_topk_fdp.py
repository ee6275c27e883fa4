"""
==================================================================
How many of my top k are false? FDP bounds for a ranked shortlist
==================================================================

A screening team ranks a library of new compounds by predicted toxicity and must decide how
many to send to the assay. An FDR level fixed in advance answers a different question (a
long-run average); here the team wants to look at the ranked list first and then choose its
length. :meth:`~skselect.conformal.ConformalSelector.fdp_bounds` gives, for every length
``k`` at once, an upper bound on the number of non-toxic compounds among the top ``k``, valid
with probability 90%: any ``k`` may be chosen after looking.

The data are the QSAR aquatic toxicity compounds (:func:`~skselect.datasets.
load_qsar_aquatic_toxicity`); "toxic" means LC50 above 5. The test labels are known here,
so the realised false discovery proportion can be drawn beside its bound.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import train_test_split

from skselect.conformal import ConformalSelector
from skselect.datasets import load_qsar_aquatic_toxicity

X, y = load_qsar_aquatic_toxicity(return_X_y=True)
X_labelled, X_library, y_labelled, y_library = train_test_split(
    X, y, test_size=0.25, random_state=0
)
threshold = 5.0

# Most labelled compounds go to calibration: the bounds tighten with the calibration size.
selector = ConformalSelector(
    RandomForestRegressor(n_estimators=100, random_state=0),
    threshold=threshold,
    calibration_size=0.65,
    random_state=0,
).fit(X_labelled, y_labelled)

# %%
# Bounds for every shortlist length
# ---------------------------------
# Higher criticism (the default) is tight at the top of the list, where the decision is;
# Kolmogorov-Smirnov spreads the same slack everywhere.
hc = selector.fdp_bounds(X_library, confidence=0.9)
ks = selector.fdp_bounds(X_library, confidence=0.9, method="ks")
print(hc.to_frame().head(10))

k_hc = hc.largest_k(0.3)
print(f"Longest shortlist with FDP <= 0.3 at 90% confidence: {k_hc} compounds")
print(f"At most {hc.bound_top_k(k_hc)} of them are non-toxic (90% confidence)")
print(f"cfBH at FDR 0.1 selects {selector.select(X_library).sum()} compounds")

# %%
# Bound against the truth
# -----------------------
# The realised proportion of non-toxic compounds in each top-k list (known here only because
# this is a demonstration) stays under the bound for every k, as it does in at least 90% of
# batches.
k = np.arange(1, len(y_library) + 1)
realised = np.cumsum(y_library[hc.order] <= threshold) / k

fig, ax = plt.subplots(figsize=(7, 4))
ax.step(k, hc.fdp_upper, where="post", label="FDP bound, higher criticism")
ax.step(k, ks.fdp_upper, where="post", label="FDP bound, Kolmogorov-Smirnov")
ax.step(k, realised, where="post", color="black", label="realised FDP")
ax.axhline(0.3, color="grey", linestyle=":", label="tolerated FDP 0.3")
ax.set_xlabel("shortlist length k (compounds, best predicted first)")
ax.set_ylabel("false discovery proportion")
ax.set_ylim(0, 1.02)
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()
