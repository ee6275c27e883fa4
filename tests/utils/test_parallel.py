"""The package's threading rule."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from skselect.utils._openmp_helpers import _openmp_effective_n_threads
from threadpoolctl import threadpool_limits

from skselect.utils._parallel import MIN_WORK_PER_THREAD, _kernel_n_threads


def test_small_work_gets_one_thread():
    assert _kernel_n_threads(1) == 1
    assert _kernel_n_threads(MIN_WORK_PER_THREAD - 1) == 1


def test_large_work_gets_the_runtime_limit():
    assert _kernel_n_threads(None) == _openmp_effective_n_threads()
    assert _kernel_n_threads(10**12) == _openmp_effective_n_threads()


def test_threadpool_limits_are_honoured():
    with threadpool_limits(limits=1, user_api="openmp"):
        assert _kernel_n_threads(10**12) == 1
