"""PPP against automatic-k peers on a battery of real and generated clustering problems.

The battery: the labelled sets found under ``$SKSELECT_DATA_DIR/clustering/{sipu,fcps}``
(default: ``../shared/data`` beside the repository), scikit-learn's bundled real sets (iris,
wine, breast cancer, digits) and generated sets covering the hard cases (dimension 2 to 128,
d > n, touching to far-apart clusters, anisotropic and unequal clusters, 2 to 30 clusters,
uniform and single-Gaussian data whose right answer is one cluster). Every set is
standardised, and every method sees the same data.

The battery is split once, by a fixed seed, into a development half and a held-out half
(``battery_split``); PPP's rules were tuned on the development half only. Both halves are
reported, with the mean ARI of every method per half.

Peers, in the same run: ``GaussianMixture`` BIC sweep over k = 1..30 (full covariances up to
16 features, diagonal above, where full ones have more parameters than samples),
``BayesianGaussianMixture`` (30 components, same covariance rule), ``HDBSCAN``, X-means and
G-means from ``clustpy``, IsoSplit from ``isosplit6`` (in a child process, since it aborts
the process on singular input; a crash counts as one cluster) and PLSCAN from
``fast_hdbscan`` (each when installed), and ``KMeans`` given the true k as the ceiling.

Usage::

    python benchmarks/bench_ppp.py --half dev          # tune on this one only
    python benchmarks/bench_ppp.py                     # both halves
    python benchmarks/bench_ppp.py --scale             # the large-n timing runs only
    python benchmarks/bench_ppp.py --stability         # k and ARI under units, bits, order
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import gzip
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn import datasets
from sklearn.cluster import HDBSCAN, KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import BayesianGaussianMixture, GaussianMixture
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import machine_info  # noqa: E402

from skselect.cluster import PPP  # noqa: E402

DATA = (
    Path(
        os.environ.get("SKSELECT_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data")
    )
    / "clustering"
)
SHARED = {
    "a1": "sipu", "s1": "sipu", "s2": "sipu", "s3": "sipu", "s4": "sipu", "r15": "sipu",
    "d31": "sipu", "unbalance": "sipu", "aggregation": "sipu", "hepta": "fcps",
    "tetra": "fcps", "lsun": "fcps", "twodiamonds": "fcps", "wingnut": "fcps",
    "engytime": "fcps", "atom": "fcps", "chainlink": "fcps", "target": "fcps",
}  # fmt: skip
K_MAX = 30
SPLIT_SEED = 20261127


def _shared(name):
    def load():
        stem = DATA / SHARED[name] / name
        with gzip.open(f"{stem}.data.gz", "rt") as f:
            X = np.loadtxt(f)
        with gzip.open(f"{stem}.labels0.gz", "rt") as f:
            y = np.loadtxt(f).astype(int)
        return X, y

    return load


def _sklearn(loader):
    def load():
        bunch = loader()
        return bunch.data.astype(float), bunch.target

    return load


def gaussian_mixture(n, d, k, separation, *, seed, anisotropy=1.0, unequal=False):
    """k Gaussian clusters in d dimensions whose nearest centres are ``separation`` apart in
    the (unit-variance) Mahalanobis metric of the rounder clusters; with ``anisotropy`` > 1
    every cluster gets a random covariance whose axes differ by up to that factor in sd."""
    rng = np.random.default_rng(seed)
    centres = [rng.normal(size=d)]
    scale = separation * max(1.0, k ** (1 / max(d, 1))) * 1.5
    while len(centres) < k:
        candidate = rng.uniform(-scale, scale, size=d)
        if min(np.linalg.norm(candidate - c) for c in centres) >= separation:
            centres.append(candidate)
        else:
            scale *= 1.01
    weights = rng.uniform(1, 10, size=k) if unequal else np.ones(k)
    sizes = np.maximum(rng.multinomial(n - 5 * k, weights / weights.sum()) + 5, 5)
    X, y = [], []
    for label, (centre, size) in enumerate(zip(centres, sizes)):
        axes = np.exp(rng.uniform(0, np.log(anisotropy), size=d))
        axes /= axes.min()
        rotation, _ = np.linalg.qr(rng.normal(size=(d, d)))
        points = (rng.normal(size=(size, d)) * axes) @ rotation.T
        X.append(points + centre)
        y.append(np.full(size, label))
    return np.vstack(X), np.concatenate(y)


def _generated(*args, **kwargs):
    return lambda: gaussian_mixture(*args, **kwargs)


def _grid(side, n, seed):
    def load():
        rng = np.random.default_rng(seed)
        centres = np.array([(i, j) for i in range(side) for j in range(side)]) * 4 * np.sqrt(2)
        y = rng.integers(0, side * side, size=n)
        return centres[y] + rng.normal(size=(n, 2)), y

    return load


def _one_cluster(kind, n, d, seed):
    def load():
        rng = np.random.default_rng(seed)
        X = rng.uniform(size=(n, d)) if kind == "uniform" else rng.normal(size=(n, d))
        return X, np.zeros(n, dtype=int)

    return load


def battery():
    sets = {name: _shared(name) for name in SHARED}
    sets.update(
        {
            "iris": _sklearn(datasets.load_iris),
            "wine": _sklearn(datasets.load_wine),
            "breast_cancer": _sklearn(datasets.load_breast_cancer),
            "digits": _sklearn(datasets.load_digits),
            "g2-k2-touching": _generated(1000, 2, 2, 3.0, seed=1),
            "g2-k5-aniso": _generated(2000, 2, 5, 6.0, seed=2, anisotropy=4.0),
            "g2-k10-unequal": _generated(3000, 2, 10, 6.0, seed=3, unequal=True),
            "g8-k10": _generated(2000, 8, 10, 5.0, seed=4),
            "g8-k30-unequal": _generated(6000, 8, 30, 6.0, seed=5, unequal=True),
            "g8-k4-aniso": _generated(2000, 8, 4, 6.0, seed=6, anisotropy=3.0),
            "g32-k2-sep8": _generated(2048, 32, 2, 8.0, seed=7),
            "g32-k5": _generated(2000, 32, 5, 5.0, seed=8),
            "g32-k10-aniso": _generated(3000, 32, 10, 8.0, seed=9, anisotropy=2.0),
            "g64-k10": _generated(3000, 64, 10, 6.0, seed=10),
            "g64-k20-unequal": _generated(4000, 64, 20, 8.0, seed=11, unequal=True),
            "g128-k4": _generated(1000, 128, 4, 8.0, seed=12),
            "g128-k3-d>n": _generated(100, 128, 3, 12.0, seed=13),
            "g200-k3-d>n": _generated(90, 200, 3, 12.0, seed=14),
            "g2-k20-touching": _generated(4000, 2, 20, 4.0, seed=15),
            "g16-k6-touching": _generated(3000, 16, 6, 4.0, seed=16),
            "uniform-2d": _one_cluster("uniform", 2000, 2, 17),
            "uniform-10d": _one_cluster("uniform", 2000, 10, 18),
            "gaussian-8d": _one_cluster("gaussian", 2000, 8, 19),
            "gaussian-64d": _one_cluster("gaussian", 500, 64, 20),
            "grid-3x3": _grid(3, 2000, 21),
            "grid-6x6": _grid(6, 8000, 22),
        }
    )
    return sets


def battery_split(names):
    """The fixed development / held-out split: a seeded permutation of the sorted names."""
    names = sorted(names)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(names))
    half = len(names) // 2
    return sorted(names[i] for i in order[:half]), sorted(names[i] for i in order[half:])


def _covariance(d):
    return "full" if d <= 16 else "diag"


def _bic_sweep(X, k_true):
    best, best_bic = None, np.inf
    for k in range(1, min(K_MAX, X.shape[0] - 1) + 1):
        model = GaussianMixture(k, covariance_type=_covariance(X.shape[1]), random_state=0)
        model.fit(X)
        bic = model.bic(X)
        if bic < best_bic:
            best, best_bic = model, bic
    return best.predict(X)


def _bayesian(X, k_true):
    n_components = min(K_MAX, X.shape[0] - 1)
    model = BayesianGaussianMixture(
        n_components=n_components, covariance_type=_covariance(X.shape[1]), random_state=0,
        max_iter=300,
    )  # fmt: skip
    return model.fit(X).predict(X)


def _hdbscan(X, k_true):
    return HDBSCAN().fit(X).labels_


def _kmeans(X, k_true):
    return KMeans(k_true, n_init=10, random_state=0).fit(X).labels_


def _ppp(X, k_true, **params):
    return PPP(**params).fit(X).labels_


def _isosplit_child(X, connection):
    import isosplit6

    start = time.perf_counter()
    labels = np.asarray(isosplit6.isosplit6(X)).astype(int)
    connection.send((labels, time.perf_counter() - start))
    connection.close()


def _isosplit(X, k_true, timings=None):
    """IsoSplit in a child process: it aborts the whole process on some (singular) inputs.
    A crash counts as one cluster. The time is the child's own fit time."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_isosplit_child, args=(np.ascontiguousarray(X), child))
    process.start()
    child.close()
    labels, seconds = None, float("nan")
    try:
        if parent.poll(3600):
            labels, seconds = parent.recv()
    except EOFError:
        pass
    process.join()
    if timings is not None:
        timings.append(seconds)
    if labels is None:
        print("IsoSplit crashed: counted as one cluster", file=sys.stderr)
        return np.zeros(X.shape[0], dtype=int)
    return labels


def _plscan(X, k_true):
    from fast_hdbscan import PLSCAN

    return PLSCAN().fit(X).labels_


def _warm_up_numba():
    # fast_hdbscan compiles its kernels on the first call: not part of any timing.
    try:
        _plscan(np.random.default_rng(0).normal(size=(200, 3)), None)
    except ImportError:
        pass


def peers():
    methods = {
        "BIC sweep": _bic_sweep,
        "BayesianGMM": _bayesian,
        "HDBSCAN": _hdbscan,
    }
    try:
        from clustpy.centroid import GMeans, XMeans

        methods["X-means"] = lambda X, k: XMeans(random_state=0).fit(X).labels_
        methods["G-means"] = lambda X, k: GMeans(random_state=0).fit(X).labels_
    except ImportError:
        print("clustpy is not installed: X-means and G-means are left out", file=sys.stderr)
    try:
        import isosplit6  # noqa: F401

        methods["IsoSplit"] = _isosplit
    except ImportError:
        print("isosplit6 is not installed: IsoSplit is left out", file=sys.stderr)
    try:
        import fast_hdbscan  # noqa: F401

        _warm_up_numba()
        methods["PLSCAN"] = _plscan
    except ImportError:
        print("fast_hdbscan is not installed: PLSCAN is left out", file=sys.stderr)
    return methods


def _k_found(labels):
    return int(np.unique(labels[labels >= 0]).size)


def run(names, sets, methods, log, cache=None):
    """One row per set: (k found, ARI, seconds) per method. ``cache`` (a JSON file) keeps
    the peers' results between runs while PPP is being tuned; the reported tables come from
    runs without it, where every method runs in the same process."""
    import json

    stored = json.loads(Path(cache).read_text()) if cache and Path(cache).exists() else {}
    rows = []
    for name in names:
        try:
            X, y = sets[name]()
        except FileNotFoundError:
            print(f"{name}: data not found under {DATA}, skipped", file=log)
            continue
        X = StandardScaler().fit_transform(X)
        k_true = int(np.unique(y).size)
        row = {"set": name, "n": X.shape[0], "d": X.shape[1], "k": k_true}
        for method, fit in methods.items():
            if method != "PPP" and f"{name}|{method}" in stored:
                row[method] = tuple(stored[f"{name}|{method}"])
                continue
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                labels = fit(X, k_true)
            row[method] = (
                _k_found(labels),
                adjusted_rand_score(y, labels),
                time.perf_counter() - start,
            )
        rows.append(row)
        if cache:
            for method in methods:
                if method != "PPP":
                    stored[f"{name}|{method}"] = list(row[method])
            Path(cache).write_text(json.dumps(stored))
        cells = "  ".join(
            f"{m}: k={v[0]} ari={v[1]:.3f} {v[2]:.1f}s"
            for m, v in row.items()
            if isinstance(v, tuple)
        )
        print(f"{name} (n={row['n']}, d={row['d']}, k={k_true}): {cells}", file=log, flush=True)
    return rows


def table(rows, methods, title):
    header = ["set", "n", "d", "k"] + [f"{m} k / ARI" for m in methods]
    lines = [f"**{title}**", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [row["set"], str(row["n"]), str(row["d"]), str(row["k"])]
        cells += [f"{row[m][0]} / {row[m][1]:.3f}" for m in methods]
        lines.append("| " + " | ".join(cells) + " |")
    means = ["**mean ARI**", "", "", ""] + [
        f"**{np.mean([row[m][1] for row in rows]):.3f}**" for m in methods
    ]
    lines.append("| " + " | ".join(means) + " |")
    times = ["total time (s)", "", "", ""] + [
        f"{np.sum([row[m][2] for row in rows]):.1f}" for m in methods
    ]
    lines.append("| " + " | ".join(times) + " |")
    return "\n".join(lines)


def repeatability(names, sets):
    """Labels identical under row permutations (PPP has no random state)."""
    identical = []
    for name in names:
        try:
            X, _ = sets[name]()
        except FileNotFoundError:
            continue
        X = StandardScaler().fit_transform(X)
        reference = PPP().fit(X).labels_
        permutation = np.random.default_rng(0).permutation(X.shape[0])
        permuted = PPP().fit(X[permutation]).labels_
        identical.append(np.array_equal(permuted, reference[permutation]))
    return float(np.mean(identical)) if identical else float("nan")


TRANSFORMATIONS = {
    "rows permuted": lambda X, rng: X[rng.permutation(X.shape[0])],
    "X * 3.7 + b": lambda X, rng: X * 3.7 + rng.uniform(-10, 10, size=X.shape[1]),
    "X * 1e-3 + b": lambda X, rng: X * 1e-3 + rng.uniform(-1, 1, size=X.shape[1]),
    "jitter 1e-9": lambda X, rng: X * (1 + 1e-9 * rng.uniform(-1, 1, size=X.shape)),
}


def stability(names, sets, log):
    """k and ARI against the untransformed labels under each transformation, every set.

    The sets are fitted as loaded (raw units): PPP standardises by default, so a positive
    scale and a shift of every feature must leave the answer unchanged.
    """
    header = ["set", "k"] + [f"{t} k / ARI" for t in TRANSFORMATIONS]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    worst = 1.0
    same_k = []
    for name in names:
        try:
            X, _ = sets[name]()
        except FileNotFoundError:
            continue
        reference = PPP().fit(X)
        cells = [name, str(reference.n_clusters_)]
        for index, (label, transform) in enumerate(TRANSFORMATIONS.items()):
            rng = np.random.default_rng(index)
            if label == "rows permuted":
                permutation = np.random.default_rng(index).permutation(X.shape[0])
                fitted = PPP().fit(X[permutation])
                ari = adjusted_rand_score(reference.labels_[permutation], fitted.labels_)
            else:
                fitted = PPP().fit(transform(X, rng))
                ari = adjusted_rand_score(reference.labels_, fitted.labels_)
            worst = min(worst, ari)
            same_k.append(fitted.n_clusters_ == reference.n_clusters_)
            cells.append(f"{fitted.n_clusters_} / {ari:.3f}")
        line = "| " + " | ".join(cells) + " |"
        print(line, file=log, flush=True)
        lines.append(line)
    lines.append("")
    lines.append(
        f"Same k in {np.mean(same_k):.3f} of the fits; smallest ARI against the "
        f"untransformed labels {worst:.3f}."
    )
    return "\n".join(lines)


def _separated_grid(side, n, spacing, seed):
    rng = np.random.default_rng(seed)
    centres = np.array([(i, j) for i in range(side) for j in range(side)]) * spacing
    y = rng.integers(0, side * side, size=n)
    return centres[y] + rng.normal(size=(n, 2)), y


def _timed(fit, X):
    start = time.perf_counter()
    labels = fit(X)
    return labels, time.perf_counter() - start


def _large_float32_child(n, connection):
    import resource

    X, y = gaussian_mixture(n, 10, 10, 8.0, seed=33)
    X = X.astype(np.float32)
    y = y.astype(np.int32)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    _, t_kmeans = _timed(lambda Z: KMeans(10, n_init=1, random_state=0).fit(Z).labels_, X)
    after_kmeans = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    ppp = PPP()
    _, t_ppp = _timed(lambda Z: ppp.fit(Z).labels_, X)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    ari = adjusted_rand_score(y, ppp.labels_)
    connection.send((t_kmeans, t_ppp, ppp.n_clusters_, ari, baseline, after_kmeans, peak))


def scale_runs(log, largest=10**7):
    """Fit time against KMeans(true k, n_init=1) on the same data, in the same process."""
    import multiprocessing

    from threadpoolctl import threadpool_limits

    lines = [
        "| data | n | d | k | KMeans(true k) s | PPP s | ratio | PPP k | PPP ARI "
        "| peers (s, k, ARI) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    cases = [
        ("10 blobs", lambda: gaussian_mixture(10**4, 10, 10, 8.0, seed=34), True),
        ("100 blobs, 10x10 grid, 10 sd apart", lambda: _separated_grid(10, 10**5, 10, 35), False),
        ("10x10 grid (battery generator)", _grid(10, 10**5, 30), False),
        ("10 blobs", lambda: gaussian_mixture(10**6, 10, 10, 8.0, seed=31), False),
    ]  # fmt: skip
    _warm_up_numba()
    for label, loader, with_peers in cases:
        X, y = loader()
        k = int(np.unique(y).size)
        kmeans = KMeans(k, n_init=1, random_state=0)
        _, t_kmeans = _timed(lambda Z: kmeans.fit(Z).labels_, X)  # noqa: B023
        ppp_labels, t_ppp = _timed(lambda Z: PPP().fit(Z).labels_, X)
        peer_cells = []
        if with_peers:
            for name, fit in (("HDBSCAN", _hdbscan), ("PLSCAN", _plscan)):
                labels, seconds = _timed(lambda Z: fit(Z, None), X)  # noqa: B023
                peer_cells.append(
                    f"{name} {seconds:.2f} s, {_k_found(labels)}, "
                    f"{adjusted_rand_score(y, labels):.3f}"
                )
            timings = []
            labels = _isosplit(X, k, timings)
            peer_cells.append(
                f"IsoSplit {timings[0]:.2f} s, {_k_found(labels)}, "
                f"{adjusted_rand_score(y, labels):.3f}"
            )
        line = (
            f"| {label} | {X.shape[0]} | {X.shape[1]} | {k} | {t_kmeans:.2f} | {t_ppp:.2f} | "
            f"{t_ppp / t_kmeans:.1f} | {_k_found(ppp_labels)} | "
            f"{adjusted_rand_score(y, ppp_labels):.3f} | {'; '.join(peer_cells)} |"
        )
        print(line, file=log, flush=True)
        lines.append(line)

    # The largest run in a child process, so that its peak resident memory is its own;
    # spawned, since a child forked after OpenMP has started can deadlock in it.
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_large_float32_child, args=(largest, child))
    process.start()
    t_kmeans, t_ppp, k_found, ari, baseline, after_kmeans, peak = parent.recv()
    process.join()
    line = (
        f"| 10 blobs, float32 | {largest} | 10 | 10 | {t_kmeans:.2f} | {t_ppp:.2f} | "
        f"{t_ppp / t_kmeans:.1f} | {k_found} | {ari:.3f} | peak resident memory {peak:.2f} GiB "
        f"(data generated: {baseline:.2f} GiB, after KMeans: {after_kmeans:.2f} GiB) |"
    )
    print(line, file=log, flush=True)
    lines.append(line)

    lines += [
        "",
        "| threads (OpenMP and BLAS) | PPP s, 10^6 x 10 | KMeans s | PPP k | same labels |",
        "|---|---|---|---|---|",
    ]
    X, y = gaussian_mixture(10**6, 10, 10, 8.0, seed=31)
    reference = None
    for n_threads in (1, 2):
        with threadpool_limits(limits=n_threads):
            _, t_kmeans = _timed(lambda Z: KMeans(10, n_init=1, random_state=0).fit(Z).labels_, X)
            labels, t_ppp = _timed(lambda Z: PPP().fit(Z).labels_, X)
        same = "reference" if reference is None else str(bool(np.array_equal(labels, reference)))
        reference = labels if reference is None else reference
        line = f"| {n_threads} | {t_ppp:.2f} | {t_kmeans:.2f} | {_k_found(labels)} | {same} |"
        print(line, file=log, flush=True)
        lines.append(line)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=["dev", "held-out", "both"], default="both")
    parser.add_argument("--sets", nargs="*", help="run only these sets")
    parser.add_argument("--ppp-only", action="store_true", help="leave the peers out")
    parser.add_argument("--scale", action="store_true", help="only the large-n timing runs")
    parser.add_argument(
        "--largest", type=int, default=10**7, help="rows of the largest (float32) scale run"
    )
    parser.add_argument(
        "--stability", action="store_true", help="only the stability table (both halves)"
    )
    parser.add_argument("--cache", help="JSON file keeping the peers' results (tuning only)")
    parser.add_argument("--ppp", default="", help="PPP parameters, e.g. 'bic_threshold=5'")
    args = parser.parse_args()
    print(machine_info())
    if args.scale:
        print(scale_runs(sys.stderr, largest=args.largest))
        return
    sets = battery()
    development, held_out = battery_split(sets)
    if args.stability:
        names = [n for n in sorted(sets) if not args.sets or n in args.sets]
        print(stability(names, sets, sys.stderr))
        return
    params = eval(f"dict({args.ppp})")  # a developer's command line, not user input
    methods = {"PPP": lambda X, k: _ppp(X, k, **params)}
    if not args.ppp_only:
        methods.update(peers())
        methods["KMeans(true k)"] = _kmeans
    halves = {"dev": [("development half", development)], "held-out": [("held-out half", held_out)]}
    chosen = halves.get(args.half, halves["dev"] + halves["held-out"])
    for title, names in chosen:
        if args.sets:
            names = [n for n in names if n in args.sets]
        rows = run(names, sets, methods, sys.stderr, cache=args.cache)
        print(table(rows, methods, title))
        print(
            "\nPPP labels identical under a row permutation: "
            f"{repeatability(names, sets):.3f} of the sets\n"
        )


if __name__ == "__main__":
    main()
