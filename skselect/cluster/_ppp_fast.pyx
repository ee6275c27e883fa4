"""Per-node kernels of PPP: weighted moments, the weighted 2-means Lloyd run and the
two-component EM (full or diagonal covariance).

Every reduction over samples is split into a number of chunks that depends only on the number
of samples and the dimension, never on the number of threads; the chunk partial sums are added
in chunk order after the parallel loop. A fit therefore gives the same floating-point numbers
whatever ``n_threads`` is.

All accumulation is in double precision, whatever the input precision.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from cython cimport floating
from cython.parallel cimport prange
from libc.math cimport exp, log, log1p, sqrt, fabs, M_PI

import numpy as np

# Chunks hold at least this many samples (amortises the per-chunk bookkeeping) ...
cdef Py_ssize_t _MIN_CHUNK = 256
# ... and there are at most this many, which caps the per-chunk scratch memory.
cdef Py_ssize_t _MAX_CHUNKS = 64


cdef inline Py_ssize_t _chunk_size(Py_ssize_t n_samples, Py_ssize_t stat_size) noexcept nogil:
    """Samples per chunk: a function of the data shape only (thread-count independent)."""
    cdef Py_ssize_t max_chunks = _MAX_CHUNKS
    # Keep the chunk scratch below ~64 MiB even for large d.
    while max_chunks > 1 and max_chunks * stat_size > (1 << 23):
        max_chunks //= 2
    cdef Py_ssize_t size = (n_samples + max_chunks - 1) // max_chunks
    if size < _MIN_CHUNK:
        size = _MIN_CHUNK
    return size


cdef inline void _sum_rows(const double[:, ::1] chunks, double[::1] out) noexcept nogil:
    """out = chunks.sum(axis=0), adding the chunk rows in order (as NumPy does)."""
    cdef Py_ssize_t c, j
    for j in range(out.shape[0]):
        out[j] = 0.0
    for c in range(chunks.shape[0]):
        for j in range(out.shape[0]):
            out[j] += chunks[c, j]


def weighted_moments(
    const floating[:, ::1] X,  # IN (n_samples, n_features)
    const floating[::1] sample_weight,  # IN (n_samples,)
    const double[:, ::1] scatter,  # IN (n_samples, d*d or d) within-row covariances, or (n, 0)
    double[::1] mean,  # OUT (n_features,)
    double[:, ::1] covariance,  # OUT (n_features, n_features), or (1, n_features) if diagonal
    bint full,
    int n_threads,
):
    """Weighted mean and (full or diagonal) ML covariance; returns the total weight.

    Two passes: the mean first, then the scatter around it, which avoids the cancellation
    of the one-pass ``E[xx'] - mm'`` formula. A row that stands for a group of samples (a
    codebook vector) adds its group's own covariance, ``scatter[i]``, times its weight.
    """
    cdef Py_ssize_t n = X.shape[0], d = X.shape[1]
    cdef Py_ssize_t stat = d * d if full else d
    cdef Py_ssize_t size = _chunk_size(n, stat + d + 1)
    cdef Py_ssize_t n_chunks = (n + size - 1) // size
    cdef Py_ssize_t c, i, j, k, start, end
    cdef double total = 0.0, wi, dj
    cdef bint has_scatter = scatter.shape[1] > 0
    mean[:] = 0.0
    covariance[:, :] = 0.0
    if n == 0:
        return 0.0
    chunk_sum_arr = np.zeros((n_chunks, d + 1))
    chunk_scatter_arr = np.zeros((n_chunks, stat))
    cdef double[:, ::1] chunk_sum = chunk_sum_arr
    cdef double[:, ::1] chunk_scatter = chunk_scatter_arr

    for c in prange(n_chunks, nogil=True, schedule="static", num_threads=n_threads):
        start = c * size
        end = start + size
        if end > n:
            end = n
        for i in range(start, end):
            wi = sample_weight[i]
            chunk_sum[c, d] += wi
            for j in range(d):
                chunk_sum[c, j] += wi * X[i, j]
    for c in range(n_chunks):
        total += chunk_sum[c, d]
        for j in range(d):
            mean[j] += chunk_sum[c, j]
    if total <= 0.0:
        return 0.0
    for j in range(d):
        mean[j] /= total

    for c in prange(n_chunks, nogil=True, schedule="static", num_threads=n_threads):
        start = c * size
        end = start + size
        if end > n:
            end = n
        for i in range(start, end):
            wi = sample_weight[i]
            if full:
                for j in range(d):
                    dj = wi * (X[i, j] - mean[j])
                    for k in range(j + 1):
                        chunk_scatter[c, j * d + k] += dj * (X[i, k] - mean[k])
                        if has_scatter:
                            chunk_scatter[c, j * d + k] += wi * scatter[i, j * d + k]
            else:
                for j in range(d):
                    dj = X[i, j] - mean[j]
                    chunk_scatter[c, j] += wi * dj * dj
                    if has_scatter:
                        chunk_scatter[c, j] += wi * scatter[i, j]
    for c in range(n_chunks):
        if full:
            for j in range(d):
                for k in range(j + 1):
                    covariance[j, k] += chunk_scatter[c, j * d + k]
        else:
            for j in range(d):
                covariance[0, j] += chunk_scatter[c, j]
    if full:
        for j in range(d):
            for k in range(j + 1):
                covariance[j, k] /= total
                covariance[k, j] = covariance[j, k]
    else:
        for j in range(d):
            covariance[0, j] /= total
    return total


def lloyd_2means(
    const floating[:, ::1] X,  # IN (n_samples, n_features)
    const floating[::1] sample_weight,  # IN (n_samples,)
    double[:, ::1] centers,  # INOUT (2, n_features): initial, then final centres
    signed char[::1] labels,  # OUT (n_samples,): 0 or 1
    int max_iter,
    int n_threads,
):
    """Weighted Lloyd iterations for two centres, run to convergence (no label changes).

    Returns ``(n_iter, sse, weights)``: the iterations run, the weighted within-cluster sum
    of squares for the final centres, and the total weight in each cluster. A cluster that
    empties stops the run; the caller sees a zero weight.
    """
    cdef Py_ssize_t n = X.shape[0], d = X.shape[1]
    cdef Py_ssize_t size = _chunk_size(n, 2 * d + 3)
    cdef Py_ssize_t n_chunks = (n + size - 1) // size
    cdef Py_ssize_t c, i, j, start, end
    cdef int it, n_iter = 0
    cdef signed char lab
    cdef double proj, wi, dist, sse = 0.0
    cdef double[::1] direction = np.zeros(d)
    cdef double threshold
    cdef double w0 = 0.0, w1 = 0.0
    cdef double[::1] csum = np.zeros(2 * d + 3)
    # Per chunk: weighted sums of both clusters (2 d), the two weights, the label changes.
    chunk_arr = np.zeros((max(n_chunks, 1), 2 * d + 3))
    cdef double[:, ::1] chunk = chunk_arr
    labels[:] = -1
    if n == 0:
        return 0, 0.0, (0.0, 0.0)

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
                wi = sample_weight[i]
                chunk[c, 2 * d + lab] += wi
                for j in range(d):
                    chunk[c, lab * d + j] += wi * X[i, j]
        _sum_rows(chunk, csum)
        w0 = csum[2 * d]
        w1 = csum[2 * d + 1]
        if w0 <= 0.0 or w1 <= 0.0:
            return n_iter, 0.0, (w0, w1)
        for j in range(d):
            centers[0, j] = csum[j] / w0
            centers[1, j] = csum[d + j] / w1
        if csum[2 * d + 2] == 0.0:
            break

    # Labels are final for the centres they produced; the SSE is taken against the centres
    # recomputed from them (Lloyd's fixed point when converged).
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
            chunk[c, 0] += sample_weight[i] * dist
    for c in range(n_chunks):
        sse += chunk[c, 0]
    return n_iter, sse, (w0, w1)


cdef int _cholesky(double* a, Py_ssize_t d) noexcept nogil:
    """In-place lower Cholesky factor of the row-major d x d matrix ``a``; 0 on success."""
    cdef Py_ssize_t i, j, k
    cdef double s
    for j in range(d):
        s = a[j * d + j]
        for k in range(j):
            s -= a[j * d + k] * a[j * d + k]
        if s <= 0.0:
            return 1
        a[j * d + j] = sqrt(s)
        for i in range(j + 1, d):
            s = a[i * d + j]
            for k in range(j):
                s -= a[i * d + k] * a[j * d + k]
            a[i * d + j] = s / a[j * d + j]
        for i in range(j):
            a[i * d + j] = 0.0
    return 0


cdef inline double _log_gauss(
    const floating* x,
    const double* mean,
    const double* factor,  # lower Cholesky factor (full) or variances (diagonal)
    double log_det,
    double* scratch,
    Py_ssize_t d,
    bint full,
) noexcept nogil:
    """log N(x | mean, Sigma) with Sigma given by its Cholesky factor or its diagonal."""
    cdef Py_ssize_t j, k
    cdef double s, maha = 0.0
    if full:
        # Forward substitution L y = x - mean; the Mahalanobis distance is |y|^2.
        for j in range(d):
            s = x[j] - mean[j]
            for k in range(j):
                s -= factor[j * d + k] * scratch[k]
            scratch[j] = s / factor[j * d + j]
            maha += scratch[j] * scratch[j]
    else:
        for j in range(d):
            s = x[j] - mean[j]
            maha += s * s / factor[j]
    return -0.5 * (d * log(2.0 * M_PI) + log_det + maha)


def em_2gmm(
    const floating[:, ::1] X,  # IN (n_samples, n_features)
    const floating[::1] sample_weight,  # IN (n_samples,)
    const double[:, ::1] scatter,  # IN (n_samples, d*d or d) within-row covariances, or (n, 0)
    double[::1] resp,  # INOUT (n_samples,): responsibility of component 1 (start: hard split)
    double[::1] weights,  # OUT (2,): mixing proportions
    double[:, ::1] means,  # OUT (2, n_features)
    double[:, :, ::1] covariances,  # OUT (2, n_features, n_features) or (2, 1, n_features)
    bint full,
    double reg_covar,
    int max_iter,
    double tol,
    int n_threads,
):
    """EM for a two-component Gaussian mixture, started from the responsibilities in ``resp``.

    Each iteration is one M-step (from the chunked sufficient statistics, with ``reg_covar``
    added to the covariance diagonal) and one E-step pass that writes the new
    responsibilities, the log-likelihood, and the sufficient statistics of the next M-step.

    A row with a non-empty ``scatter`` stands for a group of samples with that covariance
    around the row: its log-density gains ``-tr(Sigma^-1 scatter) / 2`` and its covariance
    enters the M-step, which is the exact log-likelihood of the group when all its samples
    share the row's component.

    Returns ``(log_likelihood, n_iter, converged, status)``: the weighted log-likelihood of
    the final parameters (the ones written to the outputs), and ``status`` 0 for success, 1
    when a component lost all its weight, 2 when a covariance was not positive definite.
    """
    cdef Py_ssize_t n = X.shape[0], d = X.shape[1]
    cdef Py_ssize_t cov_size = d * d if full else d
    # Per component: weight, first moment, second moment (lower triangle or diagonal).
    cdef Py_ssize_t per_comp = 1 + d + cov_size
    cdef Py_ssize_t stat = 2 * per_comp + 1
    cdef Py_ssize_t size = _chunk_size(n, stat + 2 * d)
    cdef Py_ssize_t n_chunks = (n + size - 1) // size
    cdef Py_ssize_t c, i, j, k, comp, start, end, off
    cdef int it, n_iter = 0, status = 0
    cdef bint converged = False
    cdef double wi, r, e, lp0, lp1, mx, ll = 0.0, ll_prev = -1e300, total = 0.0
    cdef double log_w0, log_w1, log_det0 = 0.0, log_det1 = 0.0, nk, xj
    cdef double* scratch
    cdef bint has_scatter = scatter.shape[1] > 0
    cdef const double* row_scatter = NULL

    chunk_arr = np.zeros((max(n_chunks, 1), stat))
    # Inverse covariances, for the trace terms of grouped rows.
    precision_arr = np.zeros((2, cov_size))
    cdef double[:, ::1] precision = precision_arr
    scratch_arr = np.zeros((max(n_chunks, 1), d))
    factor_arr = np.zeros((2, cov_size))
    stats_arr = np.zeros(stat)
    cdef double[:, ::1] chunk = chunk_arr
    cdef double[:, ::1] scratch_mv = scratch_arr
    cdef double[:, ::1] factor = factor_arr
    cdef double[::1] stats = stats_arr

    # Sufficient statistics of the starting responsibilities.
    for c in prange(n_chunks, nogil=True, schedule="static", num_threads=n_threads):
        start = c * size
        end = start + size
        if end > n:
            end = n
        for i in range(start, end):
            row_scatter = &scatter[i, 0] if has_scatter else NULL
            _accumulate(&chunk[c, 0], &X[i, 0], row_scatter, sample_weight[i], resp[i], d, full)

    for it in range(max_iter + 1):
        _sum_rows(chunk, stats)
        # M-step.
        total = stats[0] + stats[per_comp]
        for comp in range(2):
            off = comp * per_comp
            nk = stats[off]
            if nk <= 1e-12 * total or total <= 0.0:
                return ll, n_iter, False, 1
            weights[comp] = nk / total
            for j in range(d):
                means[comp, j] = stats[off + 1 + j] / nk
            if full:
                for j in range(d):
                    for k in range(j + 1):
                        xj = stats[off + 1 + d + j * d + k] / nk - means[comp, j] * means[comp, k]
                        covariances[comp, j, k] = xj
                        covariances[comp, k, j] = xj
                    covariances[comp, j, j] += reg_covar
                    for k in range(d):
                        factor[comp, j * d + k] = covariances[comp, j, k]
                if _cholesky(&factor[comp, 0], d) != 0:
                    return ll, n_iter, False, 2
                xj = 0.0
                for j in range(d):
                    xj += 2.0 * log(factor[comp, j * d + j])
                if has_scatter:
                    precision_arr[comp] = np.linalg.inv(covariances[comp]).ravel()
            else:
                xj = 0.0
                for j in range(d):
                    covariances[comp, 0, j] = (
                        stats[off + 1 + d + j] / nk - means[comp, j] * means[comp, j] + reg_covar
                    )
                    if covariances[comp, 0, j] <= 0.0:
                        return ll, n_iter, False, 2
                    factor[comp, j] = covariances[comp, 0, j]
                    precision[comp, j] = 1.0 / covariances[comp, 0, j]
                    xj += log(covariances[comp, 0, j])
            if comp == 0:
                log_det0 = xj
            else:
                log_det1 = xj
        log_w0 = log(weights[0])
        log_w1 = log(weights[1])

        # E-step, fused with the statistics for the next M-step.
        chunk[:, :] = 0.0
        for c in prange(n_chunks, nogil=True, schedule="static", num_threads=n_threads):
            start = c * size
            end = start + size
            if end > n:
                end = n
            scratch = &scratch_mv[c, 0]
            for i in range(start, end):
                lp0 = log_w0 + _log_gauss(
                    &X[i, 0], &means[0, 0], &factor[0, 0], log_det0, scratch, d, full
                )
                lp1 = log_w1 + _log_gauss(
                    &X[i, 0], &means[1, 0], &factor[1, 0], log_det1, scratch, d, full
                )
                row_scatter = NULL
                if has_scatter:
                    row_scatter = &scatter[i, 0]
                    lp0 = lp0 - 0.5 * _trace_product(&precision[0, 0], row_scatter, cov_size)
                    lp1 = lp1 - 0.5 * _trace_product(&precision[1, 0], row_scatter, cov_size)
                mx = lp0 if lp0 > lp1 else lp1
                wi = sample_weight[i]
                # One exponential serves the log-likelihood and the responsibility.
                e = exp(-fabs(lp0 - lp1))
                chunk[c, stat - 1] += wi * (mx + log1p(e))
                r = 1.0 / (1.0 + e) if lp1 > lp0 else e / (1.0 + e)
                resp[i] = r
                _accumulate(&chunk[c, 0], &X[i, 0], row_scatter, wi, r, d, full)
        ll = 0.0
        for c in range(n_chunks):
            ll += chunk[c, stat - 1]
        n_iter = it + 1
        if fabs(ll - ll_prev) <= tol * total:
            converged = True
            break
        ll_prev = ll
        if it == max_iter - 1:
            break
    return ll, n_iter, converged, status


cdef inline double _trace_product(
    const double* precision, const double* scatter, Py_ssize_t size
) noexcept nogil:
    """tr(P S) for symmetric P and S stored row-major (or as diagonals)."""
    cdef Py_ssize_t j
    cdef double out = 0.0
    for j in range(size):
        out += precision[j] * scatter[j]
    return out


cdef inline void _accumulate(
    double* stats,
    const floating* x,
    const double* scatter,
    double w,
    double r,
    Py_ssize_t d,
    bint full,
) noexcept nogil:
    """Add one sample, split between the components by its responsibility r (of component 1)."""
    cdef Py_ssize_t j, k, comp
    cdef Py_ssize_t cov_size = d * d if full else d
    cdef Py_ssize_t per_comp = 1 + d + cov_size
    cdef double wc, wx
    for comp in range(2):
        wc = w * (r if comp == 1 else 1.0 - r)
        if wc == 0.0:
            continue
        stats[comp * per_comp] += wc
        for j in range(d):
            wx = wc * x[j]
            stats[comp * per_comp + 1 + j] += wx
            if full:
                for k in range(j + 1):
                    stats[comp * per_comp + 1 + d + j * d + k] += wx * x[k]
                    if scatter != NULL:
                        stats[comp * per_comp + 1 + d + j * d + k] += wc * scatter[j * d + k]
            else:
                stats[comp * per_comp + 1 + d + j] += wx * x[j]
                if scatter != NULL:
                    stats[comp * per_comp + 1 + d + j] += wc * scatter[j]


def node_scores(
    const double[::1] resp,  # IN (n_samples,): responsibility of component 1
    const signed char[::1] labels,  # IN (n_samples,): 2-means labels
    const floating[::1] sample_weight,  # IN (n_samples,)
    int n_threads,
):
    """Weighted agreement and mean max-posterior of a validated split.

    Returns ``(agreement, mean_max_posterior)``: the weighted fraction of samples whose
    mixture MAP label equals the 2-means label, maximised over the label swap, and the
    weighted mean of ``max(r, 1 - r)``.
    """
    cdef Py_ssize_t n = resp.shape[0]
    cdef Py_ssize_t size = _chunk_size(n, 3)
    cdef Py_ssize_t n_chunks = (n + size - 1) // size
    cdef Py_ssize_t c, i, start, end
    cdef double r, wi, same = 0.0, conf = 0.0, total = 0.0
    chunk_arr = np.zeros((max(n_chunks, 1), 3))
    cdef double[:, ::1] chunk = chunk_arr
    if n == 0:
        return 0.0, 0.0
    for c in prange(n_chunks, nogil=True, schedule="static", num_threads=n_threads):
        start = c * size
        end = start + size
        if end > n:
            end = n
        for i in range(start, end):
            r = resp[i]
            wi = sample_weight[i]
            chunk[c, 0] += wi
            if (r > 0.5) == (labels[i] == 1):
                chunk[c, 1] += wi
            chunk[c, 2] += wi * (r if r > 0.5 else 1.0 - r)
    for c in range(n_chunks):
        total += chunk[c, 0]
        same += chunk[c, 1]
        conf += chunk[c, 2]
    if total <= 0.0:
        return 0.0, 0.0
    same /= total
    return max(same, 1.0 - same), conf / total


def gaussian_log_densities(
    const floating[:, ::1] X,  # IN (n_samples, n_features)
    const double[:, ::1] means,  # IN (n_components, n_features)
    const double[:, ::1] factors,  # IN (n_components, d*d) lower Cholesky, or (., d) variances
    const double[::1] offsets,  # IN (n_components,): log weight - log det / 2
    const double[:, ::1] scatter,  # IN (n_samples, d*d or d) within-row covariances, or (n, 0)
    const double[:, ::1] precisions,  # IN (n_components, d*d or d); read only with scatter
    double[:, ::1] out,  # OUT (n_samples, n_components)
    bint full,
    int n_threads,
):
    """Unnormalised log posterior of every row under every Gaussian of a mixture.

    ``out[i, k] = offsets[k] - (Mahalanobis distance of x_i to component k) / 2``, less
    ``tr(Sigma_k^-1 scatter_i) / 2`` for a row that stands for a group of samples. The
    ``d log(2 pi) / 2`` constant common to all components is left out. Rows are independent,
    so the result does not depend on ``n_threads``.
    """
    cdef Py_ssize_t n = X.shape[0], d = X.shape[1], n_components = means.shape[0]
    cdef Py_ssize_t cov_size = d * d if full else d
    cdef Py_ssize_t i, k, c, start, end
    cdef Py_ssize_t size = _chunk_size(n, d)
    cdef Py_ssize_t n_chunks = (n + size - 1) // size
    cdef bint has_scatter = scatter.shape[1] > 0
    cdef double value
    scratch_arr = np.zeros((max(n_chunks, 1), d))
    cdef double[:, ::1] scratch = scratch_arr
    for c in prange(n_chunks, nogil=True, schedule="static", num_threads=n_threads):
        start = c * size
        end = start + size
        if end > n:
            end = n
        for i in range(start, end):
            for k in range(n_components):
                # _log_gauss adds -(d log(2 pi) + log det) / 2; offsets carry the log det.
                value = _log_gauss(
                    &X[i, 0], &means[k, 0], &factors[k, 0], 0.0, &scratch[c, 0], d, full
                ) + 0.5 * d * log(2.0 * M_PI)
                if has_scatter:
                    value = value - 0.5 * _trace_product(
                        &precisions[k, 0], &scatter[i, 0], cov_size
                    )
                out[i, k] = offsets[k] + value


def cluster_moments(
    const floating[:, ::1] X,  # IN (n_samples, n_features)
    const floating[::1] sample_weight,  # IN (n_samples,)
    const Py_ssize_t[::1] labels,  # IN (n_samples,): cluster of each row, 0 .. n_clusters - 1
    const double[:, ::1] scatter,  # IN (n_samples, d*d or d) within-row covariances, or (n, 0)
    double[::1] totals,  # OUT (n_clusters,): total weight
    double[:, ::1] means,  # OUT (n_clusters, n_features)
    double[:, ::1] covariances,  # OUT (n_clusters, d*d) full, or (n_clusters, d) diagonal
    bint full,
):
    """Weighted mean and ML covariance of every cluster, in two passes over the rows.

    The second pass accumulates products of deviations from the cluster means (no
    ``E[xx'] - mm'`` cancellation). A row that stands for a group of samples adds its group's
    covariance. A cluster without weight keeps zeros.
    """
    cdef Py_ssize_t n = X.shape[0], d = X.shape[1], n_clusters = totals.shape[0]
    cdef Py_ssize_t i, j, m, k
    cdef double wi, dj
    cdef bint has_scatter = scatter.shape[1] > 0
    totals[:] = 0.0
    means[:, :] = 0.0
    covariances[:, :] = 0.0
    with nogil:
        for i in range(n):
            k = labels[i]
            wi = sample_weight[i]
            totals[k] += wi
            for j in range(d):
                means[k, j] += wi * X[i, j]
        for k in range(n_clusters):
            if totals[k] > 0.0:
                for j in range(d):
                    means[k, j] /= totals[k]
        for i in range(n):
            k = labels[i]
            wi = sample_weight[i]
            for j in range(d):
                dj = wi * (X[i, j] - means[k, j])
                if full:
                    for m in range(j + 1):
                        covariances[k, j * d + m] += dj * (X[i, m] - means[k, m])
                        if has_scatter:
                            covariances[k, j * d + m] += wi * scatter[i, j * d + m]
                else:
                    covariances[k, j] += dj * (X[i, j] - means[k, j])
                    if has_scatter:
                        covariances[k, j] += wi * scatter[i, j]
        for k in range(n_clusters):
            if totals[k] <= 0.0:
                continue
            if full:
                for j in range(d):
                    for m in range(j + 1):
                        covariances[k, j * d + m] /= totals[k]
                        covariances[k, m * d + j] = covariances[k, j * d + m]
            else:
                for j in range(d):
                    covariances[k, j] /= totals[k]
