# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from imblearn.pipeline import make_pipeline
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score, train_test_split

from skselect.cluster import PPP
from skselect.conformal import ConformalSelector
from skselect.datasets import load_pima, load_qsar_aquatic_toxicity, load_wine_quality
from skselect.ordinal import PRESTOClassifierCV
from skselect.over_sampling import SMOTE

# SMOTE inside an imbalanced-learn pipeline: resampling happens on the training folds only.
X, y = load_pima(return_X_y=True)
model = make_pipeline(SMOTE(random_state=0), LogisticRegression(max_iter=1000))
print("ROC AUC:", cross_val_score(model, X, y, scoring="roc_auc").mean())

# PRESTO: ordered wine grades 3..9 whose rare extremes borrow strength from the middle.
X, y = load_wine_quality(return_X_y=True)
presto = PRESTOClassifierCV(alphas=10, cv=3).fit(X, y)
print("P(grade) of the first wine:", presto.predict_proba(X[:1]).round(3))

# PPP: clusters, without being told how many; the same answer for any order of the rows.
print("clusters in iris:", PPP().fit(load_iris().data).n_clusters_)

# Conformal selection: compounds whose toxicity exceeds 5, with FDR <= 20% on average.
X, y = load_qsar_aquatic_toxicity(return_X_y=True)
X_labelled, X_new, y_labelled, _ = train_test_split(X, y, random_state=0)
selector = ConformalSelector(RandomForestRegressor(random_state=0), threshold=5, fdr=0.2)
print("compounds selected:", selector.fit(X_labelled, y_labelled).select(X_new).sum())
