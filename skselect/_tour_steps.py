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


@register("conformal", "Conformal selection: toxic compounds at FDR 0.2 (QSAR aquatic toxicity)")
def _conformal_step(ctx):
    """cfBH, naive model picking and OptCS-MS over random train/calibration/test splits."""
    import numpy as np

    ConformalSelector, OptCSSelector, benjamini_hochberg, conformal_pvalues = _require(
        "skselect.conformal",
        "ConformalSelector",
        "OptCSSelector",
        "benjamini_hochberg",
        "conformal_pvalues",
    )
    from sklearn.linear_model import Ridge
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeRegressor

    from skselect.datasets import load_qsar_aquatic_toxicity

    X, y = load_qsar_aquatic_toxicity(return_X_y=True)
    threshold, fdr = 5.0, 0.2
    candidates = [
        make_pipeline(StandardScaler(), Ridge(alpha=1.0)),
        make_pipeline(StandardScaler(), KNeighborsRegressor(n_neighbors=5)),
        DecisionTreeRegressor(max_depth=3, random_state=0),
        DecisionTreeRegressor(max_depth=6, random_state=0),
    ]
    n_repetitions = 5 if ctx.quick else 40
    methods = ["cfBH (Ridge)", "naive model picking", "OptCS-MS"]
    records = {name: [] for name in methods}
    rng = np.random.default_rng(0)
    for rep in range(n_repetitions):
        order = rng.permutation(len(y))
        train, calib, test = np.split(order, [int(0.4 * len(y)), int(0.7 * len(y))])
        fitted = [model.fit(X[train], y[train]) for model in candidates]
        truth = y[test] > threshold
        selections = {
            "cfBH (Ridge)": ConformalSelector(fitted[0], threshold=threshold, fdr=fdr, prefit=True)
            .fit(X[calib], y[calib])
            .select(X[test]),
            "OptCS-MS": OptCSSelector(
                fitted, threshold=threshold, fdr=fdr, prefit=True, random_state=rep
            )
            .fit(X[calib], y[calib])
            .select(X[test]),
        }
        best = np.zeros(len(test), dtype=bool)
        for model in fitted:
            calib_scores = np.where(y[calib] > threshold, np.inf, -model.predict(X[calib]))
            chosen = benjamini_hochberg(
                conformal_pvalues(calib_scores, -model.predict(X[test])), fdr
            )
            best = chosen if chosen.sum() > best.sum() else best
        selections["naive model picking"] = best
        for name, selected in selections.items():
            records[name].append(
                (
                    np.sum(selected & ~truth) / max(1, selected.sum()),
                    np.sum(selected & truth) / max(1, truth.sum()),
                    selected.sum(),
                )
            )
        ctx.progress(rep + 1, n_repetitions, "splits")
    rows = []
    for name in methods:
        values = np.array(records[name], dtype=float)
        error = 2 * values[:, 0].std(ddof=1) / np.sqrt(n_repetitions)
        rows.append(
            [
                name,
                float(values[:, 0].mean()),
                float(error),
                float(values[:, 1].mean()),
                float(values[:, 2].mean()),
            ]
        )
    return StepResult(
        headers=["method", "FDR", "+-2 s.e.", "power", "selected"],
        rows=rows,
        notes=[
            f"LC50 > {threshold} among {len(test)} test compounds, target FDR {fdr}, "
            f"{n_repetitions} random 40/30/30 splits; cfBH and OptCS-MS guarantee FDR <= {fdr}, "
            "naive picking of the best of 4 models on the calibration set does not."
        ],
    )
