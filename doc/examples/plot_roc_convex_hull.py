"""
=========================================
Comparing classifiers by ROC convex hull
=========================================

A classifier that outputs labels (not scores) is one point in ROC space: its false positive
rate and true positive rate. Varying a parameter, here how strongly the majority class is
under-sampled before training, gives a set of points, one curve per recipe. The ROC convex hull
of all points marks the classifiers that are best for *some* class priors and misclassification
costs; a point below the hull is never the best choice. The SMOTE paper compares
"SMOTE + under-sampling" with plain under-sampling this way.

:class:`~skselect.metrics.RocConvexHullDisplay` draws the points and the hull:
``from_rates`` for given ROC points (grouped into curves), ``from_estimator`` and
``from_predictions`` for the ROC curve of one scoring classifier.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# One ROC point per under-sampling level
# --------------------------------------
# A decision tree trained after the majority class of the Pima diabetes data is randomly
# reduced until the minority class is ``level`` percent of it, with or without first adding
# 200 % synthetic minority samples with SMOTE. The resampling happens inside each training fold
# (an :class:`imblearn.pipeline.Pipeline`); the rates are pooled over the test folds.
import matplotlib.pyplot as plt
import numpy as np
from imblearn.pipeline import make_pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skselect.combine import SMOTEUnderSampler
from skselect.datasets import load_pima
from skselect.metrics import RocConvexHullDisplay

X, y = load_pima(return_X_y=True)
levels = [25, 50, 100, 200, 400, 800]
folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(X, y))

fpr, tpr, recipe = [], [], []
for smote_percent, name in ((0, "under-sampling"), (200, "SMOTE 200 % + under-sampling")):
    for level in levels:
        model = make_pipeline(
            SMOTEUnderSampler(smote_percent=smote_percent, under_percent=level, random_state=0),
            DecisionTreeClassifier(min_samples_leaf=5, random_state=0),
        )
        tn = fp = fn = tp = 0
        for train, test in folds:
            predicted = model.fit(X[train], y[train]).predict(X[test])
            counts = confusion_matrix(y[test], predicted, labels=[0, 1]).ravel()
            tn, fp, fn, tp = np.add((tn, fp, fn, tp), counts)
        fpr.append(fp / (fp + tn))
        tpr.append(tp / (tp + fn))
        recipe.append(name)

display = RocConvexHullDisplay.from_rates(fpr, tpr, groups=recipe)
display.ax_.set_title("Pima: decision trees after resampling")
on_hull = [recipe[i] for i in display.hull.indices if i >= 0]
print(f"area under the joint hull: {display.hull.auc:.3f}")
print("hull vertices by recipe:", {name: on_hull.count(name) for name in dict.fromkeys(recipe)})

# %%
# The hull of one scoring classifier
# ----------------------------------
# A classifier with scores traces a whole ROC curve as its threshold moves; its hull is the
# curve with the dents filled, reachable by randomising between two thresholds.
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
logistic = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_train, y_train)
display = RocConvexHullDisplay.from_estimator(
    logistic, X_test, y_test, name="logistic regression", marker=None
)
display.ax_.set_title("Pima: logistic regression on a held-out quarter")
plt.show()
