"""
==========================================================
Rare top wines: PRESTO against logit and proportional odds
==========================================================

The Wine Quality data (:func:`skselect.datasets.load_wine_quality`) score 6497 wines from 3 to 9.
Scores of 8 and 9 are rare (3%). We estimate the probability that a wine is in that top group
with three models:

* :class:`~skselect.ordinal.PRESTOClassifierCV`: one weight vector per boundary between adjacent
  score groups, adjacent ones fused by an L1 penalty chosen by cross-validation;
* logistic regression on the binary "top or not" outcome (uses only the rare events);
* :class:`~skselect.ordinal.ProportionalOddsClassifier`: one weight vector for all boundaries.

We compare their calibration on held-out wines with the binned squared calibration error the
PRESTO paper uses (test points sorted by predicted probability, cut into
``max(round(n_test / 100), 10)`` equal-frequency bins; the error is the mean over test points of
the squared gap between the prediction and the observed top frequency of its bin), averaged
over random splits, and draw a calibration plot for one split.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skselect.datasets import load_wine_quality
from skselect.ordinal import PRESTOClassifierCV, ProportionalOddsClassifier

wine = load_wine_quality()
X = np.column_stack([wine.data, wine.color])
# Ordered groups: <= 4, 5, 6, 7, >= 8 (the rare top group).
y = np.clip(wine.target, 4, 8)
groups, counts = np.unique(y, return_counts=True)
print("group sizes:", dict(zip(groups.tolist(), counts.tolist())))


def binned_calibration_error(p_hat, outcome):
    """The paper's OSCE: equal-frequency bins of the sorted predictions."""
    order = np.argsort(p_hat, kind="stable")
    n_bins = max(round(len(p_hat) / 100), 10)
    error = 0.0
    for bin_indices in np.array_split(order, n_bins):
        observed = outcome[bin_indices].mean()
        error += np.sum((p_hat[bin_indices] - observed) ** 2)
    return error / len(p_hat)


crossing_warnings = []


def top_probabilities(X_train, y_train, X_test):
    # PRESTO and proportional odds standardise internally (the penalty needs it); the
    # unpenalised logit gets a scaler only to help its solver.
    presto = PRESTOClassifierCV().fit(X_train, y_train)
    logit = make_pipeline(StandardScaler(), LogisticRegression(C=1e4, max_iter=5000))
    logit.fit(X_train, y_train == 8)
    po = ProportionalOddsClassifier().fit(X_train, y_train)
    # A held-out wine far from the training data can sit where two boundaries cross;
    # crossing="clip" (the default) repairs it and warns. Count those warnings instead.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        presto_top = presto.predict_proba(X_test)[:, -1]
    crossing_warnings.extend(str(w.message) for w in caught)
    return {
        "PRESTO": presto_top,
        "logit on top class": logit.predict_proba(X_test)[:, 1],
        "proportional odds": po.predict_proba(X_test)[:, -1],
    }


# %%
# Calibration error over random 50/50 splits
# -------------------------------------------
errors = {}
for seed in range(5):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=seed
    )
    for name, p_hat in top_probabilities(X_train, y_train, X_test).items():
        errors.setdefault(name, []).append(binned_calibration_error(p_hat, y_test == 8))

for name, values in errors.items():
    print(f"{name:>20}: mean binned calibration error {np.mean(values):.5f}")
print(f"splits with crossing test rows repaired by clipping: {len(crossing_warnings)}")

# %%
# Calibration plot for the last split
# -----------------------------------
fig, ax = plt.subplots(figsize=(5.5, 5))
for name, p_hat in top_probabilities(X_train, y_train, X_test).items():
    observed, predicted = calibration_curve(y_test == 8, p_hat, n_bins=10, strategy="quantile")
    ax.plot(predicted, observed, marker="o", label=name)
limit = 0.3
ax.plot([0, limit], [0, limit], color="grey", linestyle="--", label="perfect calibration")
ax.set_xlim(0, limit)
ax.set_ylim(0, limit)
ax.set_xlabel("predicted probability of a top score (8-9)")
ax.set_ylabel("observed frequency in the bin")
ax.set_title("Wine Quality: calibration of the rare top group")
ax.legend()
plt.tight_layout()
plt.show()
