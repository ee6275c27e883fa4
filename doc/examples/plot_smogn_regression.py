"""
===========================================================
Imbalanced regression: SMOGN on the aquatic toxicity target
===========================================================

In the QSAR aquatic toxicity data (shipped with skselect) most compounds have an LC50 (in
-log mol/L) between 3 and 6; the very toxic and the barely toxic ones are rare, and they are
the ones that matter. We

1. derive the relevance function phi(y) of the target from its box plot: 0 at the median,
   1 at the whiskers beyond which the rare extremes lie;
2. re-sample the training set with :class:`~skselect.over_sampling.SMOGN`, which
   over-samples the rare bins of the target (interpolation, or Gaussian noise around the seed
   when the chosen neighbour is far) and under-samples the normal one;
3. compare a random forest trained with and without re-sampling by SERA, the squared error
   weighted by relevance (:func:`~skselect.metrics.sera`), and by the plain RMSE.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import matplotlib.pyplot as plt
import numpy as np
from imblearn.pipeline import make_pipeline
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import root_mean_squared_error
from sklearn.model_selection import train_test_split

from skselect.datasets import load_qsar_aquatic_toxicity
from skselect.metrics import sera
from skselect.over_sampling import SMOGN, relevance, relevance_control_points

X, y = load_qsar_aquatic_toxicity(return_X_y=True)
X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)

# %%
# The relevance function of the training target
# ---------------------------------------------
points = relevance_control_points(y_train)
print("control points [y, phi, slope]:\n", points)
grid = np.linspace(y.min(), y.max(), 400)

# %%
# Re-sampling the training set
# ----------------------------
smogn = SMOGN(relevance=points, random_state=0)
X_res, y_res = smogn.fit_resample(X_train, y_train)
print("bins (rare?):", smogn.rare_bins_.tolist())
print("bin sizes before:", np.bincount(smogn.bin_indices_).tolist())
print("bin sizes after: ", [smogn.sampling_strategy_[b] for b in range(len(smogn.rare_bins_))])
print(f"{smogn.noise_mask_.sum()} of {smogn.noise_mask_.size} synthetic rows are Gaussian noise")

fig, (ax_phi, ax_hist) = plt.subplots(1, 2, figsize=(10, 4))
ax_phi.plot(grid, relevance(grid, control_points=points))
ax_phi.plot(points[:, 0], points[:, 1], "o", label="control points")
ax_phi.set(xlabel="LC50 (-log mol/L)", ylabel="relevance phi(y)", title="Relevance")
ax_phi.legend()
bins = np.linspace(y.min(), y.max(), 30)
ax_hist.hist(y_train, bins=bins, alpha=0.6, label="training target")
ax_hist.hist(y_res, bins=bins, alpha=0.6, label="after SMOGN")
ax_hist.set(xlabel="LC50 (-log mol/L)", ylabel="samples", title="Target distribution")
ax_hist.legend()
fig.tight_layout()

# %%
# With and without re-sampling
# ----------------------------
# The relevance of the test targets is the training set's (the same control points), so
# that SERA weighs the errors the way the re-sampling aimed at.
models = {
    "random forest": RandomForestRegressor(n_estimators=100, random_state=0),
    "SMOGN + random forest": make_pipeline(
        SMOGN(relevance=points, random_state=0),
        RandomForestRegressor(n_estimators=100, random_state=0),
    ),
}
print(f"{'model':24s} {'SERA':>8s} {'RMSE':>6s}")
for name, model in models.items():
    y_pred = model.fit(X_train, y_train).predict(X_test)
    error = sera(y_test, y_pred, relevance=points)
    rmse = root_mean_squared_error(y_test, y_pred)
    print(f"{name:24s} {error:8.2f} {rmse:6.3f}")
plt.show()
