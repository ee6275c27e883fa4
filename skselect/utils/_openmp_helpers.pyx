"""How many OpenMP threads a kernel may use.

Kernels never pick a thread count themselves: the estimator calls
:func:`_openmp_effective_n_threads` once per ``fit`` and passes the result down, so that
``OMP_NUM_THREADS``, ``threadpoolctl.threadpool_limits(user_api="openmp")`` and ``n_jobs`` are
all honoured in one place.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import os
from numbers import Integral

import numpy as np
from joblib import cpu_count

from cython.parallel import prange


def _openmp_parallelism_enabled():
    """Return True if skselect was compiled with OpenMP support."""
    return bool(SKSELECT_OPENMP_PARALLELISM_ENABLED)


cpdef int _openmp_effective_n_threads(n_threads=None, only_physical_cores=True):
    """Number of threads a parallel kernel should use.

    Parameters
    ----------
    n_threads : int or None, default=None
        ``None`` means as many threads as the runtime allows; a positive value is capped at
        that; a negative value counts back from it (``-1`` is all, ``-2`` all but one), as
        joblib's ``n_jobs`` does.
    only_physical_cores : bool, default=True
        When ``OMP_NUM_THREADS`` is unset, cap at the physical cores rather than the
        logical ones: hyper-threads slow down memory-bound kernels.

    Returns
    -------
    n_threads : int
        At least 1; always 1 when skselect was built without OpenMP.
    """
    if n_threads is not None and (
        not isinstance(n_threads, Integral) or isinstance(n_threads, bool)
    ):
        raise TypeError(
            f"n_threads must be None or an int, got {type(n_threads).__name__}."
        )
    if n_threads == 0:
        raise ValueError("n_threads must be None or a non-zero int, got 0.")
    if not SKSELECT_OPENMP_PARALLELISM_ENABLED:
        return 1

    # omp_get_max_threads() already reflects OMP_NUM_THREADS and any threadpoolctl limit
    # (threadpoolctl calls omp_set_num_threads on the runtime this module is linked to).
    cdef int max_n_threads = omp_get_max_threads()
    if os.getenv("OMP_NUM_THREADS") is None:
        # Without an explicit request the runtime would use every logical CPU, ignoring
        # cgroup quotas; joblib's cpu_count knows about both.
        max_n_threads = min(max_n_threads, cpu_count(only_physical_cores=only_physical_cores))

    if n_threads is None:
        return max_n_threads
    if n_threads < 0:
        return max(max_n_threads + n_threads + 1, 1)
    return min(n_threads, max_n_threads)


def _count_threads_used(int n_threads):
    """Run a trivial parallel loop and return how many distinct threads took part.

    For tests: it shows that ``n_threads`` reaches the OpenMP runtime.
    """
    cdef int i
    cdef int n_iterations = 64 * max(n_threads, 1)
    thread_ids_array = np.zeros(n_iterations, dtype=np.intc)
    cdef int[::1] thread_ids = thread_ids_array
    with nogil:
        for i in prange(n_iterations, num_threads=n_threads, schedule="static"):
            thread_ids[i] = omp_get_thread_num()
    return len(set(thread_ids_array.tolist()))
