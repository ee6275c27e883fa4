"""PRESTO benchmarks: speed against statsmodels / scikit-learn, and the paper's simulations.

Speed (``python benchmarks/bench_presto.py``), peer and skselect on the same data in one run:

1. ``PRESTOClassifierCV`` (20 alphas x 5 folds + refit) at n = 2500, p = 10, K = 4; target
   under 2 s. The peer column is statsmodels ``OrderedModel`` fitting proportional odds once on
   the same data, for scale only (no Python implementation of PRESTO exists to compare with).
2. One ``PRESTOClassifier`` fit at n = 10^5, p = 50, K = 5 against statsmodels
   ``OrderedModel(distr="logit")`` (BFGS) fitting proportional odds on the same data; target
   under 10 s.
3. K = 2 path over the same 20 penalties with warm starts: skselect ``PRESTOClassifier``
   (``warm_start=True``) against ``LogisticRegression`` (L1, ``solver="saga"``,
   ``warm_start=True``) at C = 1 / (n alpha), both with ``tol=1e-6``; target ratio <= 1.0.

Simulation (``python benchmarks/bench_presto.py --simulation --settings all --reps 300``): the
synthetic designs of Faletto & Bien (2023), section 4.1, run as the
authors ran them: n = 2500, p = 10, K = 4, X ~ U[-1, 1]^p, a new weight matrix every
replication with ``sim_data``'s rejection rules; in-sample MSE of the rare-class probability
for PRESTO (``PRESTOClassifierCV`` on ``ordinalNetTune``'s folds), PRESTO_L2 (two settings),
logistic regression on the rare class fitted as R's ``glm.fit`` fits it (and by lbfgs) and
proportional odds. Medians and median ratios, each with a bootstrap Monte-Carlo s.e., are
printed next to the published targets. Replications are appended to per-setting CSVs in
``--out-dir`` (a re-run resumes); ``--reference-cv N`` adds PRESTO tuned with the reference
code's held-out scoring on the first N replications; ``--check-r N`` compares the Logit and PO
fits with R's ``glm`` / ``MASS::polr`` (developer-only; needs ``Rscript``).
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from scipy.special import expit

sys.path.insert(0, str(Path(__file__).parent))
from _harness import compare, machine_info, markdown_table  # noqa: E402

from skselect.ordinal import (  # noqa: E402
    PRESTOClassifier,
    PRESTOClassifierCV,
    ProportionalOddsClassifier,
)

# The authors' tuning (simulation settings): 20 alphas down to 0.01 alpha_max, first weight
# vector penalised (skselect's defaults: 30 alphas down to 1e-3, first vector unpenalised).
AUTHORS_PATH = {"alphas": 20, "alpha_min_ratio": 0.01, "first_penalty_factor": 1.0}


def _ordinal_data(n, p, n_classes, seed):
    """Cumulative-logit data with boundary-specific weights that do not cross on the sample."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, p))
    base = rng.uniform(-0.5, 0.5, size=p)
    steps = rng.uniform(-0.1, 0.1, size=(n_classes - 2, p))
    coef = np.vstack([base, base + np.cumsum(steps, axis=0)])
    intercept = np.linspace(-1.5, 3.0, n_classes - 1)
    cumulative = expit(intercept + X @ coef.T)
    u = rng.uniform(size=(n, 1))
    return X, (u > np.maximum.accumulate(cumulative, axis=1)).sum(axis=1)


def _statsmodels_po(X, y):
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return OrderedModel(y, X, distr="logit").fit(method="bfgs", disp=False, maxiter=5000)


def speed(n_repeats):
    rows = []

    X, y = _ordinal_data(2500, 10, 4, seed=0)
    rows.append(
        compare(
            "CV path n=2500 p=10 K=4 (20 alphas x 5 folds + refit)",
            peer=lambda: _statsmodels_po(X, y),
            ours=lambda: PRESTOClassifierCV(**AUTHORS_PATH).fit(X, y),
            n_repeats=n_repeats,
            quality=lambda r: (
                {"alpha_": r.alpha_} if hasattr(r, "alpha_") else {"llf/n": r.llf / len(y)}
            ),
        )
    )

    X, y = _ordinal_data(100_000, 50, 5, seed=1)

    def loglik(result):
        if hasattr(result, "llf"):
            return {"loglik/n": result.llf / len(y)}
        eta = result.intercept_ - X @ np.atleast_2d(result.coef_).T
        padded = np.hstack([np.zeros((len(y), 1)), expit(eta), np.ones((len(y), 1))])
        proba = padded[np.arange(len(y)), y + 1] - padded[np.arange(len(y)), y]
        return {"loglik/n": float(np.mean(np.log(proba))), "n_iter": result.n_iter_}

    # statsmodels needs minutes here (BFGS with numerical derivatives): one timed run (plus
    # the harness's memory run), and the same peer measurement serves the second row.
    presto_row = compare(
        "single fit n=1e5 p=50 K=5: PRESTO alpha=1e-3 vs statsmodels PO",
        peer=lambda: _statsmodels_po(X, y),
        ours=lambda: PRESTOClassifier(alpha=1e-3, first_penalty_factor=1.0).fit(X, y),
        n_repeats=1,
        warmup=0,
        quality=loglik,
    )
    rows.append(presto_row)
    po_row = compare(
        "single fit n=1e5 p=50 K=5: both PO MLE (peer row above reused)",
        peer=lambda: None,
        ours=lambda: ProportionalOddsClassifier().fit(X, y),
        n_repeats=max(1, n_repeats // 2),
        warmup=0,
        quality=lambda r: loglik(r) if r is not None else {},
    )
    po_row.peer_times, po_row.peer_peak = presto_row.peer_times, presto_row.peer_peak
    for name, value in presto_row.quality.items():
        if name.endswith(" peer"):
            po_row.quality[name] = value
    rows.append(po_row)
    rows.append(_binary_path(n_repeats))
    return rows


def _binary_path(n_repeats, n=5000, p=20, tol=1e-6):
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils.fixes import parse_version

    rng = np.random.default_rng(2)
    X = rng.standard_normal((n, p))
    w = np.where(rng.uniform(size=p) < 0.5, rng.normal(size=p), 0.0)
    y = (X @ w + rng.logistic(size=n) > 0).astype(int)
    alpha_max = np.abs(X.T @ (y - y.mean())).max() / n
    alphas = np.geomspace(alpha_max, alpha_max * 0.01, 20)

    def peer():
        if parse_version(sklearn.__version__) >= parse_version("1.8"):
            model = LogisticRegression(l1_ratio=1.0, solver="saga", tol=tol, warm_start=True)
        else:
            model = LogisticRegression(penalty="l1", solver="saga", tol=tol, warm_start=True)
        coefs = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for alpha in alphas:
                model.set_params(C=1.0 / (n * alpha), max_iter=10_000, random_state=0)
                model.fit(X, y)
                coefs.append(model.coef_[0].copy())
        return np.array(coefs)

    def ours():
        model = PRESTOClassifier(
            standardize=False, tol=tol, warm_start=True, first_penalty_factor=1.0
        )
        coefs = []
        for alpha in alphas:
            model.set_params(alpha=alpha).fit(X, y)
            coefs.append(model.coef_[0].copy())
        return np.array(coefs)

    reference = ours()

    def quality(result):
        return {"max |coef - skselect coef|": float(np.abs(result - reference).max())}

    return compare(
        f"K=2 path n={n} p={p}, 20 alphas, tol={tol:g}",
        peer=peer,
        ours=ours,
        n_repeats=n_repeats,
        quality=quality,
    )


# --------------------------------------------------------------------------------------------
# Simulation study (Faletto & Bien 2023, section 4.1)
# --------------------------------------------------------------------------------------------

# (name, design, q, intercepts, published targets: PRESTO median, P/Logit, P/PO; source)
SETTINGS = [
    ("sparse q=1/2 (0,3,5)", "sparse", 1 / 2, (0, 3, 5), (7.73e-5, 0.75, 0.65), "Fig 5"),
    ("sparse q=1/2 (0,3.5,5.5)", "sparse", 1 / 2, (0, 3.5, 5.5), (3.72e-5, 0.56, 0.77), "Fig 1"),
    ("sparse q=1/2 (0,4,6)", "sparse", 1 / 2, (0, 4, 6), (1.72e-5, 0.35, 0.88), "Fig 5"),
    ("sparse q=1/3 (0,3,5)", "sparse", 1 / 3, (0, 3, 5), (4.35e-5, 0.57, 0.76), "Fig 7"),
    ("sparse q=1/3 (0,3.5,5.5)", "sparse", 1 / 3, (0, 3.5, 5.5), (2.19e-5, 0.40, 0.87), "Fig 6"),
    ("sparse q=1/3 (0,4,6)", "sparse", 1 / 3, (0, 4, 6), (9.38e-6, 0.26, 0.97), "Fig 7"),
    ("dense (0,2.5,4.5)", "dense", None, (0, 2.5, 4.5), (9.56e-5, 0.81, 0.66), "Fig 9"),
    ("dense (0,3,5)", "dense", None, (0, 3, 5), (4.56e-5, 0.62, 0.73), "Fig 8"),
    ("dense (0,3.5,5.5)", "dense", None, (0, 3.5, 5.5), (2.28e-5, 0.46, 0.84), "Fig 2"),
    ("dense (0,4,6)", "dense", None, (0, 4, 6), (9.68e-6, 0.28, 0.91), "Fig 8"),
]
CORE = {"sparse q=1/3 (0,3,5)", "sparse q=1/2 (0,3.5,5.5)", "dense (0,3.5,5.5)", "dense (0,4,6)"}
# PRESTO_L2 (ridge on the differences, the authors' fused_polr_l2), run on the two sparse
# (0,3,5) settings only, as in the paper: (PRESTO_L2 median, median ratio PRESTO/PRESTO_L2).
L2_TARGETS = {"sparse q=1/2 (0,3,5)": (8.42e-5, 0.965), "sparse q=1/3 (0,3,5)": (4.36e-5, 1.04)}
COLUMNS = (
    "rep",
    "rare",
    "presto",
    "presto_l2",
    "logit_glm",
    "logit_lbfgs",
    "po",
    "alpha_max",
    "alpha_ratio",
    "glm_iter",
    "glm_converged",
    "seconds",
)


def _draw_weights(rng, design, q, p):
    """One weight matrix (K-1 = 3 rows): model_functions.R, sparse or dense (uniform)."""
    if design == "sparse":
        # relax_prop_odds_model_rand with beta = rep(.5, p), dev_size = .5, dev_prob = q.
        beta = 0.5 * (rng.uniform(size=p) < q)
        rows = [beta]
        for _ in range(2):
            signs = rng.choice([-1.0, 1.0], size=p)
            rows.append(rows[-1] + 0.5 * signs * (rng.uniform(size=p) < q))
        return np.array(rows)
    # relax_prop_odds_unif_model with dev_size = .5 (its beta argument is unused).
    beta = rng.uniform(-0.5, 0.5, size=p)
    rows = [beta]
    for _ in range(2):
        rows.append(rows[-1] + rng.uniform(-0.5, 0.5, size=p))
    return np.array(rows)


def _simulate(rng, design, q, intercepts, n=2500, p=10, n_classes=4):
    """One data set with the authors' rejection rules (model_functions.R::sim_data).

    A weight matrix is redrawn when a class probability is negative on the sampled X; X (and y)
    are redrawn up to 10 times until every class occurs, and then the weights are redrawn.
    """
    intercepts = np.asarray(intercepts, dtype=float)
    while True:
        coef = _draw_weights(rng, design, q, p)
        for _ in range(10):
            X = rng.uniform(-1, 1, size=(n, p))
            cumulative = expit(intercepts + X @ coef.T)
            if np.any(np.diff(cumulative, axis=1) < 0):
                break  # negative class probabilities on the sample: redraw the weights
            y = (rng.uniform(size=(n, 1)) > cumulative).sum(axis=1)
            if len(np.unique(y)) == n_classes:
                return X, y, 1.0 - cumulative[:, -1]


def _r_folds(rng, n, n_folds=5):
    """ordinalNetTune's folds: a random permutation dealt round-robin (not stratified)."""
    permutation = rng.permutation(n)
    dealt = np.arange(n) % n_folds
    return [
        (np.sort(permutation[dealt != fold]), np.sort(permutation[dealt == fold]))
        for fold in range(n_folds)
    ]


# R's binomial()$linkinv / mu.eta (C code logit_linkinv / logit_mu_eta): clamped at |eta| > 30.
_R_EPS = np.finfo(np.float64).eps


def _r_logit_linkinv(eta):
    odds = np.where(
        eta < -30, _R_EPS, np.where(eta > 30, 1 / _R_EPS, np.exp(np.clip(eta, -30, 30)))
    )
    return odds / (1 + odds)


def _r_logit_mu_eta(eta):
    clipped = np.exp(np.clip(eta, -30, 30))
    return np.where(np.abs(eta) > 30, _R_EPS, clipped / (1 + clipped) ** 2)


def _binomial_deviance(y, mu):
    return float(-2.0 * (np.log(mu[y == 1]).sum() + np.log1p(-mu[y == 0]).sum()))


def glm_binomial(X, y, epsilon=1e-8, maxit=25):
    """Unpenalised logistic regression fitted as R's ``glm.fit`` does (IRLS, R >= 4.x).

    Start from mustart = (y + 0.5) / 2, eta = logit(mustart); each iteration solves the weighted
    least-squares problem on the working response, and stops when
    |dev - dev_old| / (|dev| + 0.1) < epsilon (glm.control defaults 1e-8, 25 iterations). On
    near-separated data this stops long before the likelihood's supremum, as R does.
    Returns (intercept and coefficients, iterations, converged).
    """
    y = np.asarray(y, dtype=np.float64)
    design = np.column_stack([np.ones(len(y)), X])
    mu = (y + 0.5) / 2.0
    eta = np.log(mu / (1 - mu))
    dev_old = _binomial_deviance(y, mu)
    coef = np.zeros(design.shape[1])
    for iteration in range(1, maxit + 1):
        mu_eta = _r_logit_mu_eta(eta)
        z = eta + (y - mu) / mu_eta
        w = np.sqrt(mu_eta**2 / (mu * (1 - mu)))
        coef = np.linalg.lstsq(design * w[:, None], z * w, rcond=None)[0]
        eta = design @ coef
        mu = _r_logit_linkinv(eta)
        dev = _binomial_deviance(y, mu)
        if not np.isfinite(dev):  # cannot happen with the clamped link; R would halve the step
            raise FloatingPointError("glm_binomial: non-finite deviance")
        if abs(dev - dev_old) / (abs(dev) + 0.1) < epsilon:
            return coef, iteration, True
        dev_old = dev
    return coef, maxit, False


def _rare_proba_glm(X, y, n_classes=4):
    coef, n_iter, converged = glm_binomial(X, y == n_classes - 1)
    return expit(coef[0] + X @ coef[1:]), n_iter, converged


def _rare_proba_lbfgs(X, y):
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(X, y == y.max())
    return model.predict_proba(X)[:, 1]


def _reference_cv_alpha(X, y, folds, alphas, l1_ratio=1.0):
    """The penalty the authors' code selects (the held-out scoring defect of its cross-validation).

    ordinalNetTuneMod scores each held-out fold with ``coef(..., matrix=TRUE)``, whose column k
    holds psi_k (the k-th *difference*) rather than b_k = psi_1 + ... + psi_k, and whose
    intercepts were un-standardised with psi_k (defect 2): eta_k = a_k - psi_k . mean + psi_k . x
    with a_k the standardised-scale intercept. Class probabilities are differences of
    sigmoid(eta), unrepaired (possibly negative), as ordinalNet's predict returns them; the score
    is the mean multiclass Brier, and the largest alpha at the minimum wins.
    """
    scores = np.zeros((len(alphas), len(folds)))
    for j, (train, test) in enumerate(folds):
        present = np.unique(y[train])
        model = PRESTOClassifier(l1_ratio=l1_ratio, warm_start=True, first_penalty_factor=1.0)
        mean = X[train].mean(axis=0)
        onehot = np.zeros((len(test), 4))
        onehot[np.arange(len(test)), y[test]] = 1.0
        for i, alpha in enumerate(alphas):
            model.set_params(alpha=alpha)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X[train], y[train])
            # coef_ = -b and coef_diff_ = -psi in the authors' sign convention
            intercept = model.intercept_ - (model.coef_ - model.coef_diff_) @ mean
            cumulative = expit(intercept - X[test] @ model.coef_diff_.T)
            padded = np.hstack([np.zeros((len(test), 1)), cumulative, np.ones((len(test), 1))])
            proba = np.zeros((len(test), 4))
            proba[:, present] = np.diff(padded, axis=1)
            scores[i, j] = ((onehot - proba) ** 2).sum(axis=1).mean()
    mean_scores = scores.mean(axis=1)
    return float(alphas[np.flatnonzero(mean_scores == mean_scores.min())[0]])


def _data(setting_index, rep, seed):
    """Replication rep of a setting: (X, y, true rare-class probabilities, CV folds)."""
    _, design, q, intercepts, _, _ = SETTINGS[setting_index]
    rng = np.random.default_rng([seed, setting_index, rep])
    X, y, truth = _simulate(rng, design, q, intercepts)
    return X, y, truth, _r_folds(rng, len(y))


def _reference_replication(setting_index, rep, seed, alpha_max):
    """PRESTO tuned as the reference code tunes it (defects 1 and 2), on replication rep."""
    X, y, truth, folds = _data(setting_index, rep, seed)
    alphas = np.geomspace(alpha_max, alpha_max * 0.01, 20)
    alpha = _reference_cv_alpha(X, y, folds, alphas)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        refit = PRESTOClassifier(alpha=alpha, first_penalty_factor=1.0).fit(X, y)
    # The authors' refit also carries defect 2 in the rare boundary's intercept.
    intercept = refit.intercept_[-1] - (refit.coef_[-1] - refit.coef_diff_[-1]) @ X.mean(axis=0)
    p_hat = 1.0 - expit(intercept - X @ refit.coef_[-1])
    return {
        "rep": rep,
        "presto_ref": float(np.mean((p_hat - truth) ** 2)),
        "alpha_ratio_ref": alpha / alpha_max,
    }


def _replication(setting_index, rep, seed, with_l2):
    """All methods on one simulated data set; returns one CSV row (dict)."""
    start = time.perf_counter()
    X, y, truth, folds = _data(setting_index, rep, seed)

    def mse(p_hat):
        return float(np.mean((p_hat - truth) ** 2))

    row = dict.fromkeys(COLUMNS, np.nan)
    row.update(rep=rep, rare=float(np.mean(y == 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        presto = PRESTOClassifierCV(cv=folds, **AUTHORS_PATH).fit(X, y)
        row["presto"] = mse(presto.predict_proba(X)[:, -1])
        row["alpha_max"] = presto.alphas_[0]
        row["alpha_ratio"] = presto.alpha_ / presto.alphas_[0]
        if with_l2:
            presto_l2 = PRESTOClassifierCV(l1_ratio=0.0, cv=folds, **AUTHORS_PATH).fit(X, y)
            row["presto_l2"] = mse(presto_l2.predict_proba(X)[:, -1])
        po = ProportionalOddsClassifier().fit(X, y)
        row["po"] = mse(po.predict_proba(X)[:, -1])
    p_glm, row["glm_iter"], converged = _rare_proba_glm(X, y)
    row["glm_converged"] = int(converged)
    row["logit_glm"] = mse(p_glm)
    row["logit_lbfgs"] = mse(_rare_proba_lbfgs(X, y))
    row["seconds"] = time.perf_counter() - start
    return row


def _slug(name):
    return "".join(c if c.isalnum() else "_" for c in name).strip("_")


def _load_rows(path):
    if not path.exists():
        return {}
    import csv

    with open(path, newline="") as f:
        return {
            int(r["rep"]): {k: float({"True": 1, "False": 0}.get(v, v)) for k, v in r.items()}
            for r in csv.DictReader(f)
        }


def _append_rows(path, columns, reps, compute):
    """Rows rep = 0..reps-1 of a per-replication CSV, computing and appending missing ones."""
    import csv

    rows = _load_rows(path)
    new_file = not path.exists()
    with open(path, "a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        if new_file:
            writer.writeheader()
        for rep in range(reps):
            if rep not in rows:
                rows[rep] = compute(rep)
                writer.writerow(rows[rep])
                f.flush()
    return np.array([[rows[r][c] for c in columns] for r in range(reps)])


def _run_setting(setting_index, reps, seed, out_dir):
    """Run (or resume) one setting: one CSV row per replication, appended as it finishes."""
    name = SETTINGS[setting_index][0]
    path = out_dir / f"{_slug(name)}_seed{seed}.csv"
    with_l2 = name in L2_TARGETS
    return _append_rows(
        path, COLUMNS, reps, lambda rep: _replication(setting_index, rep, seed, with_l2)
    )


def _run_reference(setting_index, reps, seed, out_dir, alpha_max):
    name = SETTINGS[setting_index][0]
    path = out_dir / f"{_slug(name)}_seed{seed}_reference_cv.csv"
    columns = ("rep", "presto_ref", "alpha_ratio_ref")
    return _append_rows(
        path,
        columns,
        reps,
        lambda rep: _reference_replication(setting_index, rep, seed, alpha_max[rep]),
    )


def _bootstrap_se(values, statistic, n_boot=200, seed=0):
    """Monte-Carlo standard error of statistic(values) by resampling replications."""
    rng = np.random.default_rng(seed)
    n = len(values)
    return float(np.std([statistic(values[rng.integers(0, n, n)]) for _ in range(n_boot)]))


def _median_and_se(values):
    values = values[np.isfinite(values)]
    return float(np.median(values)), _bootstrap_se(values, np.median)


def _fmt(value, se, target=None, digits=None):
    text = f"{value:.{digits}f} ± {se:.{digits}f}" if digits else f"{value:.3g} ± {se:.2g}"
    if target is not None:
        text += f" ({target:.{digits}f})" if digits else f" ({target:.3g})"
    return text


def _verdict(name, label, value, se, target, relative):
    """One line of the acceptance check: within the tolerance, or how many MC s.e. away."""
    gap = value / target - 1 if relative else value - target
    ok = abs(gap) <= (0.15 if relative else 0.07)
    gap_text = f"{100 * gap:+.0f}%" if relative else f"{gap:+.2f}"
    return (
        f"{'ok  ' if ok else 'MISS'} {name}: {label} {value:.3g} vs {target:.3g} ({gap_text}; "
        f"{abs(value - target) / se:.1f} MC s.e.)"
    )


def simulation(reps, which, seed, out_dir, reference_reps=0):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = [s[0] for s in SETTINGS]
    settings = [s for s in SETTINGS if which == "all" or (s[0] in CORE) == (which == "core")]
    col = {c: i for i, c in enumerate(COLUMNS)}
    header = (
        "| setting | reps | rare % | PRESTO median MSE (target) | Logit (glm) | Logit (lbfgs) "
        "| PO | P/Logit glm (target) | P/Logit lbfgs | P/PO (target) |"
    )
    lines = [header, "|---|" + "---:|" * (header.count("|") - 2)]
    reference_lines = [
        "| setting | reps | PRESTO median MSE | PRESTO-ref median MSE (target) "
        "| P/Logit glm | PRESTO-ref/Logit glm (target) | P/PO | PRESTO-ref/PO (target) "
        "| median alpha/alpha_max: PRESTO, PRESTO-ref |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    l2_lines = []
    verdicts = []
    for name, _, _, _, targets, source in settings:
        start = time.perf_counter()
        data = _run_setting(names.index(name), reps, seed, out_dir)
        presto, glm, lbfgs, po = (
            data[:, col[c]] for c in ("presto", "logit_glm", "logit_lbfgs", "po")
        )
        stats = [
            _median_and_se(presto),
            _median_and_se(presto / glm),
            _median_and_se(presto / po),
        ]
        cells = [
            f"{name} [{source}]",
            str(len(data)),
            f"{100 * np.mean(data[:, col['rare']]):.3f}",
            _fmt(*stats[0], targets[0]),
            _fmt(*_median_and_se(glm)),
            _fmt(*_median_and_se(lbfgs)),
            _fmt(*_median_and_se(po)),
            _fmt(*stats[1], targets[1], digits=2),
            _fmt(*_median_and_se(presto / lbfgs), digits=2),
            _fmt(*stats[2], targets[2], digits=2),
        ]
        lines.append("| " + " | ".join(cells) + " |")
        for (value, se), target, label, relative in zip(
            stats, targets, ("median MSE", "P/Logit", "P/PO"), (True, False, False)
        ):
            verdicts.append(_verdict(name, label, value, se, target, relative))
        glm_unconverged = int(np.sum(data[:, col["glm_converged"]] == 0))
        print(
            lines[-1],
            f"  [{time.perf_counter() - start:.0f} s; glm not converged in "
            f"{glm_unconverged} reps, median alpha_/alpha_max "
            f"{np.median(data[:, col['alpha_ratio']]):.3f}]",
            flush=True,
        )
        if name in L2_TARGETS:
            l2 = data[:, col["presto_l2"]]
            l2_lines.append(
                f"| {name} | {len(data)} | {_fmt(*_median_and_se(l2), L2_TARGETS[name][0])} "
                f"| {_fmt(*_median_and_se(presto / l2), L2_TARGETS[name][1], digits=3)} |"
            )
        if reference_reps:
            n_ref = min(reference_reps, reps)
            ref_data = _run_reference(
                names.index(name), n_ref, seed, out_dir, data[:, col["alpha_max"]]
            )
            ref = ref_data[:, 1]
            sub = slice(0, n_ref)
            reference_lines.append(
                f"| {name} | {n_ref} | {_fmt(*_median_and_se(presto[sub]))} "
                f"| {_fmt(*_median_and_se(ref), targets[0])} "
                f"| {_fmt(*_median_and_se(presto[sub] / glm[sub]), digits=2)} "
                f"| {_fmt(*_median_and_se(ref / glm[sub]), targets[1], digits=2)} "
                f"| {_fmt(*_median_and_se(presto[sub] / po[sub]), digits=2)} "
                f"| {_fmt(*_median_and_se(ref / po[sub]), targets[2], digits=2)} "
                f"| {np.median(data[sub, col['alpha_ratio']]):.3f}, "
                f"{np.median(ref_data[:, 2]):.3f} |"
            )
            print(reference_lines[-1], flush=True)
    table = "\n".join(lines)
    if l2_lines:
        table += (
            "\n\n| setting | reps | PRESTO_L2 median MSE (target) | PRESTO/PRESTO_L2 (target) |"
            "\n|---|---:|---:|---:|\n" + "\n".join(l2_lines)
        )
    if reference_reps:
        table += "\n\n" + "\n".join(reference_lines)
    return table + "\n\n" + "\n".join(verdicts)


# --------------------------------------------------------------------------------------------
# Developer-only cross-check against R (glm, MASS::polr); never a dependency, never in CI
# --------------------------------------------------------------------------------------------

_R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
for (path in args) {
  d <- read.csv(path)
  X <- as.matrix(d[, grep("^x", names(d))])
  df <- data.frame(X = X)
  df$y <- as.factor(as.integer(d$y == 3))
  g <- suppressWarnings(glm(y ~ ., family = binomial, data = df))
  po <- MASS::polr(factor(d$y, levels = 0:3, ordered = TRUE) ~ X, method = "logistic")
  out <- data.frame(glm = unname(fitted(g)), polr = unname(fitted(po)[, 4]))
  write.csv(out, sub("\\.csv$", "_r.csv", path), row.names = FALSE)
  cat(path, g$iter, g$converged, "\n")
}
"""


def check_against_r(n_sets, seed):
    """Rare-class probabilities of glm_binomial / lbfgs / ProportionalOddsClassifier vs R."""
    import shutil
    import subprocess
    import tempfile

    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM

    rscript = shutil.which("Rscript")
    workdir = Path(tempfile.mkdtemp(prefix="presto_r_check_"))
    cases = []
    for index in range(n_sets):
        setting_index = index % len(SETTINGS)
        _, design, q, intercepts, _, _ = SETTINGS[setting_index]
        rng = np.random.default_rng([seed, 999, index])
        X, y, _ = _simulate(rng, design, q, intercepts)
        path = workdir / f"set{index}.csv"
        header = ",".join([f"x{j}" for j in range(X.shape[1])] + ["y"])
        np.savetxt(path, np.column_stack([X, y]), delimiter=",", header=header, comments="")
        cases.append((SETTINGS[setting_index][0], X, y, path))
    r_iters = {}
    if rscript is None:
        print("Rscript not found: comparing glm_binomial with statsmodels' GLM IRLS only")
    else:
        script = workdir / "check.R"
        script.write_text(_R_SCRIPT)
        result = subprocess.run(
            [rscript, str(script), *[str(c[3]) for c in cases]],
            capture_output=True,
            text=True,
            check=True,
        )
        for line in result.stdout.splitlines():
            path, n_iter, converged = line.split()[:3]
            r_iters[path] = (int(n_iter), converged)
    lines = [
        "| data set | rare events | glm iter R / ours | max abs diff glm_binomial vs R glm "
        "| lbfgs vs R glm | statsmodels GLM vs glm_binomial | PO (ours) vs R polr |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    worst = np.zeros(4)
    for name, X, y, path in cases:
        p_ours, n_iter, _ = _rare_proba_glm(X, y)
        p_lbfgs = _rare_proba_lbfgs(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sm = GLM((y == 3).astype(float), np.column_stack([np.ones(len(y)), X]), Binomial())
            p_sm = sm.fit(method="IRLS", tol=1e-8).fittedvalues
            po = ProportionalOddsClassifier().fit(X, y).predict_proba(X)[:, -1]
        diffs = [np.nan, np.nan, float(np.abs(p_sm - p_ours).max()), np.nan]
        r_iter = "-"
        if rscript is not None:
            r = np.genfromtxt(str(path).replace(".csv", "_r.csv"), delimiter=",", names=True)
            diffs[0] = float(np.abs(p_ours - r["glm"]).max())
            diffs[1] = float(np.abs(p_lbfgs - r["glm"]).max())
            diffs[3] = float(np.abs(po - r["polr"]).max())
            r_iter = r_iters[str(path)][0]
        worst = np.fmax(worst, diffs)
        lines.append(
            f"| {name} | {int(np.sum(y == 3))} | {r_iter} / {n_iter} | "
            + " | ".join(f"{d:.2g}" for d in diffs)
            + " |"
        )
    lines.append("| **max** | | | " + " | ".join(f"**{d:.2g}**" for d in worst) + " |")
    shutil.rmtree(workdir)
    return "\n".join(lines)


def _path_seconds(X, y, n_alphas, end_ratio, budget):
    """A warm-started path of PRESTOClassifier fits (first_penalty_factor=1) from alpha_max
    down to end_ratio * alpha_max; stops once the budget (seconds) is spent. Returns the
    per-point seconds, the number of non-zero weights at each point and the peak traced
    memory (MiB)."""
    from skselect.ordinal._newton_solver import solve_path
    from skselect.ordinal._wide_solver import make_problem

    tracemalloc.start()
    tracemalloc.reset_peak()
    start = time.perf_counter()
    codes = np.unique(y, return_inverse=True)[1]
    problem = make_problem(
        X,
        codes,
        int(codes.max()) + 1,
        np.ones(len(y)),
        standardize=True,
        fit_intercept=True,
        l1_ratio=1.0,
        first_penalty_factor=1.0,
    )
    alpha_max, start_u = problem.alpha_max()
    seconds, nonzero = [time.perf_counter() - start], []
    alphas = alpha_max * np.geomspace(1.0, end_ratio, n_alphas)
    tick = time.perf_counter()
    for _, u, _, _ in solve_path(problem, alphas, start_u, tol=1e-7, max_iter=10000):
        seconds.append(time.perf_counter() - tick)
        nonzero.append(int(np.count_nonzero(u[problem.n_boundaries :])))
        tick = time.perf_counter()
        if time.perf_counter() - start > budget:
            break
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, nonzero, peak


def wide(budget=600.0, end_ratio=0.05):
    """Paths of 20 penalties on wide dense and on large sparse data (coordinate descent in
    the linear predictors). No peer: no Python package fits a penalised ordinal model on
    sparse input."""
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    lines = [
        "| data | n | p | non-zeros | points done | path (s) | slowest point (s) | "
        "non-zero weights at the end | peak traced memory (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    cases = []
    n, p = 1000, 10_000
    X = rng.normal(size=(n, p))
    beta = np.zeros(p)
    beta[:20] = rng.normal(size=20)
    y = np.digitize(X @ beta * 0.5 + rng.logistic(size=n), [-1.5, 0.0, 1.5])
    cases.append(("dense", X, y))
    n, p, nnz = 100_000, 100_000, 1_000_000
    rows = rng.integers(0, n, size=nnz)
    cols = rng.integers(0, p, size=nnz)
    Xs = sp.csr_matrix((rng.normal(size=nnz), (rows, cols)), shape=(n, p))
    beta = np.zeros(p)
    beta[:50] = 3 * rng.normal(size=50)
    ys = np.digitize(Xs @ beta + rng.logistic(size=n), [-1.5, 0.0, 1.5])
    cases.append(("sparse CSR", Xs, ys))
    for name, X, y in cases:
        seconds, nonzero, peak = _path_seconds(X, y, 20, end_ratio, budget)
        n_nonzero = X.nnz if sp.issparse(X) else X.size
        lines.append(
            f"| {name} | {X.shape[0]} | {X.shape[1]} | {n_nonzero} | {len(nonzero)} of 20 | "
            f"{sum(seconds):.1f} | {max(seconds[1:]):.1f} | {nonzero[-1]} | {peak:.0f} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--simulation", action="store_true", help="run the simulation study")
    parser.add_argument("--reps", type=int, default=100, help="replications per setting")
    parser.add_argument("--settings", choices=["core", "rest", "all"], default="core")
    parser.add_argument("--seed", type=int, default=2390812)
    parser.add_argument(
        "--out-dir",
        default="/tmp/presto_sim",
        help="per-replication CSVs (one per setting and seed); a re-run resumes from them",
    )
    parser.add_argument(
        "--reference-cv",
        type=int,
        metavar="N",
        default=0,
        help="on the first N replications, also tune alpha as the reference code does (its "
        "held-out scoring uses psi_k for b_k)",
    )
    parser.add_argument(
        "--check-r",
        type=int,
        metavar="N",
        default=0,
        help="compare Logit and PO with R's glm / MASS::polr on N simulated data sets",
    )
    parser.add_argument(
        "--wide",
        action="store_true",
        help="paths of 20 penalties at n = 1000, p = 10^4 (dense) and n = p = 10^5 (sparse)",
    )
    args = parser.parse_args()
    print(machine_info())
    if args.wide:
        print(wide())
        return
    if args.check_r:
        print(check_against_r(args.check_r, args.seed))
        return
    if args.simulation:
        print(simulation(args.reps, args.settings, args.seed, args.out_dir, args.reference_cv))
        return
    rows = speed(args.repeats)
    print(markdown_table(rows, peer_name="peer", ours_name="skselect"))


if __name__ == "__main__":
    main()
