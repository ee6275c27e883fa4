"""Tabulate the null distribution of Hartigan's dip for PPP's split test.

The uniform distribution is the asymptotically least favourable unimodal distribution for
the dip (Hartigan and Hartigan, 1985), so quantiles of ``sqrt(n) * dip`` for uniform samples
give a test of unimodality that is conservative for every unimodal distribution. This script
simulates them (fixed seed, so the table is reproducible) and prints the Python literal
stored in ``skselect/cluster/_ppp/_dip.py``.

Run: ``python build_tools/make_dip_table.py > /tmp/table.txt`` (a few minutes on 2 cores).
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import sys

import numpy as np
from skselect.cluster._ppp._fast import dip_statistic

SIZES = [
    4,
    5,
    6,
    8,
    10,
    12,
    16,
    20,
    25,
    32,
    40,
    50,
    64,
    80,
    100,
    128,
    160,
    200,
    256,
    320,
    400,
    512,
    640,
    800,
    1024,
    1280,
    1600,
    2048,
]
TAIL_PROBABILITIES = [0.9, 0.7, 0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005]
REPETITIONS = 40_000


def main():
    rng = np.random.default_rng(20261127)
    rows = []
    for n in SIZES:
        stats = np.empty(REPETITIONS)
        for r in range(REPETITIONS):
            stats[r] = np.sqrt(n) * dip_statistic(np.sort(rng.random(n)))
        rows.append(np.quantile(stats, 1.0 - np.asarray(TAIL_PROBABILITIES)))
        print(n, file=sys.stderr, flush=True)
    print("TAIL_PROBABILITIES = " + repr(TAIL_PROBABILITIES))
    print("SIZES = " + repr(SIZES))
    print("QUANTILES = [")
    for row in rows:
        print("    [" + ", ".join(f"{v:.5f}" for v in row) + "],")
    print("]")


if __name__ == "__main__":
    main()
