"""Kernels of PPP: row hashes, two-centre Lloyd passes, projections, Hartigan's dip, the
one-dimensional split test's two likelihoods, cluster moments and Gaussian assignments.

Every reduction over samples is split into chunks whose number depends only on the number of
samples and the statistic's size, never on the number of threads, and the chunk partial sums
are added in chunk order after the parallel loop; row-wise outputs are independent per row.
A fit therefore gives the same floating-point numbers whatever ``n_threads`` is. All
accumulation is in double precision, whatever the input precision.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from cython cimport floating
from cython.parallel cimport prange
from libc.math cimport INFINITY, M_PI, exp, fabs, lgamma, log, log1p, pow, rint, sqrt
from libc.stdint cimport uint64_t
from libc.string cimport memcpy

import numpy as np

# Chunks hold at least this many samples (amortises the per-chunk bookkeeping) and there are
# at most _MAX_CHUNKS of them, which bounds the per-chunk scratch memory.
cdef Py_ssize_t _MIN_CHUNK = 512
cdef Py_ssize_t _MAX_CHUNKS = 64


cdef inline Py_ssize_t _chunk_size(Py_ssize_t n_samples, Py_ssize_t stat_size) noexcept nogil:
    """Samples per chunk: a function of the data shape only (thread-count independent)."""
    cdef Py_ssize_t max_chunks = _MAX_CHUNKS
    while max_chunks > 1 and max_chunks * stat_size > (1 << 23):
        max_chunks //= 2
    cdef Py_ssize_t size = (n_samples + max_chunks - 1) // max_chunks
    if size < _MIN_CHUNK:
        size = _MIN_CHUNK
    return size


cdef inline uint64_t _mix(uint64_t z) noexcept nogil:
    # splitmix64's finaliser: every input bit affects every output bit.
    z = (z ^ (z >> 30)) * <uint64_t>0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * <uint64_t>0x94D049BB133111EB
    return z ^ (z >> 31)


def row_hashes(
    const floating[:, ::1] X,  # IN (n_samples, n_features)
    uint64_t[::1] out,  # OUT (n_samples,)
    int n_threads,
):
    """A 64-bit hash of every row's values (as doubles; -0.0 and 0.0 hash alike).

    Sorting rows by it gives an order that depends on the rows' values only, so everything
    computed in that order is the same for any permutation of the input.
    """
    cdef Py_ssize_t n = X.shape[0], d = X.shape[1], i, j
    cdef double value
    cdef uint64_t h, bits
    for i in prange(n, nogil=True, schedule="static", num_threads=n_threads):
        h = <uint64_t>0x9E3779B97F4A7C15
        for j in range(d):
            value = X[i, j] + 0.0  # -0.0 + 0.0 == +0.0
            memcpy(&bits, &value, 8)
            h = _mix(h ^ bits) + <uint64_t>0x9E3779B97F4A7C15
        out[i] = _mix(h)


def quantized_row_hashes(
    const floating[:, ::1] X,  # IN (n_samples, n_features)
    const double[::1] shift,  # IN (n_features,)
    const double[::1] inverse_step,  # IN (n_features,): grid cells per unit of the feature
    uint64_t[::1] out,  # OUT (n_samples,)
    int n_threads,
):
    """A 64-bit hash of every row's cell in a grid: ``rint((x - shift) * inverse_step)``.

    Rows whose values differ by much less than a cell (the same data in other units, or with
    the last bits changed) hash alike, except for the rare values near a cell's edge.
    """
    cdef Py_ssize_t n = X.shape[0], d = X.shape[1], i, j
    cdef double cell
    cdef long long index
    cdef uint64_t h, bits
    for i in prange(n, nogil=True, schedule="static", num_threads=n_threads):
        h = <uint64_t>0x9E3779B97F4A7C15
        for j in range(d):
            cell = rint((X[i, j] - shift[j]) * inverse_step[j])
            # Beyond 2^62 cells from the centre every value shares the outermost cell.
            if cell > 4.6e18:
                cell = 4.6e18
            elif cell < -4.6e18:
                cell = -4.6e18
            index = <long long>cell
            bits = <uint64_t>index
            h = _mix(h ^ bits) + <uint64_t>0x9E3779B97F4A7C15
        out[i] = _mix(h)


def lloyd_2means(
    const floating[:, ::1] X,  # IN (n_samples, n_features)
    double[:, ::1] centers,  # INOUT (2, n_features): initial, then final centres
    signed char[::1] labels,  # OUT (n_samples,): 0 or 1
    int max_iter,
    int n_threads,
):
    """Lloyd iterations for two centres, run until no label changes (or ``max_iter``).

    Returns ``(n_iter, sse, sizes)``: the iterations run, the within-cluster sum of squares
    against the centres of the final labels, and the two cluster sizes. A cluster that empties
    stops the run; the caller sees a zero size.
    """
    cdef Py_ssize_t n = X.shape[0], d = X.shape[1]
    cdef Py_ssize_t size = _chunk_size(n, 2 * d + 3)
    cdef Py_ssize_t n_chunks = (n + size - 1) // size
    cdef Py_ssize_t c, i, j, start, end
    cdef int it, n_iter = 0
    cdef signed char lab
    cdef double proj, dist, sse = 0.0, threshold, w0 = 0.0, w1 = 0.0
    cdef double[::1] direction = np.zeros(d)
    cdef double[::1] csum = np.zeros(2 * d + 3)
    # Per chunk: the sums of both clusters (2 d), the two sizes, the label changes.
    chunk_arr = np.zeros((max(n_chunks, 1), 2 * d + 3))
    cdef double[:, ::1] chunk = chunk_arr
    labels[:] = -1
    if n == 0:
        return 0, 0.0, (0, 0)

    for it in range(max_iter):
        n_iter = it + 1
        # Nearest of two centres is a half-space test: x . (c1 - c0) > (|c1|^2 - |c0|^2) / 2.
        threshold = 0.0
        for j in range(d):
            direction[j] = centers[1, j] - centers[0, j]
            threshold += 0.5 * (centers[1, j] * centers[1, j] - centers[0, j] * centers[0, j])
        chunk[:, :] = 0.0
        for c in prange(n_chunks, nogil=True, schedule="static", num_threads=n_threads):
            start = c * size
            end = start + size
            if end > n:
                end = n
            for i in range(start, end):
                proj = 0.0
                for j in range(d):
                    proj = proj + X[i, j] * direction[j]
                lab = 1 if proj > threshold else 0
                if lab != labels[i]:
                    chunk[c, 2 * d + 2] += 1.0
                    labels[i] = lab
                chunk[c, 2 * d + lab] += 1.0
                for j in range(d):
                    chunk[c, lab * d + j] += X[i, j]
        csum[:] = 0.0
        for c in range(n_chunks):
            for j in range(2 * d + 3):
                csum[j] += chunk[c, j]
        w0 = csum[2 * d]
        w1 = csum[2 * d + 1]
        if w0 <= 0.0 or w1 <= 0.0:
            return n_iter, 0.0, (int(w0), int(w1))
        for j in range(d):
            centers[0, j] = csum[j] / w0
            centers[1, j] = csum[d + j] / w1
        if csum[2 * d + 2] == 0.0:
            break

    chunk[:, :] = 0.0
    for c in prange(n_chunks, nogil=True, schedule="static", num_threads=n_threads):
        start = c * size
        end = start + size
        if end > n:
            end = n
        for i in range(start, end):
            lab = labels[i]
            dist = 0.0
            for j in range(d):
                dist = dist + (X[i, j] - centers[lab, j]) * (X[i, j] - centers[lab, j])
            chunk[c, 0] += dist
    for c in range(n_chunks):
        sse += chunk[c, 0]
    return n_iter, sse, (int(w0), int(w1))


def half_space_labels(
    const floating[:, ::1] X,  # IN (n_samples, n_features)
    const double[::1] direction,  # IN (n_features,)
    double threshold,
    signed char[::1] labels,  # OUT (n_samples,): 1 where x . direction > threshold
    int n_threads,
):
    """Which side of the hyperplane ``x . direction = threshold`` every row lies on."""
    cdef Py_ssize_t n = X.shape[0], d = X.shape[1], i, j
    cdef double proj
    for i in prange(n, nogil=True, schedule="static", num_threads=n_threads):
        proj = 0.0
        for j in range(d):
            proj = proj + X[i, j] * direction[j]
        labels[i] = 1 if proj > threshold else 0


def project(
    const floating[:, ::1] X,  # IN (n_samples, n_features)
    const double[::1] direction,  # IN (n_features,)
    double[::1] out,  # OUT (n_samples,)
    int n_threads,
):
    """``out = X @ direction`` with a fixed summation order (BLAS's may follow the threads)."""
    cdef Py_ssize_t n = X.shape[0], d = X.shape[1], i, j
    cdef double proj
    for i in prange(n, nogil=True, schedule="static", num_threads=n_threads):
        proj = 0.0
        for j in range(d):
            proj = proj + X[i, j] * direction[j]
        out[i] = proj


def dip_statistic(const double[::1] x):  # IN (n,): sorted ascending
    """Hartigan's dip of the empirical distribution of the sorted sample ``x``.

    The dip is the sup distance between the empirical CDF and the closest unimodal CDF. The
    computation follows Hartigan and Hartigan (1985) and Hartigan (1985, algorithm AS 217):
    alternately fit the greatest convex minorant left of the current modal interval and the
    least concave majorant right of it, and shrink the interval until the largest gap between
    the two fits no longer exceeds the dip found so far. Work is done in units of 1/(2n).

    Returns the dip, between 1/(2n) and 1/4.
    """
    cdef Py_ssize_t n = x.shape[0]
    if n < 4 or x[n - 1] == x[0]:
        return 0.5 / max(n, 1)
    gcm_next_arr = np.empty(n, dtype=np.intp)
    lcm_next_arr = np.empty(n, dtype=np.intp)
    gcm_arr = np.empty(n + 1, dtype=np.intp)
    lcm_arr = np.empty(n + 1, dtype=np.intp)
    cdef Py_ssize_t[::1] mn = gcm_next_arr
    cdef Py_ssize_t[::1] mj = lcm_next_arr
    cdef Py_ssize_t[::1] gcm = gcm_arr
    cdef Py_ssize_t[::1] lcm = lcm_arr
    cdef double dip = 1.0, d, dx, dip_l, dip_u, max_t, t, slope
    cdef Py_ssize_t low = 0, high = n - 1, i, j, k, ig, ih, ix, iv, n_gcm, n_lcm
    cdef Py_ssize_t a, b, prev, nxt
    with nogil:
        # mn[j]: the previous vertex of the greatest convex minorant of points 0..j, as seen
        # from j (a stack walked back while the slope test fails).
        mn[0] = 0
        for j in range(1, n):
            mn[j] = j - 1
            while True:
                a = mn[j]
                b = mn[a]
                if a == 0 or (x[j] - x[a]) * (a - b) < (x[a] - x[b]) * (j - a):
                    break
                mn[j] = b
        # mj[k]: the next vertex of the least concave majorant of points k..n-1.
        mj[n - 1] = n - 1
        for k in range(n - 2, -1, -1):
            mj[k] = k + 1
            while True:
                a = mj[k]
                b = mj[a]
                if a == n - 1 or (x[k] - x[a]) * (a - b) < (x[a] - x[b]) * (k - a):
                    break
                mj[k] = b

        while True:
            # Vertices of the minorant from high down to low, and of the majorant from low up.
            gcm[0] = high
            i = 0
            while gcm[i] > low:
                gcm[i + 1] = mn[gcm[i]]
                i += 1
            n_gcm = i + 1
            ig = i
            ix = i - 1
            lcm[0] = low
            i = 0
            while lcm[i] < high:
                lcm[i + 1] = mj[lcm[i]]
                i += 1
            n_lcm = i + 1
            ih = i
            iv = 1

            # The largest vertical distance between the two fits on [low, high].
            d = 0.0
            if n_gcm != 2 or n_lcm != 2:
                while True:
                    a = gcm[ix]
                    b = lcm[iv]
                    if a > b:
                        nxt = gcm[ix + 1]
                        dx = b - nxt + 1
                        if x[a] != x[nxt]:  # a vertical segment (tied values) adds nothing
                            dx = dx - (x[b] - x[nxt]) * (a - nxt) / (x[a] - x[nxt])
                        iv += 1
                        if dx >= d:
                            d = dx
                            ig = ix + 1
                            ih = iv - 1
                    else:
                        prev = lcm[iv - 1]
                        dx = -(a - prev - 1.0)
                        if x[b] != x[prev]:
                            dx = dx + (x[a] - x[prev]) * (b - prev) / (x[b] - x[prev])
                        ix -= 1
                        if dx >= d:
                            d = dx
                            ig = ix + 1
                            ih = iv
                    if ix < 0:
                        ix = 0
                    if iv > n_lcm - 1:
                        iv = n_lcm - 1
                    if gcm[ix] == lcm[iv]:
                        break
            else:
                d = 1.0
            if d < dip:
                break

            # The dips of the minorant left of the interval and of the majorant right of it.
            dip_l = 0.0
            for j in range(ig, n_gcm - 1):
                max_t = 1.0
                a = gcm[j]
                b = gcm[j + 1]
                if a - b > 1 and x[a] != x[b]:
                    slope = (a - b) / (x[a] - x[b])
                    for k in range(b, a + 1):
                        t = (k - b + 1) - (x[k] - x[b]) * slope
                        if t > max_t:
                            max_t = t
                if max_t > dip_l:
                    dip_l = max_t
            dip_u = 0.0
            for j in range(ih, n_lcm - 1):
                max_t = 1.0
                a = lcm[j]
                b = lcm[j + 1]
                if b - a > 1 and x[b] != x[a]:
                    slope = (b - a) / (x[b] - x[a])
                    for k in range(a, b + 1):
                        t = (x[k] - x[a]) * slope - (k - a - 1)
                        if t > max_t:
                            max_t = t
                if max_t > dip_u:
                    dip_u = max_t
            if dip_l > dip:
                dip = dip_l
            if dip_u > dip:
                dip = dip_u
            # Without this the loop can cycle on a fixed interval.
            if low == gcm[ig] and high == lcm[ih]:
                break
            low = gcm[ig]
            high = lcm[ih]
    return dip / (2.0 * n)


def cluster_sums(
    const floating[:, ::1] X,  # IN (n_samples, n_features)
    const Py_ssize_t[::1] labels,  # IN (n_samples,): 0 .. n_clusters - 1
    double[::1] counts,  # OUT (n_clusters,)
    double[:, ::1] sums,  # OUT (n_clusters, n_features)
    int n_threads,
):
    """Size and coordinate sums of every cluster (chunked, thread-count independent)."""
    cdef Py_ssize_t n = X.shape[0], d = X.shape[1], n_clusters = counts.shape[0]
    cdef Py_ssize_t stat = n_clusters * (d + 1)
    cdef Py_ssize_t size = _chunk_size(n, stat)
    cdef Py_ssize_t n_chunks = (n + size - 1) // size
    cdef Py_ssize_t c, i, j, k, start, end
    chunk_arr = np.zeros((max(n_chunks, 1), stat))
    cdef double[:, ::1] chunk = chunk_arr
    for c in prange(n_chunks, nogil=True, schedule="static", num_threads=n_threads):
        start = c * size
        end = start + size
        if end > n:
            end = n
        for i in range(start, end):
            k = labels[i]
            chunk[c, k * (d + 1) + d] += 1.0
            for j in range(d):
                chunk[c, k * (d + 1) + j] += X[i, j]
    counts[:] = 0.0
    sums[:, :] = 0.0
    for c in range(n_chunks):
        for k in range(n_clusters):
            counts[k] += chunk[c, k * (d + 1) + d]
            for j in range(d):
                sums[k, j] += chunk[c, k * (d + 1) + j]


def cluster_scatter(
    const floating[:, ::1] X,  # IN (n_samples, n_features)
    const Py_ssize_t[::1] labels,  # IN (n_samples,)
    const double[:, ::1] means,  # IN (n_clusters, n_features)
    double[:, ::1] scatter,  # OUT (n_clusters, d*d) full, or (n_clusters, d) diagonal
    bint full,
    int n_threads,
):
    """Sum of outer products (or squares) of the deviations from each cluster's mean.

    Deviations from the given means avoid the cancellation of ``E[xx'] - mm'``. For full
    scatter only the lower triangle is accumulated, then mirrored.
    """
    cdef Py_ssize_t n = X.shape[0], d = X.shape[1], n_clusters = means.shape[0]
    cdef Py_ssize_t cov = d * d if full else d
    cdef Py_ssize_t stat = n_clusters * cov
    cdef Py_ssize_t size = _chunk_size(n, stat)
    cdef Py_ssize_t n_chunks = (n + size - 1) // size
    cdef Py_ssize_t c, i, j, m, k, start, end
    cdef double dj
    chunk_arr = np.zeros((max(n_chunks, 1), stat))
    cdef double[:, ::1] chunk = chunk_arr
    for c in prange(n_chunks, nogil=True, schedule="static", num_threads=n_threads):
        start = c * size
        end = start + size
        if end > n:
            end = n
        for i in range(start, end):
            k = labels[i]
            for j in range(d):
                dj = X[i, j] - means[k, j]
                if full:
                    for m in range(j + 1):
                        chunk[c, k * cov + j * d + m] += dj * (X[i, m] - means[k, m])
                else:
                    chunk[c, k * cov + j] += dj * dj
    scatter[:, :] = 0.0
    for c in range(n_chunks):
        for k in range(n_clusters):
            for j in range(cov):
                scatter[k, j] += chunk[c, k * cov + j]
    if full:
        for k in range(n_clusters):
            for j in range(d):
                for m in range(j):
                    scatter[k, m * d + j] = scatter[k, j * d + m]


cdef inline double _mahalanobis(
    const floating* x,
    const double* mean,
    const double* factor,  # lower Cholesky factor of the precision (full), or precisions
    double* work,
    Py_ssize_t d,
    bint full,
) noexcept nogil:
    """Squared Mahalanobis distance given the precision's upper-triangular Cholesky factor U
    (P = U U', scikit-learn's ``precisions_cholesky_``), or the diagonal precisions."""
    cdef Py_ssize_t j, m
    cdef double s, total = 0.0
    if full:
        for j in range(d):
            work[j] = x[j] - mean[j]
        # (x - mu)' U has entries sum_{m <= j} (x - mu)_m U[m, j].
        for j in range(d):
            s = 0.0
            for m in range(j + 1):
                s = s + work[m] * factor[m * d + j]
            total = total + s * s
    else:
        for j in range(d):
            s = x[j] - mean[j]
            total = total + s * s * factor[j]
    return total


def gaussian_log_densities(
    const floating[:, ::1] X,  # IN (n_samples, n_features)
    const double[:, ::1] means,  # IN (n_components, n_features)
    const double[:, ::1] factors,  # IN (n_components, d*d) upper precision Cholesky, or (., d)
    const double[::1] offsets,  # IN (n_components,): log weight + log det(U) - d log(2 pi)/2
    double[:, ::1] out,  # OUT (n_samples, n_components)
    bint full,
    int n_threads,
):
    """Joint log density ``log w_k + log N(x_i; mu_k, Sigma_k)`` of every row and component."""
    cdef Py_ssize_t n = X.shape[0], d = X.shape[1], n_components = means.shape[0]
    cdef Py_ssize_t i, k
    cdef Py_ssize_t size = _chunk_size(n, d)
    cdef Py_ssize_t n_chunks = (n + size - 1) // size
    cdef Py_ssize_t c, start, end
    scratch_arr = np.zeros((max(n_chunks, 1), d))
    cdef double[:, ::1] scratch = scratch_arr
    for c in prange(n_chunks, nogil=True, schedule="static", num_threads=n_threads):
        start = c * size
        end = start + size
        if end > n:
            end = n
        for i in range(start, end):
            for k in range(n_components):
                out[i, k] = offsets[k] - 0.5 * _mahalanobis(
                    &X[i, 0], &means[k, 0], &factors[k, 0], &scratch[c, 0], d, full
                )


def gaussian_assign(
    const floating[:, ::1] X,  # IN (n_samples, n_features)
    const double[:, ::1] means,  # IN (n_components, n_features)
    const double[:, ::1] factors,  # IN (n_components, d*d) upper precision Cholesky, or (., d)
    const double[::1] offsets,  # IN (n_components,)
    Py_ssize_t[::1] labels,  # OUT (n_samples,): the component of largest joint density
    Py_ssize_t[::1] runner_up,  # OUT (n_samples,): the second largest
    double[::1] log_margin,  # OUT (n_samples,): best minus second joint log density
    bint full,
    int n_threads,
):
    """Best and second-best component of every row, without an (n, k) matrix.

    Ties go to the lower component index, so the result is a function of the parameters.
    """
    cdef Py_ssize_t n = X.shape[0], d = X.shape[1], n_components = means.shape[0]
    cdef Py_ssize_t i, k, best, second
    cdef double value, best_value, second_value
    cdef Py_ssize_t size = _chunk_size(n, d)
    cdef Py_ssize_t n_chunks = (n + size - 1) // size
    cdef Py_ssize_t c, start, end
    scratch_arr = np.zeros((max(n_chunks, 1), d))
    cdef double[:, ::1] scratch = scratch_arr
    for c in prange(n_chunks, nogil=True, schedule="static", num_threads=n_threads):
        start = c * size
        end = start + size
        if end > n:
            end = n
        for i in range(start, end):
            best = 0
            second = 0
            best_value = -INFINITY
            second_value = -INFINITY
            for k in range(n_components):
                value = offsets[k] - 0.5 * _mahalanobis(
                    &X[i, 0], &means[k, 0], &factors[k, 0], &scratch[c, 0], d, full
                )
                if value > best_value:
                    second = best
                    second_value = best_value
                    best = k
                    best_value = value
                elif value > second_value:
                    second = k
                    second_value = value
            labels[i] = best
            runner_up[i] = second if n_components > 1 else best
            log_margin[i] = best_value - second_value if n_components > 1 else INFINITY


def two_gaussians_loglik(
    const double[::1] x,  # IN (n,): sorted ascending
    double[::1] responsibility,  # SCRATCH (n,)
    int max_iter,
    double min_component,
):
    """Log-likelihood of a two-Gaussian mixture fitted to ``x`` by EM from the best 2-means
    cut of the sorted values; -inf when a component ends with fewer than ``min_component``
    points of mass.

    The likelihood is unbounded (a component can shrink onto a few points), so variances are
    floored at a thousandth of the sample's. EM stops when the log-likelihood gains less than
    a relative 1e-9.
    """
    cdef Py_ssize_t n = x.shape[0], i, cut = 1
    cdef double total = 0.0, total_sq = 0.0, left_sum = 0.0, left_sq = 0.0
    cdef double sse, best_sse = INFINITY, mean_all, floor, diff
    cdef double mass0, mass1, sum0, sum1, mean0, mean1, var0, var1, r1
    cdef double log_w0, log_w1, lj0, lj1, e, row, loglik = -INFINITY
    cdef double previous = -INFINITY
    cdef int _iteration
    if n < 2:
        return -INFINITY
    with nogil:
        for i in range(n):
            total = total + x[i]
            total_sq = total_sq + x[i] * x[i]
        # The cut minimising the within-group sum of squares of the sorted values.
        for i in range(1, n):
            left_sum = left_sum + x[i - 1]
            left_sq = left_sq + x[i - 1] * x[i - 1]
            sse = (left_sq - left_sum * left_sum / i) + (
                (total_sq - left_sq) - (total - left_sum) * (total - left_sum) / (n - i)
            )
            if sse < best_sse:
                best_sse = sse
                cut = i
        for i in range(n):
            responsibility[i] = 0.0 if i < cut else 1.0
        mean_all = total / n
        floor = 0.0
        for i in range(n):
            diff = x[i] - mean_all
            floor = floor + diff * diff
        floor = 1e-3 * floor / n
        for _iteration in range(max_iter):
            mass0 = 0.0
            mass1 = 0.0
            sum0 = 0.0
            sum1 = 0.0
            for i in range(n):
                r1 = responsibility[i]
                mass1 = mass1 + r1
                mass0 = mass0 + (1.0 - r1)
                sum1 = sum1 + r1 * x[i]
                sum0 = sum0 + (1.0 - r1) * x[i]
            if mass0 <= 0.0 or mass1 <= 0.0:
                break
            mean0 = sum0 / mass0
            mean1 = sum1 / mass1
            var0 = 0.0
            var1 = 0.0
            for i in range(n):
                r1 = responsibility[i]
                var0 = var0 + (1.0 - r1) * (x[i] - mean0) * (x[i] - mean0)
                var1 = var1 + r1 * (x[i] - mean1) * (x[i] - mean1)
            var0 = var0 / mass0
            var1 = var1 / mass1
            if var0 < floor:
                var0 = floor
            if var1 < floor:
                var1 = floor
            log_w0 = log(mass0 / n) - 0.5 * log(2.0 * M_PI * var0)
            log_w1 = log(mass1 / n) - 0.5 * log(2.0 * M_PI * var1)
            loglik = 0.0
            for i in range(n):
                lj0 = log_w0 - 0.5 * (x[i] - mean0) * (x[i] - mean0) / var0
                lj1 = log_w1 - 0.5 * (x[i] - mean1) * (x[i] - mean1) / var1
                # One exp per row: e = exp(low - top) <= 1 gives both the row's log-sum-exp
                # and the responsibility of either component.
                if lj1 >= lj0:
                    e = exp(lj0 - lj1)
                    row = lj1 + log1p(e)
                    responsibility[i] = 1.0 / (1.0 + e)
                else:
                    e = exp(lj1 - lj0)
                    row = lj0 + log1p(e)
                    responsibility[i] = e / (1.0 + e)
                loglik = loglik + row
            if loglik - previous <= 1e-9 * fabs(loglik):
                break
            previous = loglik
        mass1 = 0.0
        for i in range(n):
            mass1 = mass1 + responsibility[i]
    if mass1 < min_component or n - mass1 < min_component:
        return -INFINITY
    return loglik


def two_piece_generalized_normal_loglik(
    const double[::1] z,  # IN (n,): sorted ascending, scaled to [0, 1]
    const double[::1] modes,  # IN (m,): candidate modes
    const double[::1] shapes,  # IN (s,): candidate shapes, ascending, multiples of 1/4
    const Py_ssize_t[::1] quarters,  # IN (s,): 4 * shapes, as integers
    double[:, ::1] powers,  # SCRATCH (2, s): left and right sums of |z - mode| ** shape
):
    """Largest log-likelihood of a two-piece generalised normal over the candidate modes and
    shapes, for data scaled to [0, 1] (the caller subtracts ``n log(range)``).

    The density is proportional to ``exp(-(|z - mode| / scale)**shape)``, with one scale
    left of the mode and one right of it; for a given mode and shape both scales have closed
    forms, which leaves ``n (log shape - lgamma(1/shape) - log(t (a + b))) - n / shape`` with
    ``a, b`` the ``1/(shape + 1)`` powers of the two sums and ``t = (shape (a + b) / n)**(1 /
    shape)``. -inf when no candidate is valid.

    Every shape is a multiple of 1/4, so ``|z - mode| ** shape`` is a product of powers of
    the fourth root (two square roots and a few multiplications per shape instead of an exp:
    the same sums to about 1e-14 relative).
    """
    cdef Py_ssize_t n = z.shape[0], n_modes = modes.shape[0], n_shapes = shapes.shape[0]
    cdef Py_ssize_t i, m, s, side, step, previous
    cdef double mode, gap, root, power, factor, base, shape, a, b, total, t, value
    cdef double best = -INFINITY
    with nogil:
        for m in range(n_modes):
            mode = modes[m]
            for s in range(n_shapes):
                powers[0, s] = 0.0
                powers[1, s] = 0.0
            for i in range(n):
                gap = z[i] - mode
                if gap == 0.0:
                    continue
                side = 1 if gap > 0.0 else 0
                root = sqrt(sqrt(fabs(gap)))
                power = 1.0
                previous = 0
                for s in range(n_shapes):
                    # power = root ** quarters[s], from the previous shape's power.
                    step = quarters[s] - previous
                    previous = quarters[s]
                    factor = 1.0
                    base = root
                    while step > 0:
                        if step & 1:
                            factor = factor * base
                        base = base * base
                        step = step >> 1
                    power = power * factor
                    # Below 1e-290 the rest of the products only add underflow (and slow
                    # subnormal arithmetic): the sums are dominated by far larger terms.
                    if power < 1e-290:
                        break
                    powers[side, s] = powers[side, s] + power
            for s in range(n_shapes):
                shape = shapes[s]
                a = pow(powers[0, s], 1.0 / (shape + 1.0))
                b = pow(powers[1, s], 1.0 / (shape + 1.0))
                total = a + b
                if not total > 0.0:
                    continue
                t = pow(shape * total / n, 1.0 / shape)
                value = n * (log(shape) - lgamma(1.0 / shape) - log(t * total)) - n / shape
                if value > best:
                    best = value
    return best
