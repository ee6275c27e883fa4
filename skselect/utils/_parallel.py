"""The package's one threading rule.

OpenMP threads inside a Cython kernel come from :func:`_kernel_n_threads`, which reads the
runtime's limit (``OMP_NUM_THREADS``, ``threadpoolctl.threadpool_limits``) through
:func:`~skselect.utils._openmp_helpers._openmp_effective_n_threads` and gives small problems a
single thread, so that thread start-up never dominates. ``n_jobs`` is never used for kernel
threads: it only sizes joblib-level work (cross-validation folds, refits, candidate models),
run through :class:`sklearn.utils.parallel.Parallel` so that ``joblib.parallel_config`` (for
example the Dask backend) decides where that work runs. Kernels split their reductions into
chunks whose number depends on the data size only, so results never depend on the thread count.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from skselect.utils._openmp_helpers import _openmp_effective_n_threads

# Below this many units of work (rows x features, or pairs, as the caller counts them) per
# extra thread, starting a thread costs more than it saves (measured on the SMOTE, PPP and
# conformal kernels: about 20 microseconds per parallel region on this class of machine).
MIN_WORK_PER_THREAD = 50_000


def _kernel_n_threads(work=None):
    """Threads an OpenMP kernel should use for ``work`` units of work.

    Parameters
    ----------
    work : int or None, default=None
        The size of the problem in the caller's unit (``n_samples * n_features`` for a pass
        over a matrix). ``None`` means large: use the runtime's limit.

    Returns
    -------
    n_threads : int
        At least 1, at most the runtime's limit.
    """
    limit = _openmp_effective_n_threads()
    if work is None:
        return limit
    return int(max(1, min(limit, int(work) // MIN_WORK_PER_THREAD)))
