# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

# distutils: extra_compile_args = -ffp-contract=off
"""SMOTE generation kernels: synthetic rows written straight into a preallocated output.

The random numbers (base rows, neighbour slots, steps) are drawn in Python; these kernels only
consume them, so the output never depends on the number of threads. Each value is computed with
the same floating-point operations, in the same order and precision, as imbalanced-learn's
NumPy expression ``X[rows] + steps * (nn_data[nn] - X[rows])``; that is what makes the results
bit-identical. ``-ffp-contract=off`` keeps the compiler from fusing the multiply and the add
into one FMA, which would round differently from NumPy's two separate operations.
"""

from cython cimport floating
from cython.parallel cimport prange

from skselect.utils._openmp_helpers cimport omp_get_thread_num

import numpy as np


cdef inline floating _interpolate(floating base, floating neighbour, double step) noexcept nogil:
    # NumPy subtracts in the input precision, then multiplies and adds in double (the steps are
    # float64) and casts back: reproduce those three roundings exactly.
    cdef floating diff = neighbour - base
    if diff - diff != 0:
        # The difference of two finite values of opposite signs near the largest float
        # overflowed (inf - inf is NaN, hence the test); the convex combination below cannot
        # overflow and is only used where the expression above would return inf or NaN.
        return <floating> ((1.0 - step) * base + step * neighbour)
    return <floating> (base + step * diff)


def generate_dense(
    const floating[:, ::1] X_class,          # IN (n_class, n_features)
    const Py_ssize_t[:, ::1] neighbours,     # IN (n_class, k) neighbour rows in X_class
    const Py_ssize_t[::1] rows,              # IN (n_new,) base row of each new sample
    const Py_ssize_t[::1] cols,              # IN (n_new,) neighbour slot of each new sample
    const double[::1] steps,                 # IN (n_new,) interpolation steps in [0, 1)
    floating[:, ::1] out,                    # OUT (n_new, n_features)
    int n_threads,
):
    """Write ``X[b] + step * (X[nn] - X[b])`` for every new sample into ``out``."""
    cdef Py_ssize_t n_new = rows.shape[0]
    cdef Py_ssize_t n_features = X_class.shape[1]
    cdef Py_ssize_t i, j, base, neighbour
    cdef double step
    with nogil:
        for i in prange(n_new, num_threads=n_threads, schedule="static"):
            base = rows[i]
            neighbour = neighbours[base, cols[i]]
            step = steps[i]
            for j in range(n_features):
                out[i, j] = _interpolate(X_class[base, j], X_class[neighbour, j], step)


cdef Py_ssize_t _sparse_row(
    const floating[::1] data,
    const Py_ssize_t[::1] indices,
    const Py_ssize_t[::1] indptr,
    Py_ssize_t base,
    Py_ssize_t neighbour,
    double step,
    floating* out_data,      # OUT, or NULL to only count
    Py_ssize_t* out_indices,  # OUT, or NULL to only count
) noexcept nogil:
    """Merge two sorted CSR rows into their interpolation; return the number of non-zeros.

    Zeros are dropped, as SciPy's sparse arithmetic drops them, so the sparsity structure
    matches imbalanced-learn's output too.
    """
    cdef Py_ssize_t a = indptr[base], a_end = indptr[base + 1]
    cdef Py_ssize_t b = indptr[neighbour], b_end = indptr[neighbour + 1]
    cdef Py_ssize_t nnz = 0, column
    cdef floating value, zero = 0
    while a < a_end or b < b_end:
        if b >= b_end or (a < a_end and indices[a] < indices[b]):
            column = indices[a]
            value = _interpolate(data[a], zero, step)
            a += 1
        elif a >= a_end or indices[b] < indices[a]:
            column = indices[b]
            value = _interpolate(zero, data[b], step)
            b += 1
        else:
            column = indices[a]
            value = _interpolate(data[a], data[b], step)
            a += 1
            b += 1
        if value != 0:
            if out_data != NULL:
                out_data[nnz] = value
                out_indices[nnz] = column
            nnz += 1
    return nnz


def count_sparse(
    const floating[::1] data,               # IN CSR data of the class rows
    const Py_ssize_t[::1] indices,          # IN CSR column indices, sorted within each row
    const Py_ssize_t[::1] indptr,           # IN CSR row pointers
    const Py_ssize_t[:, ::1] neighbours,    # IN (n_class, k)
    const Py_ssize_t[::1] rows,             # IN (n_new,)
    const Py_ssize_t[::1] cols,             # IN (n_new,)
    const double[::1] steps,                # IN (n_new,)
    Py_ssize_t[::1] row_nnz,                # OUT (n_new,) non-zeros of each new row
    int n_threads,
):
    """First pass of the sparse generation: the number of non-zeros of every new row."""
    cdef Py_ssize_t i, n_new = rows.shape[0]
    with nogil:
        for i in prange(n_new, num_threads=n_threads, schedule="static"):
            row_nnz[i] = _sparse_row(
                data, indices, indptr, rows[i], neighbours[rows[i], cols[i]], steps[i],
                NULL, NULL,
            )


def fill_sparse(
    const floating[::1] data,               # IN CSR data of the class rows
    const Py_ssize_t[::1] indices,          # IN CSR column indices, sorted within each row
    const Py_ssize_t[::1] indptr,           # IN CSR row pointers
    const Py_ssize_t[:, ::1] neighbours,    # IN (n_class, k)
    const Py_ssize_t[::1] rows,             # IN (n_new,)
    const Py_ssize_t[::1] cols,             # IN (n_new,)
    const double[::1] steps,                # IN (n_new,)
    const Py_ssize_t[::1] out_indptr,       # IN (n_new + 1,) from count_sparse's cumsum
    floating[::1] out_data,                 # OUT (nnz,)
    Py_ssize_t[::1] out_indices,            # OUT (nnz,)
    int n_threads,
):
    """Second pass of the sparse generation: write the new rows' values and columns."""
    cdef Py_ssize_t i, n_new = rows.shape[0]
    cdef floating* data_start
    cdef Py_ssize_t* indices_start
    if out_data.shape[0] == 0:
        return
    # A trailing row without non-zeros starts one past the end: its address is computed, never
    # dereferenced, so it is taken from the (checked) first element plus the offset rather
    # than from a checked access to out_data[nnz].
    data_start = &out_data[0]
    indices_start = &out_indices[0]
    with nogil:
        for i in prange(n_new, num_threads=n_threads, schedule="static"):
            _sparse_row(
                data, indices, indptr, rows[i], neighbours[rows[i], cols[i]], steps[i],
                data_start + out_indptr[i], indices_start + out_indptr[i],
            )


def vote_counts(
    const Py_ssize_t[:, ::1] codes,         # IN (n_class, n_categorical) category codes
    const Py_ssize_t[::1] block_sizes,      # IN (n_categorical,) categories per feature
    const Py_ssize_t[::1] block_starts,     # IN (n_categorical,) offset of each block
    const Py_ssize_t[:, ::1] neighbours,    # IN (n_class, k)
    const Py_ssize_t[::1] rows,             # IN (n_new,)
    const floating[::1] weight,             # IN (1,) one neighbour's vote (its one-hot value)
    Py_ssize_t[:, ::1] n_winners,           # OUT (n_new, n_categorical) tied maxima per row
    Py_ssize_t[:, ::1] first_winner,        # OUT (n_new, n_categorical) lowest tied category
    int n_threads,
):
    """SMOTE-NC's categorical vote among the k neighbours of each new sample's base row.

    imbalanced-learn sums the neighbours' scaled one-hot columns and treats every column
    ``numpy.isclose`` to the row maximum as a winner; the sums here are accumulated in the same
    order and precision so that the same columns tie. Ties are broken in Python, from the
    counts returned here (see ``winner_at_rank``).
    """
    cdef Py_ssize_t n_new = rows.shape[0], k = neighbours.shape[1]
    cdef Py_ssize_t n_categorical = codes.shape[1]
    cdef Py_ssize_t i, f, j, c, start, size, n_tied, first
    cdef floating maximum
    cdef Py_ssize_t total = 0
    for f in range(n_categorical):
        total += block_sizes[f]
    sums_buffer = np.zeros(
        (max(n_threads, 1), max(total, 1)), dtype=np.float32 if floating is float else np.float64
    )
    cdef floating[:, ::1] sums = sums_buffer
    cdef Py_ssize_t thread
    with nogil:
        for i in prange(n_new, num_threads=n_threads, schedule="static"):
            thread = _thread_id()
            for f in range(n_categorical):
                start = block_starts[f]
                size = block_sizes[f]
                for c in range(size):
                    sums[thread, start + c] = 0
                for j in range(k):
                    c = codes[neighbours[rows[i], j], f]
                    if c >= 0:  # -1: an unknown category, no one-hot column to count
                        sums[thread, start + c] = sums[thread, start + c] + weight[0]
                maximum = sums[thread, start]
                for c in range(1, size):
                    if sums[thread, start + c] > maximum:
                        maximum = sums[thread, start + c]
                n_tied = 0
                first = -1
                for c in range(size):
                    if _isclose(sums[thread, start + c], maximum):
                        if first < 0:
                            first = c
                        n_tied = n_tied + 1
                n_winners[i, f] = n_tied
                first_winner[i, f] = first


def winner_at_rank(
    const Py_ssize_t[:, ::1] codes,         # IN (n_class, n_categorical)
    const Py_ssize_t[::1] block_sizes,      # IN (n_categorical,)
    const Py_ssize_t[:, ::1] neighbours,    # IN (n_class, k)
    const Py_ssize_t[::1] rows,             # IN (n_tied,) base rows of the tied new samples
    const Py_ssize_t[::1] features,         # IN (n_tied,) which categorical feature tied
    const Py_ssize_t[::1] ranks,            # IN (n_tied,) rank of the winner among the ties
    const floating[::1] weight,             # IN (1,) one neighbour's vote
    Py_ssize_t[::1] winners,                # OUT (n_tied,) winning category code
):
    """For tied votes, return the category holding the given rank among the tied maxima."""
    cdef Py_ssize_t n = rows.shape[0], k = neighbours.shape[1]
    cdef Py_ssize_t i, j, c, f, seen, size
    cdef floating maximum
    cdef Py_ssize_t max_size = 1
    for f in range(block_sizes.shape[0]):
        max_size = max(max_size, block_sizes[f])
    sums_buffer = np.zeros(max_size, dtype=np.float32 if floating is float else np.float64)
    cdef floating[::1] sums = sums_buffer
    for i in range(n):
        f = features[i]
        size = block_sizes[f]
        for c in range(size):
            sums[c] = 0
        for j in range(k):
            c = codes[neighbours[rows[i], j], f]
            if c >= 0:
                sums[c] = sums[c] + weight[0]
        maximum = sums[0]
        for c in range(1, size):
            if sums[c] > maximum:
                maximum = sums[c]
        seen = 0
        for c in range(size):
            if _isclose(sums[c], maximum):
                if seen == ranks[i]:
                    winners[i] = c
                    break
                seen = seen + 1


cdef inline bint _isclose(floating a, floating b) noexcept nogil:
    # numpy.isclose(a, b) with its default rtol=1e-05, atol=1e-08: NumPy evaluates it in the
    # arrays' own precision (the tolerances are weak Python scalars), so do the same.
    cdef floating rtol = 1e-05, atol = 1e-08
    cdef floating difference = a - b
    if difference < 0:
        difference = -difference
    cdef floating magnitude = b
    if magnitude < 0:
        magnitude = -magnitude
    return difference <= atol + rtol * magnitude or a == b


cdef inline Py_ssize_t _thread_id() noexcept nogil:
    return omp_get_thread_num()
