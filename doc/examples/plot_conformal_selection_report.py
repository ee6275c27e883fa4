"""
==================================================================
A selection you can read: pandas in, a report and a picture out
==================================================================

Conformal selection answers "which of these new compounds are toxic enough to flag?" with a
guarantee on the false discovery rate. This example runs it the way a data scientist would:
on a DataFrame indexed by compound id, with a scikit-learn pipeline that chooses its columns
by name, and looks at the result through :meth:`~skselect.conformal.ConformalSelector.
selection_report` and :class:`~skselect.conformal.SelectionDisplay`.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skselect.conformal import ConformalSelector, SelectionDisplay
from skselect.datasets import load_qsar_aquatic_toxicity

# %%
# The data: one row per compound, indexed by an id
# -------------------------------------------------
# The eight molecular descriptors and the measured toxicity (LC50, in -log(mol/L)). The
# labelled compounds have been assayed; the "new" ones stand for a screening library.
frame = load_qsar_aquatic_toxicity(as_frame=True).frame
frame.index = [f"compound-{i:03d}" for i in range(len(frame))]
frame.index.name = "compound"
X, y = frame.drop(columns="LC50"), frame["LC50"]
X_labelled, X_new, y_labelled, y_new = train_test_split(X, y, test_size=100, random_state=0)

# %%
# A pipeline that selects columns by name
# ---------------------------------------
# The selector hands the DataFrame to the pipeline unchanged, so a ColumnTransformer can pick
# descriptors by name (here: log-transform the two heavy-tailed ones, keep the rest).
descriptors = ColumnTransformer(
    [("log", FunctionTransformer(np.log1p, feature_names_out="one-to-one"), ["TPSA", "SAacc"])],
    remainder="passthrough",
)
model = make_pipeline(descriptors, RandomForestRegressor(n_estimators=200, random_state=0))
selector = ConformalSelector(model, threshold=5.0, fdr=0.2, random_state=0)
selector.fit(X_labelled, y_labelled)

# %%
# The selection keeps the compound ids
# ------------------------------------
selected = selector.select(X_new)
print(f"{selected.sum()} of {len(selected)} compounds flagged")
print(selected[selected].index[:8].tolist())

# %%
# The report: one row per compound
# --------------------------------
# ``prediction`` is the model's toxicity, ``score`` the conformal score at the threshold,
# ``p_value`` the evidence against "toxicity <= 5", and ``p_value_cutoff`` the
# Benjamini-Hochberg cut-off: a compound is flagged when its p-value is at most that.
report = selector.selection_report(X_new)
report["measured"] = y_new
print(f"BH cut-off: {report.attrs['bh_cutoff']:.4f}")
report.sort_values("p_value").head(10)

# %%
# How many flagged compounds are false alarms in this batch? The guarantee is on the average
# over batches (at most 20%), not on each batch.
flagged = report[report["selected"]]
false_alarms = int((flagged["measured"] <= 5.0).sum())
print(f"false alarms among the flagged: {false_alarms} of {len(flagged)}")

# %%
# The picture
# -----------
# Left: each compound's p-value against the model's prediction, flagged ones in red, with the
# BH cut-off. Right: the sorted p-values against their rank and the BH line ``q k / m``; BH
# flags every compound up to the last rank where the p-values are below the line.
display = SelectionDisplay.from_estimator(selector, X_new, name="random forest")
plt.show()
