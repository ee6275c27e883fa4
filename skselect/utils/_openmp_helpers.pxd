# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

# The same kernels must compile with and without OpenMP (SKSELECT_NO_OPENMP=1, Apple clang
# without libomp); this shim gives serial stand-ins for the few runtime calls we use.
cdef extern from *:
    """
    #ifdef _OPENMP
        #include <omp.h>
        #define SKSELECT_OPENMP_PARALLELISM_ENABLED 1
    #else
        #define SKSELECT_OPENMP_PARALLELISM_ENABLED 0
        #define omp_get_max_threads() 1
        #define omp_get_thread_num() 0
    #endif
    """
    bint SKSELECT_OPENMP_PARALLELISM_ENABLED

    int omp_get_max_threads() noexcept nogil
    int omp_get_thread_num() noexcept nogil
