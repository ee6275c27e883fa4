"""SMOTE / SMOTE-NC: imbalanced-learn vs skselect on the same data, in one process.

Both use scikit-learn's NearestNeighbors with imbalanced-learn's settings (k + 1 neighbours,
``algorithm="auto"``), so the neighbours, and the outputs, are identical: the ``sha1`` columns
hash the resampled X, and the script asserts that they match before timing anything.

Usage::

    python benchmarks/bench_smote.py                      # every case, 3 repeats
    python benchmarks/bench_smote.py --cases dense-20 --repeats 5
    python benchmarks/bench_smote.py --cases dense-50 --repeats 1

Cases: ``generation`` (the generation step alone on the ``dense-20``
data: the part the kernel replaces), ``dense-20`` (20k minority, 200k majority, 20 features),
``dense-50`` (50k, 500k, 50 features; slow, the neighbour search dominates), ``sparse``
(5k, 50k, 2000 features, 1 % non-zero, CSR), ``nc`` (SMOTE-NC, 10k, 100k, 10 continuous and
5 categorical features with 4 to 12 categories), ``nc-scale`` (SMOTE-NC at a scale
imbalanced-learn cannot reach: 3 x 10^6 rows, 2 % minority, ``sampling_strategy=0.1``, 10
continuous features, one 10^5-level and four 20-level categorical columns; skselect alone, with
its peak memory and the time split between the neighbour search and the rest, then both
libraries on a 10^5-row version with a 10^3-level column), ``nc-huge`` (the same at 10^7 rows
with a 10^6-level column, skselect alone)::

    python benchmarks/bench_smote.py --cases nc-scale --repeats 1
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import hashlib
import resource
import time
import tracemalloc

import numpy as np
from _harness import compare, machine_info, markdown_table
from imblearn.over_sampling import SMOTE as ImblearnSMOTE
from imblearn.over_sampling import SMOTENC as ImblearnSMOTENC
from scipy import sparse
from sklearn.neighbors import NearestNeighbors
from skselect.over_sampling._smote_fast import generate_dense

from skselect.over_sampling import SMOTE, SMOTENC


def _dense(n_minority, n_majority, n_features, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_minority + n_majority, n_features))
    X[:n_minority] += 0.5
    y = np.r_[np.zeros(n_minority, dtype=np.int64), np.ones(n_majority, dtype=np.int64)]
    return X, y


def _sparse(n_minority=5_000, n_majority=50_000, n_features=2_000, density=0.01, seed=0):
    rng = np.random.default_rng(seed)
    X = sparse.random(
        n_minority + n_majority, n_features, density=density, format="csr", random_state=rng
    )
    y = np.r_[np.zeros(n_minority, dtype=np.int64), np.ones(n_majority, dtype=np.int64)]
    return X, y


def _mixed(n_minority=10_000, n_majority=100_000, seed=0):
    rng = np.random.default_rng(seed)
    n = n_minority + n_majority
    continuous = rng.standard_normal((n, 10))
    categorical = np.column_stack([rng.integers(0, c, size=n) for c in (4, 6, 8, 10, 12)])
    X = np.c_[continuous, categorical].astype(np.float64)
    y = np.r_[np.zeros(n_minority, dtype=np.int64), np.ones(n_majority, dtype=np.int64)]
    return X, y, list(range(10, 15))


def _digest(result):
    X = result[0]
    if sparse.issparse(X):
        X = X.toarray()
    return {"sha1": hashlib.sha1(np.ascontiguousarray(X).tobytes()).hexdigest()[:10]}


def _neighbour_search_seconds(X_class, k=5):
    """The neighbour search both libraries run (the second of two calls: warm caches)."""
    for _ in range(2):
        start = time.perf_counter()
        nn = NearestNeighbors(n_neighbors=k + 1).fit(X_class)
        nn.kneighbors(X_class, return_distance=False)
        elapsed = time.perf_counter() - start
    return elapsed


def _run(case, peer, ours, n_repeats, note=""):
    assert _digest(peer())["sha1"] == _digest(ours())["sha1"], f"{case}: outputs differ"
    row = compare(case, peer=peer, ours=ours, n_repeats=n_repeats, quality=_digest)
    print(f"{case}: done. {note}", flush=True)
    return row


def _samplers(peer_sampler, make_ours, label, X, y, n_repeats, note=""):
    """One row per n_jobs setting of skselect, against the same imbalanced-learn run."""
    rows = []
    for n_jobs in (None, 2):
        ours_sampler = make_ours(n_jobs)
        rows.append(
            _run(
                f"{label}, n_jobs={n_jobs}",
                lambda: peer_sampler.fit_resample(X, y),
                lambda s=ours_sampler: s.fit_resample(X, y),
                n_repeats,
                note,
            )
        )
    return rows


def case_dense(n_minority, n_majority, n_features, n_repeats):
    X, y = _dense(n_minority, n_majority, n_features)
    note = f"neighbour search alone {_neighbour_search_seconds(X[:n_minority]):.2f} s"
    return _samplers(
        ImblearnSMOTE(random_state=0),
        lambda n_jobs: SMOTE(random_state=0, n_jobs=n_jobs),
        f"dense {n_minority} / {n_majority}, d={n_features}",
        X,
        y,
        n_repeats,
        note,
    )


def case_generation(n_repeats):
    # The part the kernel replaces, without the (shared) neighbour search: imbalanced-learn's
    # NumPy generation and stacking vs the kernel writing into the preallocated output.
    X, _ = _dense(20_000, 200_000, 20)
    X_class = X[:20_000]
    nn = NearestNeighbors(n_neighbors=6).fit(X_class)
    neighbours = np.ascontiguousarray(nn.kneighbors(X_class, return_distance=False)[:, 1:])
    rng = np.random.RandomState(0)
    flat = rng.randint(0, neighbours.size, size=180_000)
    steps = rng.uniform(size=180_000)
    base_rows, slots = np.divmod(flat, neighbours.shape[1])
    peer_sampler = ImblearnSMOTE(random_state=0)

    def peer():
        X_new = peer_sampler._generate_samples(
            X_class, X_class, neighbours, base_rows, slots, steps[:, None]
        )
        return np.vstack([X, X_new]), None

    def ours():
        out = np.empty((X.shape[0] + base_rows.size, X.shape[1]))
        out[: X.shape[0]] = X
        generate_dense(X_class, neighbours, base_rows, slots, steps, out[X.shape[0] :], 1)
        return out, None

    return [_run("generation only (no neighbour search): 180000 rows, d=20", peer, ours, n_repeats)]


def case_sparse(n_repeats):
    X, y = _sparse()
    note = f"neighbour search alone {_neighbour_search_seconds(X[:5000]):.2f} s"
    return _samplers(
        ImblearnSMOTE(random_state=0),
        lambda n_jobs: SMOTE(random_state=0, n_jobs=n_jobs),
        "sparse CSR 5000 / 50000, d=2000, 1 % non-zero",
        X,
        y,
        n_repeats,
        note,
    )


def case_nc(n_repeats):
    X, y, categorical = _mixed()
    return _samplers(
        ImblearnSMOTENC(categorical, random_state=0),
        lambda n_jobs: SMOTENC(categorical, random_state=0, n_jobs=n_jobs),
        "SMOTE-NC 10000 / 100000, 10 continuous + 5 categorical",
        X,
        y,
        n_repeats,
    )


def _mixed_scale(n_rows, n_levels, seed=0):
    """2 % minority; 10 continuous, one n_levels-level and four 20-level categorical columns."""
    rng = np.random.default_rng(seed)
    n_minority = n_rows // 50
    X = np.empty((n_rows, 15))
    X[:, :10] = rng.standard_normal((n_rows, 10))
    X[:, 10] = rng.integers(0, n_levels, size=n_rows)
    X[:, 11:] = rng.integers(0, 20, size=(n_rows, 4))
    X[:n_minority, :10] += 0.5
    y = np.zeros(n_rows, dtype=np.int64)
    y[:n_minority] = 1
    return X, y, list(range(10, 15))


class _ProfiledSMOTENC(SMOTENC):
    """SMOTENC timing its neighbour search (fit + kneighbors), the part both libraries share."""

    def _class_neighbours(self, X_class, class_label):
        start = time.perf_counter()
        neighbours = super()._class_neighbours(X_class, class_label)
        self.search_seconds_ = getattr(self, "search_seconds_", 0.0) + (time.perf_counter() - start)
        return neighbours


def _scale_run(n_rows, n_levels):
    X, y, categorical = _mixed_scale(n_rows, n_levels)
    data_mib = (X.nbytes + y.nbytes) / 2**20
    sampler = _ProfiledSMOTENC(categorical, sampling_strategy=0.1, random_state=0)
    tracemalloc.start()
    start = time.perf_counter()
    X_res, _ = sampler.fit_resample(X, y)
    total = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10  # KiB on Linux
    n_new = X_res.shape[0] - X.shape[0]
    search = sampler.search_seconds_
    print(
        f"| SMOTE-NC {n_rows:.0e} rows, {n_levels:.0e}-level column, {n_new} new rows | "
        f"{total:.1f} s | {search:.1f} s ({100 * search / total:.0f} %) | "
        f"{total - search:.1f} s ({100 * (total - search) / total:.0f} %) | "
        f"{data_mib:.0f} MiB | {peak / 2**20:.0f} MiB | {max_rss:.0f} MiB |",
        flush=True,
    )
    del X_res


def case_nc_scale(n_repeats, n_rows=3_000_000, n_levels=100_000):
    print(
        "| case | total | neighbour search | the rest | input | traced peak (tracemalloc) "
        "| process max RSS |\n|---|---:|---:|---:|---:|---:|---:|",
        flush=True,
    )
    _scale_run(n_rows, n_levels)
    # imbalanced-learn builds a dense (n_new, k, n_one_hot) array: only a small version fits
    X, y, categorical = _mixed_scale(n_rows // 30, n_levels // 100)
    return _samplers(
        ImblearnSMOTENC(categorical, sampling_strategy=0.1, random_state=0),
        lambda n_jobs: SMOTENC(categorical, sampling_strategy=0.1, random_state=0, n_jobs=n_jobs),
        f"SMOTE-NC {n_rows // 30} rows, {n_levels // 100}-level column, 2 % minority, "
        "sampling_strategy=0.1",
        X,
        y,
        n_repeats,
    )


def case_nc_huge(n_repeats):
    print(
        "| case | total | neighbour search | the rest | input | traced peak (tracemalloc) "
        "| process max RSS |\n|---|---:|---:|---:|---:|---:|---:|",
        flush=True,
    )
    _scale_run(10_000_000, 1_000_000)
    return []


CASES = {
    "generation": case_generation,
    "dense-20": lambda n_repeats: case_dense(20_000, 200_000, 20, n_repeats),
    "sparse": case_sparse,
    "nc": case_nc,
    "dense-50": lambda n_repeats: case_dense(50_000, 500_000, 50, n_repeats),
    "nc-scale": case_nc_scale,
    "nc-huge": case_nc_huge,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for case in args.cases:
        rows.extend(CASES[case](args.repeats))
    print(f"\nmachine: {machine_info()}\n")
    if rows:
        print(markdown_table(rows, peer_name="imblearn", ours_name="skselect"))


if __name__ == "__main__":
    main()
