"""The steps of ``python -m skselect``, one per estimator family, listed in :data:`STEPS`.

Each step runs on small real data shipped with skselect or scikit-learn, inside a scikit-learn
or imbalanced-learn pipeline, and returns one table. With ``--plots DIR`` it also writes a
figure. The machinery that runs them is :mod:`skselect._tour`.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib

from skselect._tour import NotAvailable, StepResult


def _require(module_name, *names):
    """Import and return ``names`` from ``module_name`` or raise NotAvailable."""
    module = importlib.import_module(module_name)
    missing = [name for name in names if not hasattr(module, name)]
    if missing:
        raise NotAvailable(f"{module_name} does not provide {', '.join(missing)} yet")
    return [getattr(module, name) for name in names]


def smote_step(ctx):
    (SMOTE,) = _require("skselect.over_sampling", "SMOTE")
    (SMOTEUnderSampler,) = _require("skselect.combine", "SMOTEUnderSampler")
    (load_pima,) = _require("skselect.datasets", "load_pima")
    import numpy as np
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.preprocessing import StandardScaler

    pima = load_pima()
    X, y = pima.data, pima.target
    samplers = {
        "no resampling": None,
        "SMOTE": SMOTE(random_state=0),
        # The SMOTE paper's recipe: half as many synthetic minority samples as real ones, then
        # the majority randomly reduced to the size of the enlarged minority.
        "SMOTE (+50%) + under-sampling": SMOTEUnderSampler(
            smote_percent=50, under_percent=100, random_state=0
        ),
    }
    n_folds = 3 if ctx.quick else 5
    cv = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=0)
    rows = []
    for done, (name, sampler) in enumerate(samplers.items(), start=1):
        steps = [StandardScaler()] + ([sampler] if sampler is not None else [])
        model = make_pipeline(*steps, LogisticRegression(max_iter=1000))
        auc = cross_val_score(model, X, y, cv=cv, scoring="roc_auc")
        counts = np.bincount(y if sampler is None else sampler.fit_resample(X, y)[1])
        rows.append([name, float(auc.mean()), float(auc.std()), " / ".join(map(str, counts))])
        ctx.progress(done, len(samplers), "pipelines cross-validated")
    notes = [
        f"{len(y)} patients, {int(y.sum())} with diabetes; ROC AUC is the mean over {n_folds} "
        "stratified folds, ± its standard deviation across folds. Resampling happens inside "
        "each training fold only (imblearn.pipeline); the class counts are those of the "
        "whole dataset after resampling."
    ]
    if ctx.wants_plots:
        synthetic = SMOTE(random_state=0).fit_resample(X, y)[0][len(X) :]
        columns = [pima.feature_names.index(name) for name in ("glucose", "bmi")]
        fig, axes = ctx.new_figure()
        ax = axes[0, 0]
        for label, colour, text in ((0, "0.7", "no diabetes"), (1, "tab:orange", "diabetes")):
            ax.scatter(*X[y == label][:, columns].T, s=8, c=colour, label=text)
        ax.scatter(*synthetic[:, columns].T, s=8, c="tab:blue", marker="x", label="SMOTE")
        ax.set(xlabel="plasma glucose", ylabel="body mass index", title="Pima: SMOTE samples")
        ax.legend(fontsize=8)
        notes.append(f"figure: {ctx.save_figure(fig, 'smote_pima')}")
    return StepResult(
        headers=["pipeline", "ROC AUC", "± sd", "class counts after resampling (0 / 1)"],
        rows=rows,
        notes=notes,
    )


def regression_step(ctx):
    SMOGN, SMOTER, relevance_control_points = _require(
        "skselect.over_sampling", "SMOGN", "SMOTER", "relevance_control_points"
    )
    (sera_scorer,) = _require("skselect.metrics", "sera_scorer")
    (load_qsar_aquatic_toxicity,) = _require("skselect.datasets", "load_qsar_aquatic_toxicity")
    import numpy as np
    from imblearn.pipeline import make_pipeline
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.model_selection import KFold, cross_validate

    X, y = load_qsar_aquatic_toxicity(return_X_y=True)
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    # one relevance for every fold: that of the whole target's box plot
    points = relevance_control_points(y)
    samplers = {
        "no resampling": None,
        "SMOTER": SMOTER(relevance=points, random_state=0),
        "SMOGN": SMOGN(relevance=points, random_state=0),
    }
    n_folds = 3 if ctx.quick else 5
    cv = KFold(n_splits=n_folds, shuffle=True, random_state=0)
    scoring = {"sera": sera_scorer(relevance=points), "rmse": "neg_root_mean_squared_error"}
    rows = []
    for done, (name, sampler) in enumerate(samplers.items(), start=1):
        forest = RandomForestRegressor(n_estimators=50, min_samples_leaf=2, random_state=0)
        model = forest if sampler is None else make_pipeline(sampler, forest)
        scores = cross_validate(model, X, y, cv=cv, scoring=scoring)
        n_rows = len(y) if sampler is None else len(sampler.fit_resample(X, y)[1])
        rows.append(
            [name, float(-scores["test_sera"].mean()), float(-scores["test_rmse"].mean()), n_rows]
        )
        ctx.progress(done, len(samplers), "pipelines cross-validated")
    rare = int((y < points[0, 0]).sum() + (y > points[-1, 0]).sum())
    notes = [
        f"{len(y)} compounds, {rare} beyond the box plot's whiskers (relevance 1 there, 0 at "
        f"the median); SERA (relevance-weighted squared error, lower is better) and RMSE are "
        f"means over {n_folds} folds of a random forest; re-sampling happens in the training "
        "folds only. Re-sampling trades a higher RMSE on common values for a lower SERA."
    ]
    return StepResult(
        headers=["pipeline", "SERA", "RMSE", "rows after resampling"],
        rows=rows,
        notes=notes,
    )


def presto_step(ctx):
    (PRESTOClassifierCV, ProportionalOddsClassifier) = _require(
        "skselect.ordinal", "PRESTOClassifierCV", "ProportionalOddsClassifier"
    )
    (load_wine_quality,) = _require("skselect.datasets", "load_wine_quality")
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    wine = load_wine_quality()
    X = np.column_stack([wine.data, wine.color])
    # Five ordered grades; the top one (quality 8 or 9) holds about 3% of the wines.
    grade = np.clip(wine.target, 4, 8) - 4
    top = grade.max()
    n_splits = 2 if ctx.quick else 4
    models = {
        # A short path (measured 1.2 s of CPU per fit): below about 0.09 alpha_max the
        # non-crossing constraint of the rare grade is active on these data and every
        # penalty there costs tens of Newton steps.
        "PRESTO (CV)": lambda: PRESTOClassifierCV(alphas=8, alpha_min_ratio=0.05, cv=3),
        "proportional odds": ProportionalOddsClassifier,
        "logistic on top grade": lambda: LogisticRegression(max_iter=2000),
    }
    log_losses = {name: [] for name in models}
    p_top = {name: [] for name in models}
    is_top = []
    step = 0
    for split in range(n_splits):
        X_train, X_test, y_train, y_test = train_test_split(
            X, grade, test_size=0.3, stratify=grade, random_state=split
        )
        is_top.append((y_test == top).astype(float))
        for name, make_model in models.items():
            binary = name.startswith("logistic")
            target = (y_train == top).astype(int) if binary else y_train
            model = make_pipeline(StandardScaler(), make_model()).fit(X_train, target)
            proba = model.predict_proba(X_test)
            if not binary:
                log_losses[name].append(log_loss(y_test, proba, labels=np.arange(top + 1)))
            p_top[name].append(proba[:, -1])
            step += 1
            ctx.progress(step, n_splits * len(models), "models fitted")
    is_top = np.concatenate(is_top)
    rows = []
    for name in models:
        predicted = np.concatenate(p_top[name])
        loss = f"{np.mean(log_losses[name]):.4f}" if log_losses[name] else "n/a (binary)"
        brier = 1000 * float(np.mean((predicted - is_top) ** 2))
        rows.append([name, loss, brier, float(predicted.mean())])
    notes = [
        f"{len(grade)} wines (red and white), quality grouped into <=4, 5, 6, 7, >=8; "
        f"{n_splits} stratified 70/30 splits, figures averaged over the test sets; observed "
        f"top-grade rate {is_top.mean():.3f}. Lower log-loss and Brier are better."
    ]
    if ctx.wants_plots:
        fig, axes = ctx.new_figure()
        ax = axes[0, 0]
        bins = np.quantile(np.concatenate(p_top["proportional odds"]), np.linspace(0, 1, 11))
        for name in models:
            predicted = np.concatenate(p_top[name])
            which = np.clip(np.digitize(predicted, bins[1:-1]), 0, 9)
            mean_p = [predicted[which == b].mean() for b in range(10) if np.any(which == b)]
            rate = [is_top[which == b].mean() for b in range(10) if np.any(which == b)]
            ax.plot(mean_p, rate, marker="o", label=name)
        limit = max(ax.get_xlim()[1], ax.get_ylim()[1])
        ax.plot([0, limit], [0, limit], c="0.6", ls="--", lw=1)
        ax.set(
            xlabel="predicted P(top grade)",
            ylabel="observed top-grade rate",
            title="Wine quality: calibration of the rare top grade",
        )
        ax.legend(fontsize=8)
        notes.append(f"figure: {ctx.save_figure(fig, 'presto_wine_calibration')}")
    return StepResult(
        headers=[
            "model",
            "test log-loss (5 grades)",
            "top-grade Brier x1000",
            "mean predicted P(top)",
        ],
        rows=rows,
        notes=notes,
    )


def ppp_step(ctx):
    (PPP,) = _require("skselect.cluster", "PPP")
    import numpy as np
    from sklearn.datasets import load_digits, load_iris, load_wine
    from sklearn.decomposition import PCA
    from sklearn.metrics import adjusted_rand_score
    from sklearn.preprocessing import StandardScaler

    datasets = {
        "iris": load_iris(return_X_y=True),
        "wine (cultivars)": load_wine(return_X_y=True),
        "digits": load_digits(return_X_y=True),
    }
    rows, found_labels = [], {}
    for done, (name, (X, y)) in enumerate(datasets.items(), start=1):
        # PPP works in all the dimensions; it has no random state, and a shuffled copy of the
        # rows must give the same labels, shuffled.
        # PPP standardises the features itself (a StandardScaler in front would round
        # differently for a shuffled copy, and PPP's answer is a function of the exact values).
        labels = PPP().fit_predict(X)
        shuffle = np.random.default_rng(0).permutation(X.shape[0])
        shuffled = PPP().fit_predict(X[shuffle])
        if not np.array_equal(shuffled, labels[shuffle]):
            raise AssertionError(f"PPP gave different labels on shuffled rows of {name}")
        found_labels[name] = labels
        rows.append(
            [
                name,
                int(X.shape[1]),
                int(np.unique(y).size),
                int(np.unique(labels).size),
                float(adjusted_rand_score(y, labels)),
                "yes",
            ]
        )
        ctx.progress(done, len(datasets), "datasets clustered")
    notes = [
        "PPP on the raw features (it standardises them itself), in all the dimensions; it "
        "is given no number of "
        "clusters; the ARI compares its labels with the classes (iris's versicolor and "
        "virginica overlap; several handwritten digits share shapes)."
    ]
    if ctx.wants_plots:
        fig, axes = ctx.new_figure(ncols=len(datasets))
        for ax, (name, (X, _)) in zip(axes[0], datasets.items()):
            projected = PCA(n_components=2).fit_transform(StandardScaler().fit_transform(X))
            ax.scatter(*projected.T, c=found_labels[name], s=10, cmap="tab10")
            ax.set(title=f"{name}: PPP clusters", xlabel="PC 1 (picture only)", ylabel="PC 2")
        notes.append(f"figure: {ctx.save_figure(fig, 'ppp_clusters')}")
    return StepResult(
        headers=["data", "features", "true k", "k found", "ARI", "same labels, rows shuffled"],
        rows=rows,
        notes=notes,
    )


def conformal_step(ctx):
    (ConformalSelector, benjamini_hochberg) = _require(
        "skselect.conformal", "ConformalSelector", "benjamini_hochberg"
    )
    (load_qsar,) = _require("skselect.datasets", "load_qsar_aquatic_toxicity")
    import numpy as np
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.model_selection import train_test_split

    X, y = load_qsar(return_X_y=True)
    # Discoveries are compounds more toxic than the 70th percentile of LC50 (-log mol/L).
    threshold = float(np.quantile(y, 0.7))
    # Enough splits, even with --quick, for the realised FDR to be within a few hundredths of
    # its expectation (the Monte-Carlo error is printed with it).
    n_splits = 100 if ctx.quick else 200
    levels = (0.05, 0.1, 0.2, 0.3) if ctx.wants_plots else (0.1, 0.2)
    selected, fdp, power = ({q: [] for q in levels} for _ in range(3))
    for split in range(n_splits):
        X_lab, X_test, y_lab, y_test = train_test_split(X, y, test_size=0.25, random_state=split)
        truth = y_test > threshold
        selector = ConformalSelector(
            RandomForestRegressor(n_estimators=30, min_samples_leaf=3, random_state=split),
            threshold=threshold,
            random_state=split,
        ).fit(X_lab, y_lab)
        # cfBH is BH on the conformal p-values: one set of p-values serves every level.
        p_values = selector.p_values(X_test)
        for q in levels:
            chosen = benjamini_hochberg(p_values, q)
            n_chosen = int(chosen.sum())
            selected[q].append(n_chosen)
            fdp[q].append(float((chosen & ~truth).sum() / max(n_chosen, 1)))
            power[q].append(float((chosen & truth).sum() / max(int(truth.sum()), 1)))
        ctx.progress(split + 1, n_splits, "random train/calibration/test splits")

    def two_se(values):
        return 2 * np.std(values) / np.sqrt(len(values))

    rows = [
        [
            q,
            float(np.mean(selected[q])),
            f"{np.mean(fdp[q]):.3f} ± {two_se(fdp[q]):.3f}",
            float(np.mean(power[q])),
        ]
        for q in levels
    ]
    n_test = len(y) - len(y_lab)
    notes = [
        f"{len(y)} compounds, {n_splits} random splits: 75% labelled (half fits a random "
        f"forest, half calibrates), 25% test ({n_test} compounds); a discovery is a compound "
        f"with LC50 > {threshold:.2f}. Every column is a mean over the splits.",
        "The guarantee is FDR = E[FDP] <= q: on average over splits, not in each one. The ± is "
        f"twice the Monte-Carlo standard error of that average over {n_splits} splits.",
    ]
    for q in levels:
        mean, error = float(np.mean(fdp[q])), float(two_se(fdp[q]))
        if mean - error > q:
            notes.append(
                f"At q = {q:g} the realised FDR exceeds q by more than twice its Monte-Carlo "
                "error; the splits all reuse one dataset of "
                f"{len(y)} compounds, so they are not independent draws."
            )
    if ctx.wants_plots:
        fig, axes = ctx.new_figure()
        ax = axes[0, 0]
        qs = np.array(levels)
        ax.errorbar(
            qs,
            [np.mean(fdp[q]) for q in levels],
            [two_se(fdp[q]) for q in levels],
            marker="o",
            label="realised FDR",
        )
        ax.plot(qs, [np.mean(power[q]) for q in levels], marker="s", label="power")
        ax.plot(qs, qs, c="0.6", ls="--", lw=1, label="FDR = q")
        ax.set(xlabel="target FDR q", title="QSAR toxicity: conformal selection")
        ax.legend(fontsize=8)
        notes.append(f"figure: {ctx.save_figure(fig, 'conformal_qsar')}")
    return StepResult(
        headers=[
            "target FDR q",
            "selected per split",
            "realised FDR (mean FDP ± 2 s.e.)",
            "power",
        ],
        rows=rows,
        notes=notes,
    )


# The tour, in order: (key for --only, title printed above the table, step function).
STEPS = [
    (
        "smote",
        "SMOTE on Pima diabetes: cross-validated ROC AUC of a logistic regression",
        smote_step,
    ),
    (
        "regression",
        "SMOTER and SMOGN on QSAR aquatic toxicity: errors on the rare extreme toxicities",
        regression_step,
    ),
    ("presto", "PRESTO on wine quality: probabilities of the rare top grade", presto_step),
    (
        "ppp",
        "PPP on iris, wine and digits in all their dimensions: the number of clusters, found",
        ppp_step,
    ),
    (
        "conformal",
        "Conformal selection on QSAR aquatic toxicity: select the most toxic",
        conformal_step,
    ),
]
