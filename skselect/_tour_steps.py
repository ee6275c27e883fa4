"""The steps of ``python -m skselect``, one per estimator family (see skselect._tour)."""

from skselect._tour import NotAvailable, StepResult, register  # noqa: F401


def _require(module_name, *names):
    """Import and return ``names`` from ``module_name`` or raise NotAvailable."""
    import importlib

    module = importlib.import_module(module_name)
    missing = [name for name in names if not hasattr(module, name)]
    if missing:
        raise NotAvailable(f"{module_name} does not provide {', '.join(missing)} yet")
    return [getattr(module, name) for name in names]


def _cv(quick, random_state=0):
    from sklearn.model_selection import StratifiedKFold

    return StratifiedKFold(n_splits=3 if quick else 5, shuffle=True, random_state=random_state)


@register("smote", "SMOTE on Pima diabetes: cross-validated ROC AUC of a logistic regression")
def smote_step(ctx):
    (SMOTE,) = _require("skselect.over_sampling", "SMOTE")
    (SMOTEUnderSampler,) = _require("skselect.combine", "SMOTEUnderSampler")
    (load_pima,) = _require("skselect.datasets", "load_pima")
    import numpy as np
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.preprocessing import StandardScaler

    X, y = load_pima(return_X_y=True)
    samplers = {
        "no resampling": None,
        "SMOTE": SMOTE(random_state=0),
        "SMOTE + under-sampling": SMOTEUnderSampler(
            smote_percent=100, under_percent=100, random_state=0
        ),
    }
    rows = []
    cv = _cv(ctx.quick)
    for done, (name, sampler) in enumerate(samplers.items(), start=1):
        steps = [StandardScaler()] + ([sampler] if sampler is not None else [])
        model = make_pipeline(*steps, LogisticRegression(max_iter=1000))
        auc = cross_val_score(model, X, y, cv=cv, scoring="roc_auc")
        if sampler is None:
            counts = np.bincount(y)
        else:
            counts = np.bincount(sampler.fit_resample(X, y)[1])
        rows.append([name, float(auc.mean()), float(auc.std()), " / ".join(map(str, counts))])
        ctx.progress(done, len(samplers), "pipelines cross-validated")
    return StepResult(
        headers=["pipeline", "ROC AUC", "± sd", "class counts after resampling (0 / 1)"],
        rows=rows,
        notes=[
            f"{len(y)} patients, {int(y.sum())} with diabetes; resampling happens inside each "
            "training fold only (imblearn.pipeline)."
        ],
    )


@register("conformal", "Conformal selection on QSAR aquatic toxicity: select the most toxic")
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
    n_splits = 20 if ctx.quick else 100
    levels = (0.1, 0.2)
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
    rows = [
        [
            q,
            float(np.mean(selected[q])),
            f"{np.mean(fdp[q]):.3f} ± {2 * np.std(fdp[q]) / np.sqrt(n_splits):.3f}",
            float(np.mean(power[q])),
        ]
        for q in levels
    ]
    return StepResult(
        headers=["target FDR q", "units selected", "realised FDR ± 2 s.e.", "power"],
        rows=rows,
        notes=[
            f"{len(y)} compounds, {n_splits} random splits: 75% labelled (half fits a random "
            f"forest, half calibrates), 25% test; a discovery is LC50 > {threshold:.2f}.",
            "The guarantee is FDR = E[FDP] <= q: the mean over splits, up to the Monte-Carlo "
            "error shown.",
        ],
    )


@register("presto", "PRESTO on wine quality: probabilities of the rare top grade")
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
        "PRESTO (CV)": lambda: PRESTOClassifierCV(
            alphas=10 if ctx.quick else 20, cv=3 if ctx.quick else 5
        ),
        "proportional odds": ProportionalOddsClassifier,
        "logistic on top grade": lambda: LogisticRegression(max_iter=2000),
    }
    scores = {name: {"log_loss": [], "brier": [], "mean_p": []} for name in models}
    observed = []
    step = 0
    for split in range(n_splits):
        X_train, X_test, y_train, y_test = train_test_split(
            X, grade, test_size=0.3, stratify=grade, random_state=split
        )
        is_top = (y_test == top).astype(float)
        observed.append(is_top.mean())
        for name, make_model in models.items():
            binary = name.startswith("logistic")
            target = (y_train == top).astype(int) if binary else y_train
            model = make_pipeline(StandardScaler(), make_model()).fit(X_train, target)
            proba = model.predict_proba(X_test)
            p_top = proba[:, -1]
            if not binary:
                scores[name]["log_loss"].append(log_loss(y_test, proba, labels=np.arange(top + 1)))
            scores[name]["brier"].append(float(np.mean((p_top - is_top) ** 2)))
            scores[name]["mean_p"].append(float(p_top.mean()))
            step += 1
            ctx.progress(step, n_splits * len(models), "models fitted")
    rows = []
    for name, figures in scores.items():
        loss = f"{np.mean(figures['log_loss']):.4f}" if figures["log_loss"] else "n/a (binary)"
        rows.append(
            [name, loss, 1000 * float(np.mean(figures["brier"])), float(np.mean(figures["mean_p"]))]
        )
    return StepResult(
        headers=["model", "log-loss (5 grades)", "top-grade Brier x1000", "mean P(top)"],
        rows=rows,
        notes=[
            f"{len(grade)} wines (red and white), quality grouped into <=4, 5, 6, 7, >=8; "
            f"{n_splits} stratified 70/30 splits; observed top-grade rate "
            f"{np.mean(observed):.3f}. Lower log-loss and Brier are better.",
        ],
    )


@register("ppp", "PPP on scikit-learn's iris and wine data: the number of clusters, found")
def ppp_step(ctx):
    (PPP,) = _require("skselect.cluster", "PPP")
    import numpy as np
    from sklearn.datasets import load_iris, load_wine
    from sklearn.metrics import adjusted_rand_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    datasets = {"iris": load_iris(return_X_y=True), "wine (cultivars)": load_wine(return_X_y=True)}
    rows = []
    for done, (name, (X, y)) in enumerate(datasets.items(), start=1):
        labels = []
        for seed in (0, 1):
            model = make_pipeline(StandardScaler(), PPP(random_state=seed))
            labels.append(model.fit_predict(X))
        found = int(np.unique(labels[0]).size)
        same = "yes" if np.array_equal(labels[0], labels[1]) else "NO"
        rows.append(
            [
                name,
                int(np.unique(y).size),
                found,
                float(adjusted_rand_score(y, labels[0])),
                same,
            ]
        )
        ctx.progress(done, len(datasets), "datasets clustered")
    if any(row[-1] != "yes" for row in rows):
        raise AssertionError("PPP gave different labels for random_state=0 and 1")
    return StepResult(
        headers=["data", "true k", "k found", "ARI", "random_state 0 and 1 identical"],
        rows=rows,
        notes=["PPP is given no number of clusters; the ARI compares its labels with the classes."],
    )
