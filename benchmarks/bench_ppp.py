"""PPP against the automatic-k peers on the labelled clustering benchmark sets.

For every set in ``../shared/data/clustering/{sipu,fcps}`` (relative to the repository root)
it reports, per method: the number of clusters found, the ARI against the reference labels,
the repeatability (mean pairwise ARI between the labelings of different ``random_state``
values) and the median fit time. The peers are scikit-learn's ``KMeans`` given the true k,
a ``GaussianMixture`` BIC sweep over k = 1..40, ``BayesianGaussianMixture`` (40 components),
``HDBSCAN`` and, when ``pyclustering`` is installed, X-means and G-means. A final run times PPP
at n = 10^6, d = 10.

Usage::

    python benchmarks/bench_ppp.py                 # every set, 10 seeds for PPP and KMeans
    python benchmarks/bench_ppp.py --sets s1 hepta # a subset
    python benchmarks/bench_ppp.py --no-scaling    # skip the 10^6-sample run
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import gzip
import itertools
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.cluster import HDBSCAN, KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import BayesianGaussianMixture, GaussianMixture
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import compare, machine_info, markdown_table  # noqa: E402

from skselect.cluster import PPP  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "clustering"
SETS = {
    "a1": "sipu",
    "s1": "sipu",
    "s2": "sipu",
    "s3": "sipu",
    "s4": "sipu",
    "r15": "sipu",
    "d31": "sipu",
    "unbalance": "sipu",
    "aggregation": "sipu",
    "hepta": "fcps",
    "tetra": "fcps",
    "lsun": "fcps",
    "twodiamonds": "fcps",
    "wingnut": "fcps",
    "engytime": "fcps",
    "atom": "fcps",
    "chainlink": "fcps",
    "target": "fcps",
}
K_MAX = 40


def load(name):
    stem = DATA / SETS[name] / name
    with gzip.open(f"{stem}.data.gz", "rt") as f:
        X = np.loadtxt(f)
    with gzip.open(f"{stem}.labels0.gz", "rt") as f:
        y = np.loadtxt(f).astype(int)
    labels = np.unique(y)
    k = int(np.sum(labels > 0)) if 0 in labels and labels.size > 1 else labels.size
    return X, y, k


def _n_clusters(model):
    return model.n_clusters_ if hasattr(model, "n_clusters_") else model.n_clusters


def _pyclustering():
    try:
        # pyclustering 0.10.1.2 still calls np.warnings, removed in numpy 2.
        np.warnings = warnings
        from pyclustering.cluster.center_initializer import kmeans_plusplus_initializer
        from pyclustering.cluster.gmeans import gmeans
        from pyclustering.cluster.xmeans import xmeans
    except ImportError:
        return None
    return kmeans_plusplus_initializer, xmeans, gmeans


def _labels_from_lists(clusters, n):
    labels = np.full(n, -1)
    for k, members in enumerate(clusters):
        labels[members] = k
    return labels


def methods(k_true, pyclustering):
    """name -> (fit(X, seed) -> labels, seeds used)."""

    def ppp(X, seed):
        return PPP(random_state=seed).fit(X).labels_

    def kmeans(X, seed):
        return KMeans(n_clusters=k_true, random_state=seed).fit(X).labels_

    def bic_sweep(X, seed):
        Z = StandardScaler().fit_transform(X)
        best = min(
            (GaussianMixture(k, random_state=seed).fit(Z) for k in range(1, K_MAX + 1)),
            key=lambda g: g.bic(Z),
        )
        return best.predict(Z)

    def bayesian(X, seed):
        Z = StandardScaler().fit_transform(X)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return BayesianGaussianMixture(
                n_components=K_MAX, random_state=seed, max_iter=200
            ).fit_predict(Z)

    def hdbscan(X, seed):
        return HDBSCAN(copy=True).fit(StandardScaler().fit_transform(X)).labels_

    table = {
        "PPP": (ppp, range(10)),
        "KMeans(true k)": (kmeans, range(10)),
        # One sweep is 40 EM fits: a single seed keeps the run short on a shared machine
        # (its repeatability column is then n/a).
        "GMM BIC 1..40": (bic_sweep, range(1)),
        "BayesGMM(40)": (bayesian, range(3)),
        "HDBSCAN": (hdbscan, range(1)),
    }
    if pyclustering is not None:
        initializer, xmeans, gmeans = pyclustering

        def run_xmeans(X, seed):
            Z = StandardScaler().fit_transform(X)
            start = initializer(Z, 2, random_state=seed).initialize()
            model = xmeans(Z, start, kmax=K_MAX, random_state=seed)
            model.process()
            return _labels_from_lists(model.get_clusters(), Z.shape[0])

        def run_gmeans(X, seed):
            Z = StandardScaler().fit_transform(X)
            model = gmeans(Z, k_max=K_MAX, random_state=seed)
            model.process()
            return _labels_from_lists(model.get_clusters(), Z.shape[0])

        table["X-means"] = (run_xmeans, range(10))
        table["G-means"] = (run_gmeans, range(10))
    return table


def evaluate(fit, seeds, X, y):
    labelings, times = [], []
    for seed in seeds:
        start = time.perf_counter()
        labels = fit(X, seed)
        times.append(time.perf_counter() - start)
        labelings.append(labels)
    pairs = list(itertools.combinations(labelings, 2))
    repeatability = (
        statistics.mean(adjusted_rand_score(a, b) for a, b in pairs) if pairs else float("nan")
    )
    ks = [len(np.unique(labels[labels >= 0])) for labels in labelings]
    return {
        "k": statistics.median(ks),
        "ARI": statistics.mean(adjusted_rand_score(y, labels) for labels in labelings),
        "repeat": repeatability,
        "time": statistics.median(times),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=list(SETS))
    parser.add_argument("--no-scaling", action="store_true")
    args = parser.parse_args()
    pyclustering = _pyclustering()
    print(f"machine: {machine_info()}")
    print(f"pyclustering: {'available' if pyclustering else 'not installed'}\n")

    quality_rows, timing_rows = [], []
    for name in args.sets:
        if not (DATA / SETS[name] / f"{name}.data.gz").exists():
            print(f"skipping {name}: not found under {DATA}")
            continue
        X, y, k_true = load(name)
        results = {}
        for method, (fit, seeds) in methods(k_true, pyclustering).items():
            results[method] = evaluate(fit, seeds, X, y)
        cells = [f"{name} (n={X.shape[0]}, d={X.shape[1]}, k={k_true})"]
        for r in results.values():
            cells.append(f"{r['k']:g} / {r['ARI']:.3f} / {r['repeat']:.3f} / {r['time']:.2f}s")
        quality_rows.append((list(results), cells))
        row = compare(
            name,
            peer=lambda X=X, k=k_true: KMeans(n_clusters=k, random_state=0).fit(X),
            ours=lambda X=X: PPP().fit(X),
            n_repeats=3,
            quality=lambda model: {"k": _n_clusters(model)},
        )
        row.quality["PPP / BIC sweep time"] = (
            results["PPP"]["time"] / results["GMM BIC 1..40"]["time"]
        )
        timing_rows.append(row)
        print(" | ".join(cells), flush=True)

    if quality_rows:
        header = ["set"] + quality_rows[0][0]
        print("\nk found / ARI / repeatability / median fit time\n")
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(["---"] * len(header)) + "|")
        for _, cells in quality_rows:
            print("| " + " | ".join(cells) + " |")
        print("\nFit time, PPP vs KMeans(n_clusters=true k) (3 repeats, medians)\n")
        print(markdown_table(timing_rows, peer_name="KMeans(true k)", ours_name="PPP"))

    if not args.no_scaling:
        X, y = make_blobs(
            n_samples=1_000_000, n_features=10, centers=8, cluster_std=1.0, random_state=0
        )
        row = compare(
            "blobs n=10^6, d=10, k=8",
            peer=lambda: KMeans(n_clusters=8, random_state=0).fit(X),
            ours=lambda: PPP().fit(X),
            n_repeats=1,
            warmup=0,
            quality=lambda model: {
                "k": _n_clusters(model),
                "ARI": adjusted_rand_score(y, model.labels_),
            },
        )
        print("\nScaling\n")
        print(markdown_table([row], peer_name="KMeans(k=8)", ours_name="PPP"))


if __name__ == "__main__":
    main()
