# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import subprocess
import sys

import pytest
from skselect.utils._openmp_helpers import (
    _count_threads_used,
    _openmp_effective_n_threads,
    _openmp_parallelism_enabled,
)
from threadpoolctl import threadpool_limits

OPENMP = _openmp_parallelism_enabled()
requires_openmp = pytest.mark.skipif(
    not OPENMP, reason="serial build (SKSELECT_NO_OPENMP=1): there is no thread count to vary"
)


def test_build_matches_what_ci_asked_for():
    # .ci/run sets SKSELECT_EXPECT_OPENMP for each of its builds, so a silently ignored
    # SKSELECT_NO_OPENMP switch (or a lost -fopenmp) fails here instead of going unnoticed.
    expected = os.environ.get("SKSELECT_EXPECT_OPENMP")
    if expected is None:
        pytest.skip("SKSELECT_EXPECT_OPENMP not set: the build under test was not specified")
    assert OPENMP == (expected == "1")


def test_effective_threads_is_positive_and_bounded():
    n = _openmp_effective_n_threads()
    assert n >= 1
    if not OPENMP:
        assert n == 1
    assert _openmp_effective_n_threads(1) == 1
    assert _openmp_effective_n_threads(10_000) == n
    assert _openmp_effective_n_threads(-1) == n
    assert _openmp_effective_n_threads(-10_000) == 1


@pytest.mark.parametrize("bad", [0])
def test_zero_threads_rejected(bad):
    with pytest.raises(ValueError, match="n_threads must be None or a non-zero int, got 0"):
        _openmp_effective_n_threads(bad)


@pytest.mark.parametrize("bad", [1.5, "2", True])
def test_non_int_threads_rejected(bad):
    with pytest.raises(TypeError, match="n_threads must be None or an int"):
        _openmp_effective_n_threads(bad)


@requires_openmp
def test_threadpoolctl_limit_is_honoured():
    with threadpool_limits(limits=1, user_api="openmp"):
        assert _openmp_effective_n_threads() == 1
        assert _count_threads_used(_openmp_effective_n_threads()) == 1


def _effective_threads_in_subprocess(env_update, cwd):
    env = {**os.environ, **env_update}
    code = "from skselect.utils._openmp_helpers import _openmp_effective_n_threads as f;print(f())"
    # cwd away from the repository: "python -c" puts the cwd first on sys.path, and the source
    # tree's skselect has no compiled extensions.
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip())


@requires_openmp
def test_omp_num_threads_is_honoured(tmp_path):
    assert _effective_threads_in_subprocess({"OMP_NUM_THREADS": "1"}, tmp_path) == 1
    # An explicit request may exceed the physical cores: the user asked for it.
    assert _effective_threads_in_subprocess({"OMP_NUM_THREADS": "3"}, tmp_path) == 3


@requires_openmp
def test_threads_reach_the_runtime():
    if _openmp_effective_n_threads(2) < 2:
        pytest.skip("one CPU: cannot show two threads at work")
    assert _count_threads_used(2) == 2
    assert _count_threads_used(1) == 1
