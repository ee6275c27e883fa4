"""
========================================================
Reading a PRESTO model: boundary weights and parallelism
========================================================

A fitted :class:`~skselect.ordinal.PRESTOClassifier` has one weight vector per boundary between
adjacent ordered classes. This example fits it to the Wine Quality data
(:func:`skselect.datasets.load_wine_quality`, grades ``<= 4, 5, 6, 7, >= 8``), prints the
weights as a table with named boundaries (:func:`~skselect.ordinal.coef_table`), draws them
(:class:`~skselect.ordinal.BoundaryCoefficientDisplay`), and asks, feature by feature, whether a
single weight for all boundaries (proportional odds) would do
(:func:`~skselect.ordinal.parallel_lines_test`).
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from skselect.datasets import load_wine_quality
from skselect.ordinal import (
    BoundaryCoefficientDisplay,
    PRESTOClassifier,
    coef_table,
    parallel_lines_test,
)

wine = load_wine_quality()
X = pd.DataFrame(np.column_stack([wine.data, wine.color]), columns=[*wine.feature_names, "red"])
y = np.clip(wine.target, 4, 8)

# %%
# The default penalty (``alpha="auto"``) is a tenth of the smallest one that fuses every
# boundary into the proportional-odds fit. Weights follow the convention of statsmodels and R:
# ``P(y <= k) = sigmoid(threshold_k - x @ weights_k)``, so a positive weight raises the odds of
# the grades above the boundary.
model = PRESTOClassifier().fit(X, y)
print(f"alpha_ = {model.alpha_:.4g}")
table = coef_table(model)
print(table.round(3).to_string())

# %%
# One line per feature across the four boundaries. Flat lines are features whose effect is the
# same for every boundary; bends show where the data asked for a boundary of its own.
features = ["alcohol", "volatile acidity", "sulphates", "pH", "red"]
display = BoundaryCoefficientDisplay.from_estimator(model, features=features)
display.ax_.set_title("PRESTO weights on the Wine Quality grades")
plt.tight_layout()

# %%
# Likelihood-ratio tests of proportional odds: each feature in turn gets its own weight at
# every boundary, against the model with one weight for all (chi-squared, ``K - 2`` degrees of
# freedom). With 6497 wines even small departures are detected; the size of the departure is
# what the plot above shows.
result = parallel_lines_test(X, y)
tests = pd.DataFrame(
    {"statistic": result.statistic, "p-value": result.pvalue}, index=result.feature_names
)
print(tests.sort_values("statistic", ascending=False).round(4).to_string())
print(
    f"all features: statistic {result.omnibus_statistic:.1f} on {result.omnibus_df} degrees "
    f"of freedom, p-value {result.omnibus_pvalue:.2g}"
)
