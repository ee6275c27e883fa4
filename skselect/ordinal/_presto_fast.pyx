# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

# Kernels for the PRESTO cumulative-logit fit.
#
# The solver is a proximal Newton method: the Python driver (_presto.py) asks for the loss, the
# gradient and the Hessian of the mean negative log-likelihood (one pass over the samples,
# `_loss_grad_hess`), solves the penalised quadratic model by cyclic coordinate descent
# (`_cd_quadratic`), and backtracks along the Newton direction with `_objective`, which
# returns +inf where a training row's observed class gets probability 0. The other
# non-crossing constraints enter through augmented Lagrangian terms (multipliers and a weight
# rho), which every derivative kernel adds as well.
#
# Determinism: every pass over samples splits the rows into chunks whose boundaries depend on
# n_samples only; each chunk accumulates into its own slice of a scratch buffer and the slices
# are summed in chunk order afterwards, so results never depend on the number of threads.

from cython cimport floating
from cython.parallel cimport prange
from libc.math cimport atan2, erfc, exp, expm1, log, log1p, sqrt, tanh, INFINITY, M_PI

# Link codes, in the order of _newton_solver.LINKS. A link is its CDF F, used through four
# functions that keep their relative precision in both tails: log F, log(1 - F), log f and
# (log f)' = f' / f.
cdef enum:
    LOGIT = 0
    PROBIT = 1
    CLOGLOG = 2
    LOGLOG = 3
    CAUCHIT = 4


cdef inline double _sigmoid(double t) noexcept nogil:
    cdef double e
    if t >= 0:
        return 1.0 / (1.0 + exp(-t))
    e = exp(t)
    return e / (1.0 + e)


cdef inline double _log_sigmoid(double t) noexcept nogil:
    if t >= 0:
        return -log1p(exp(-t))
    return t - log1p(exp(t))


cdef inline double _log1mexp(double x) noexcept nogil:
    """log(1 - exp(x)) for x <= 0, accurate on both sides of -log 2 (Maechler 2012)."""
    if x > -0.6931471805599453:
        return log(-expm1(x))
    return log1p(-exp(x))


cdef inline double _log_ndtr(double t) noexcept nogil:
    """log Phi(t) for the standard normal CDF Phi, to full relative precision.

    Phi(t) = erfc(-t / sqrt 2) / 2 has full relative precision for t down to about -37; below,
    where erfc underflows, the asymptotic series of the Mills ratio (five terms: a relative
    error below 1e-13 there) gives log Phi(t) directly.
    """
    cdef double z, z2
    if t > 0.0:
        return log1p(-0.5 * erfc(t / sqrt(2.0)))
    if t > -37.0:
        return log(0.5 * erfc(-t / sqrt(2.0)))
    z2 = 1.0 / (t * t)
    z = 1.0 - z2 * (1.0 - z2 * (3.0 - z2 * (15.0 - z2 * 105.0)))
    return -0.5 * t * t - log(-t) - 0.9189385332046728 + log(z)


cdef inline double _log_cdf(double t, int link) noexcept nogil:
    """log F(t)."""
    if link == PROBIT:
        return _log_ndtr(t)
    if link == CLOGLOG:  # F(t) = 1 - exp(-exp(t))
        return _log1mexp(-exp(t))
    if link == LOGLOG:  # F(t) = exp(-exp(-t))
        return -exp(-t)
    if link == CAUCHIT:  # F(t) = 1/2 + atan(t) / pi, written so that both tails keep precision
        return log(atan2(1.0, -t)) - log(M_PI)
    return _log_sigmoid(t)


cdef inline double _log_sf(double t, int link) noexcept nogil:
    """log(1 - F(t))."""
    if link == PROBIT:
        return _log_ndtr(-t)
    if link == CLOGLOG:
        return -exp(t)
    if link == LOGLOG:
        return _log1mexp(-exp(-t))
    if link == CAUCHIT:
        return log(atan2(1.0, t)) - log(M_PI)
    return _log_sigmoid(-t)


cdef inline double _log_pdf(double t, int link) noexcept nogil:
    """log f(t), f = F'."""
    if link == PROBIT:
        return -0.5 * t * t - 0.9189385332046728
    if link == CLOGLOG:
        return t - exp(t)
    if link == LOGLOG:
        return -t - exp(-t)
    if link == CAUCHIT:
        return -log(M_PI) - log1p(t * t)
    return _log_sigmoid(t) + _log_sigmoid(-t)


cdef inline double _score(double t, int link) noexcept nogil:
    """f'(t) / f(t)."""
    if link == PROBIT:
        return -t
    if link == CLOGLOG:
        return 1.0 - exp(t)
    if link == LOGLOG:
        return exp(-t) - 1.0
    if link == CAUCHIT:
        return -2.0 * t / (1.0 + t * t)
    return -tanh(0.5 * t)


cdef inline double _log_prob_between(double a, double b, int link) noexcept nogil:
    """log(F(a) - F(b)) for a > b: a difference of the two lower tails where F(b) < 1/2, of
    the two upper tails otherwise, so that neither cancels against a value near 1."""
    cdef double log_fb = _log_cdf(b, link)
    if log_fb < -0.6931471805599453:
        return _log_cdf(a, link) + _log1mexp(log_fb - _log_cdf(a, link))
    return _log_sf(b, link) + _log1mexp(_log_sf(a, link) - _log_sf(b, link))


cdef inline double _row_nll(double a, double b, Py_ssize_t c, Py_ssize_t n_boundaries,
                            int link) noexcept nogil:
    """-log P(y = c) with a the upper and b the lower linear predictor (+inf: infeasible)."""
    if c == 0:
        return -(_log_sigmoid(a) if link == LOGIT else _log_cdf(a, link))
    if c == n_boundaries:
        return -(_log_sigmoid(-b) if link == LOGIT else _log_sf(b, link))
    if not a > b:
        return INFINITY
    if link == LOGIT:
        return -(_log_sigmoid(a) + _log_sigmoid(-b) + log(-expm1(b - a)))
    return -_log_prob_between(a, b, link)


cdef inline bint _row_terms_link(
    const double[:, ::1] eta,
    Py_ssize_t i,
    Py_ssize_t n_boundaries,
    Py_ssize_t c,
    int link,
    double *nll,
    double *grad_upper,
    double *grad_lower,
    double *hess_upper,
    double *hess_lower,
    double *hess_cross,
) noexcept nogil:
    """_row_terms for any link: P = F(a) - F(b) and, with ra = f(a) / P, rb = f(b) / P,

    d(-log P)/da = -ra, d(-log P)/db = rb, and the Hessian -grad^2 P / P + grad P grad P' / P^2
    = [[-s(a) ra + ra^2, -ra rb], [-ra rb, s(b) rb + rb^2]] with s = f' / f. For log-concave F
    (logit, probit, cloglog, loglog) it is positive semi-definite. The Cauchy CDF is not
    log-concave, so for the cauchit link the curvature terms -s(a) ra and s(b) rb are clipped
    at zero: the proximal Newton model then stays convex (a positive semi-definite
    approximation; the line search and the optimality test are on the exact objective).
    """
    cdef double a = 0.0, b = 0.0, log_p, ra = 0.0, rb = 0.0, curv
    nll[0] = 0.0
    grad_upper[0] = 0.0
    grad_lower[0] = 0.0
    hess_upper[0] = 0.0
    hess_lower[0] = 0.0
    hess_cross[0] = 0.0
    if c < n_boundaries:
        a = eta[i, c]
    if c > 0:
        b = eta[i, c - 1]
    if c == 0:
        log_p = _log_cdf(a, link)
    elif c == n_boundaries:
        log_p = _log_sf(b, link)
    else:
        if not a > b:
            return False
        log_p = _log_prob_between(a, b, link)
    nll[0] = -log_p
    if c < n_boundaries:
        ra = exp(_log_pdf(a, link) - log_p)
        curv = -_score(a, link) * ra
        if link == CAUCHIT and curv < 0.0:
            curv = 0.0
        grad_upper[0] = -ra
        hess_upper[0] = curv + ra * ra
    if c > 0:
        rb = exp(_log_pdf(b, link) - log_p)
        curv = _score(b, link) * rb
        if link == CAUCHIT and curv < 0.0:
            curv = 0.0
        grad_lower[0] = rb
        hess_lower[0] = curv + rb * rb
    hess_cross[0] = -ra * rb
    return True


cdef inline bint _row_terms(
    const double[:, ::1] eta,
    Py_ssize_t i,
    Py_ssize_t n_boundaries,
    Py_ssize_t c,
    double *nll,
    double *grad_upper,
    double *grad_lower,
    double *hess_upper,
    double *hess_lower,
    double *hess_cross,
) noexcept nogil:
    """Loss, gradient and Hessian of -log P(y = c | eta_i) in the two boundaries it touches.

    The observed class c (0-based) lies between boundary c - 1 (lower, eta = b) and boundary
    c (upper, eta = a). P = sigmoid(a) - sigmoid(b) is evaluated as
    sigmoid(a) * sigmoid(-b) * (1 - exp(b - a)) so that it keeps its relative precision when
    both cumulative probabilities are close to 0 or to 1. Returns False when the row is
    infeasible (a <= b, so that the observed class has probability 0).
    """
    cdef double a, b, fa, fb, ra, rb, gap
    nll[0] = 0.0
    grad_upper[0] = 0.0
    grad_lower[0] = 0.0
    hess_upper[0] = 0.0
    hess_lower[0] = 0.0
    hess_cross[0] = 0.0
    if c == 0:
        a = eta[i, 0]
        fa = _sigmoid(a)
        nll[0] = -_log_sigmoid(a)
        ra = _sigmoid(-a)  # f(a) / P with P = sigmoid(a)
        grad_upper[0] = -ra
        hess_upper[0] = fa * ra
        return True
    if c == n_boundaries:
        b = eta[i, n_boundaries - 1]
        rb = _sigmoid(b)  # f(b) / P with P = sigmoid(-b)
        nll[0] = -_log_sigmoid(-b)
        grad_lower[0] = rb
        hess_lower[0] = rb * (1.0 - rb)
        return True
    a = eta[i, c]
    b = eta[i, c - 1]
    if not a > b:
        return False
    gap = -expm1(b - a)
    nll[0] = -(_log_sigmoid(a) + _log_sigmoid(-b) + log(gap))
    fa = _sigmoid(a)
    fb = _sigmoid(b)
    ra = _sigmoid(-a) / (_sigmoid(-b) * gap)
    rb = fb / (fa * gap)
    grad_upper[0] = -ra
    grad_lower[0] = rb
    hess_upper[0] = -(1.0 - 2.0 * fa) * ra + ra * ra
    hess_lower[0] = (1.0 - 2.0 * fb) * rb + rb * rb
    hess_cross[0] = -ra * rb
    return True


cdef inline double _augmented_term(
    double gap, double multiplier, double rho, double w, double *pull
) noexcept nogil:
    """Augmented Lagrangian term of one non-crossing constraint gap >= 0 (weight w):
    w / (2 rho) (max(0, multiplier - rho gap)^2 - multiplier^2). Its derivative in the gap is
    -w * pull, with pull = max(0, multiplier - rho gap)."""
    cdef double shifted = multiplier - rho * gap
    pull[0] = shifted if shifted > 0.0 else 0.0
    return w * (pull[0] * pull[0] - multiplier * multiplier) / (2.0 * rho)


cdef inline double _row_eta_terms(
    const double[:, ::1] eta,
    Py_ssize_t i,
    Py_ssize_t c,
    double w,
    const double[:, ::1] multiplier,
    double rho,
    int link,
    double[:, ::1] grad,
    double[:, ::1] hess_diag,
    double[:, ::1] hess_cross,
    Py_ssize_t row,
) noexcept nogil:
    """Weighted loss of sample i (class c, weight w, with the augmented Lagrangian terms); its
    gradient and tridiagonal Hessian in the linear predictors overwrite row `row` of grad,
    hess_diag and hess_cross (the upper diagonal: entry k couples boundaries k and k + 1)."""
    cdef Py_ssize_t n_boundaries = eta.shape[1], k
    cdef double nll = 0.0, g_up = 0.0, g_lo = 0.0, h_up = 0.0, h_lo = 0.0, h_x = 0.0
    cdef double total, pull
    for k in range(n_boundaries):
        grad[row, k] = 0.0
        hess_diag[row, k] = 0.0
        if k + 1 < n_boundaries:
            hess_cross[row, k] = 0.0
    if w == 0.0:
        return 0.0
    if link == LOGIT:
        _row_terms(eta, i, n_boundaries, c, &nll, &g_up, &g_lo, &h_up, &h_lo, &h_x)
    else:
        _row_terms_link(eta, i, n_boundaries, c, link, &nll, &g_up, &g_lo, &h_up, &h_lo, &h_x)
    total = w * nll
    if c < n_boundaries:
        grad[row, c] += w * g_up
        hess_diag[row, c] += w * h_up
    if c > 0:
        grad[row, c - 1] += w * g_lo
        hess_diag[row, c - 1] += w * h_lo
    if 0 < c < n_boundaries:
        hess_cross[row, c - 1] += w * h_x
    if rho > 0.0:
        for k in range(1, n_boundaries):
            if k == c:
                continue
            total = total + _augmented_term(
                eta[i, k] - eta[i, k - 1], multiplier[i, k], rho, w, &pull
            )
            if pull > 0.0:
                grad[row, k] -= w * pull
                grad[row, k - 1] += w * pull
                hess_diag[row, k] += w * rho
                hess_diag[row, k - 1] += w * rho
                hess_cross[row, k - 1] -= w * rho
    return total


def _chunk_bounds(Py_ssize_t n_samples, Py_ssize_t max_chunks=32, Py_ssize_t min_rows=256):
    """Number of chunks and rows per chunk; a function of n_samples only."""
    cdef Py_ssize_t n_chunks = (n_samples + min_rows - 1) // min_rows
    n_chunks = max(1, min(n_chunks, max_chunks))
    return n_chunks, (n_samples + n_chunks - 1) // n_chunks


def _linear_predictor(
    const floating[:, ::1] X,        # IN (n_samples, n_features)
    const double[:, ::1] coef,       # IN (n_boundaries, n_features)
    const double[::1] intercept,     # IN (n_boundaries,)
    double[:, ::1] eta,              # OUT (n_samples, n_boundaries)
    int n_threads,
):
    """eta[i, k] = intercept[k] + X[i] . coef[k]."""
    cdef Py_ssize_t n_samples = X.shape[0], n_features = X.shape[1]
    cdef Py_ssize_t n_boundaries = coef.shape[0]
    cdef Py_ssize_t n_chunks, chunk_size, chunk, i, j, k, start, stop
    cdef double acc
    n_chunks, chunk_size = _chunk_bounds(n_samples)
    with nogil:
        for chunk in prange(n_chunks, num_threads=n_threads, schedule="static"):
            start = chunk * chunk_size
            stop = min(start + chunk_size, n_samples)
            for i in range(start, stop):
                for k in range(n_boundaries):
                    acc = intercept[k]
                    for j in range(n_features):
                        acc = acc + X[i, j] * coef[k, j]
                    eta[i, k] = acc


def _objective(
    const double[:, ::1] eta,        # IN (n_samples, n_boundaries) current linear predictor
    const double[:, ::1] eta_step,   # IN (n_samples, n_boundaries) change along the direction
    double step,                     # IN evaluate at eta + step * eta_step
    const Py_ssize_t[::1] y,         # IN (n_samples,) class codes 0..n_boundaries
    const double[::1] sample_weight,  # IN (n_samples,) summing to one
    const double[:, ::1] multiplier,  # IN (n_samples, n_boundaries) non-crossing multipliers
    double rho,                       # IN augmented Lagrangian weight (0: likelihood only)
    double[::1] chunk_sums,           # OUT scratch (max chunks,)
    int n_threads,
    int link=0,                       # IN 0 logit, 1 probit, 2 cloglog, 3 loglog, 4 cauchit
):
    """Weighted mean negative log-likelihood at eta + step * eta_step; +inf where a training row
    (weight > 0) gives its observed class a probability of 0 (its two linear predictors cross).

    The other adjacent pairs of a row may cross here: the likelihood does not see them. The
    solver keeps them non-decreasing by an augmented Lagrangian (rho > 0): for the constraint
    eta_k - eta_(k-1) >= 0 with multiplier lambda (entry k of the row; entry 0 unused) it adds
    weight / (2 rho) (max(0, lambda - rho gap)^2 - lambda^2).
    """
    cdef Py_ssize_t n_samples = eta.shape[0], n_boundaries = eta.shape[1]
    cdef Py_ssize_t n_chunks, chunk_size, chunk, i, k, c, start, stop
    cdef double acc, a, b, term, pull
    cdef bint feasible
    n_chunks, chunk_size = _chunk_bounds(n_samples)
    with nogil:
        for chunk in prange(n_chunks, num_threads=n_threads, schedule="static"):
            start = chunk * chunk_size
            stop = min(start + chunk_size, n_samples)
            acc = 0.0
            feasible = True
            for i in range(start, stop):
                if sample_weight[i] == 0.0:
                    # Rows of weight 0 are not training data: no term, no constraint.
                    continue
                c = y[i]
                if rho > 0.0:
                    for k in range(1, n_boundaries):
                        if k == c:
                            continue  # the likelihood below keeps this pair apart
                        acc = acc + _augmented_term(
                            (eta[i, k] + step * eta_step[i, k])
                            - (eta[i, k - 1] + step * eta_step[i, k - 1]),
                            multiplier[i, k],
                            rho,
                            sample_weight[i],
                            &pull,
                        )
                a = 0.0
                b = 0.0
                if c < n_boundaries:
                    a = eta[i, c] + step * eta_step[i, c]
                if c > 0:
                    b = eta[i, c - 1] + step * eta_step[i, c - 1]
                term = _row_nll(a, b, c, n_boundaries, link)
                if term == INFINITY:
                    feasible = False
                else:
                    acc = acc + sample_weight[i] * term
            chunk_sums[chunk] = acc if feasible else INFINITY
    total = 0.0
    for chunk in range(n_chunks):
        total += chunk_sums[chunk]
    return total


def _loss_grad_hess(
    const floating[:, ::1] X,            # IN (n_samples, n_features)
    const double[:, ::1] eta,            # IN (n_samples, n_boundaries), finite loss
    const Py_ssize_t[::1] y,             # IN (n_samples,) class codes 0..n_boundaries
    const double[::1] sample_weight,     # IN (n_samples,) summing to one
    const double[:, ::1] multiplier,     # IN non-crossing multipliers, as in _objective
    double rho,                          # IN augmented Lagrangian weight, as in _objective
    double[:, :, ::1] grad,              # OUT (chunks, n_boundaries, n_features + 1)
    double[:, :, :, ::1] hess_diag,      # OUT (chunks, n_boundaries, n_features + 1, same)
    double[:, :, :, ::1] hess_cross,     # OUT (chunks, max(n_boundaries - 1, 1), same, same)
    double[:, ::1] row_buffer,           # OUT scratch (chunks, n_features + 1)
    double[:, ::1] eta_grad,             # OUT scratch (chunks, n_boundaries)
    double[:, ::1] eta_hess_diag,        # OUT scratch (chunks, n_boundaries)
    double[:, ::1] eta_hess_cross,       # OUT scratch (chunks, max(n_boundaries - 1, 1))
    double[::1] chunk_sums,              # OUT scratch (chunks,)
    int n_threads,
    int link=0,                          # IN link code, as in _objective
):
    """Loss, gradient and Hessian with respect to (intercept_k, coef_k) for every boundary k.

    Only the lower triangles of the Hessian blocks are filled. Per row, the derivatives in the
    linear predictors form a tridiagonal matrix (the likelihood touches the two boundaries
    around the observed class, a constraint term touches one adjacent pair), so the Hessian is
    block tridiagonal: diagonal blocks per boundary and cross blocks between boundaries k and
    k + 1. Each chunk writes its own slice of the outputs; the caller sums them over the first
    axis in chunk order.
    """
    cdef Py_ssize_t n_samples = X.shape[0], n_features = X.shape[1]
    cdef Py_ssize_t n_boundaries = eta.shape[1], width = n_features + 1
    cdef Py_ssize_t n_chunks, chunk_size, chunk, i, j, k, u, v, start, stop
    cdef double w, acc, xu, value
    n_chunks, chunk_size = _chunk_bounds(n_samples)
    with nogil:
        for chunk in prange(n_chunks, num_threads=n_threads, schedule="static"):
            start = chunk * chunk_size
            stop = min(start + chunk_size, n_samples)
            acc = 0.0
            row_buffer[chunk, 0] = 1.0
            for i in range(start, stop):
                w = sample_weight[i]
                if w == 0.0:
                    continue
                acc = acc + _row_eta_terms(
                    eta,
                    i,
                    y[i],
                    w,
                    multiplier,
                    rho,
                    link,
                    eta_grad,
                    eta_hess_diag,
                    eta_hess_cross,
                    chunk,
                )
                for j in range(n_features):
                    row_buffer[chunk, j + 1] = X[i, j]
                for k in range(n_boundaries):
                    value = eta_grad[chunk, k]
                    if value != 0.0:
                        for u in range(width):
                            grad[chunk, k, u] += value * row_buffer[chunk, u]
                    value = eta_hess_diag[chunk, k]
                    if value != 0.0:
                        for u in range(width):
                            xu = value * row_buffer[chunk, u]
                            for v in range(u + 1):
                                hess_diag[chunk, k, u, v] += xu * row_buffer[chunk, v]
                    if k + 1 < n_boundaries:
                        value = eta_hess_cross[chunk, k]
                        if value != 0.0:
                            for u in range(width):
                                xu = value * row_buffer[chunk, u]
                                for v in range(u + 1):
                                    hess_cross[chunk, k, u, v] += xu * row_buffer[chunk, v]
            chunk_sums[chunk] = acc
    total = 0.0
    for chunk in range(n_chunks):
        total += chunk_sums[chunk]
    return total


def _cd_quadratic(
    const double[:, ::1] hessian,    # IN (n_params, n_params), symmetric positive semi-definite
    const double[::1] gradient,      # IN (n_params,) at the expansion point
    const double[::1] center,        # IN (n_params,) the expansion point
    const double[::1] l1,            # IN (n_params,) L1 weights; +inf keeps a coordinate at 0
    const double[::1] l2,            # IN (n_params,) ridge weights (penalty 0.5 * l2 * w**2)
    double[::1] w,                   # IN/OUT (n_params,) start, then the minimiser
    double[::1] residual,            # OUT scratch (n_params,)
    int max_sweeps,
    double tol,
):
    """Cyclic coordinate descent on the penalised quadratic model of the objective.

    Minimises g.(w - c) + 0.5 (w - c)' H (w - c) + sum_j l1_j |w_j| + 0.5 l2_j w_j**2 and
    stops when no coordinate changed the model by more than tol in a sweep (the change of
    coordinate j is measured as H_jj * delta_j**2, i.e. in objective units). Returns the
    number of sweeps.
    """
    cdef Py_ssize_t n_params = hessian.shape[0], j, m
    cdef int sweep = 0
    cdef double z, denom, new, delta, biggest
    with nogil:
        for j in range(n_params):
            residual[j] = gradient[j]
        for j in range(n_params):
            delta = w[j] - center[j]
            if delta != 0.0:
                for m in range(n_params):
                    residual[m] += hessian[m, j] * delta
        while sweep < max_sweeps:
            sweep = sweep + 1
            biggest = 0.0
            for j in range(n_params):
                if l1[j] == INFINITY:
                    new = 0.0
                else:
                    z = hessian[j, j] * w[j] - residual[j]
                    denom = hessian[j, j] + l2[j]
                    if denom <= 0.0:
                        new = w[j]
                    elif z > l1[j]:
                        new = (z - l1[j]) / denom
                    elif z < -l1[j]:
                        new = (z + l1[j]) / denom
                    else:
                        new = 0.0
                delta = new - w[j]
                if delta != 0.0:
                    w[j] = new
                    for m in range(n_params):
                        residual[m] += hessian[m, j] * delta
                    biggest = max(biggest, (hessian[j, j] + l2[j]) * delta * delta)
            if biggest <= tol:
                break
    return sweep


# --------------------------------------------------------------------------------------------
# Wide and sparse data: derivatives in the linear predictors, and coordinate descent on the
# quadratic model without forming the Hessian in the parameters (_wide_solver.py drives them).


def _eta_derivatives(
    const double[:, ::1] eta,            # IN (n_samples, n_boundaries), finite loss
    const Py_ssize_t[::1] y,             # IN (n_samples,) class codes 0..n_boundaries
    const double[::1] sample_weight,     # IN (n_samples,) summing to one
    const double[:, ::1] multiplier,     # IN non-crossing multipliers, as in _objective
    double rho,                          # IN augmented Lagrangian weight, as in _objective
    double[:, ::1] grad,                 # OUT (n_samples, n_boundaries) weighted d loss / d eta
    double[:, ::1] hess_diag,            # OUT (n_samples, n_boundaries) weighted diagonal
    double[:, ::1] hess_cross,           # OUT (n_samples, max(n_boundaries - 1, 1)) (k, k + 1)
    double[::1] chunk_sums,              # OUT scratch (chunks,)
    int n_threads,
    int link=0,                          # IN link code, as in _objective
):
    """Loss and, per row, the weighted gradient and tridiagonal Hessian in the K - 1 linear
    predictors: the same terms as _loss_grad_hess before they are multiplied by the features."""
    cdef Py_ssize_t n_samples = eta.shape[0]
    cdef Py_ssize_t n_chunks, chunk_size, chunk, i, start, stop
    cdef double acc
    n_chunks, chunk_size = _chunk_bounds(n_samples)
    with nogil:
        for chunk in prange(n_chunks, num_threads=n_threads, schedule="static"):
            start = chunk * chunk_size
            stop = min(start + chunk_size, n_samples)
            acc = 0.0
            for i in range(start, stop):
                acc = acc + _row_eta_terms(
                    eta,
                    i,
                    y[i],
                    sample_weight[i],
                    multiplier,
                    rho,
                    link,
                    grad,
                    hess_diag,
                    hess_cross,
                    i,
                )
            chunk_sums[chunk] = acc
    total = 0.0
    for chunk in range(n_chunks):
        total += chunk_sums[chunk]
    return total


cdef inline double _suffix_hessian(
    const double[:, ::1] hess_diag,
    const double[:, ::1] hess_cross,
    Py_ssize_t i,
    Py_ssize_t m,
    Py_ssize_t k,
    Py_ssize_t n_boundaries,
) noexcept nogil:
    """(H_i 1_{>= m})_k: row k of the tridiagonal H_i summed over the columns m, m + 1, ..."""
    cdef double value = 0.0
    if k == m - 1:
        return hess_cross[i, m - 1]
    if k < m:
        return 0.0
    value = hess_diag[i, k]
    if k - 1 >= m:
        value = value + hess_cross[i, k - 1]
    if k + 1 < n_boundaries:
        value = value + hess_cross[i, k]
    return value


def _cd_wide(
    const double[::1] data,              # IN CSC values of X (n_samples, n_features)
    const Py_ssize_t[::1] indices,       # IN CSC row indices
    const Py_ssize_t[::1] indptr,        # IN CSC column pointers (n_features + 1,)
    const double[::1] inv_scale,         # IN (n_features,) 1 / standard deviation
    const double[:, ::1] hess_diag,      # IN (n_samples, n_boundaries) from _eta_derivatives
    const double[:, ::1] hess_cross,     # IN (n_samples, max(n_boundaries - 1, 1))
    const double[:, ::1] suffix_curv,    # IN (n_samples, n_boundaries) 1' H_i[m:, m:] 1
    const double[::1] intercept_curv,    # IN (n_boundaries,) sum_i H_i[k, k]
    double[:, ::1] residual,             # IN/OUT (n_samples, n_boundaries) g + H (eta - eta0)
    const Py_ssize_t[::1] active,        # IN coordinates to update, in the u layout
    const double[::1] l1,                # IN (n_params,) L1 weights
    const double[::1] l2,                # IN (n_params,) ridge weights
    double[::1] w,                       # IN/OUT (n_params,) the iterate
    int max_sweeps,
    double tol,
):
    """Cyclic coordinate descent on the penalised quadratic model in the linear predictors.

    u = [intercepts (K - 1), psi_1 (p), ..., psi_(K-1) (p)]; eta_ik = a_k + sum_(m <= k)
    z_i . psi_m with z = X / scale. The model is sum_i g_i' d_i + d_i' H_i d_i / 2 in the
    changes d_i of the linear predictors; residual holds its gradient g_i + H_i d_i, so a
    coordinate's derivative is a sum over the non-zeros of its feature column and its update
    touches those rows only (an intercept touches every row). Stops when no coordinate changed
    the model by more than tol in a sweep; returns the number of sweeps.
    """
    cdef Py_ssize_t n_samples = residual.shape[0], n_boundaries = residual.shape[1]
    cdef Py_ssize_t n_features = inv_scale.shape[0]
    cdef Py_ssize_t n_active = active.shape[0], a, q, m, j, k, i, nz, lo
    cdef int sweep = 0
    cdef double grad, curv, z, new, delta, biggest, zij, acc
    with nogil:
        while sweep < max_sweeps:
            sweep = sweep + 1
            biggest = 0.0
            for a in range(n_active):
                q = active[a]
                if l1[q] == INFINITY:
                    continue
                if q < n_boundaries:
                    k = q
                    grad = 0.0
                    for i in range(n_samples):
                        grad = grad + residual[i, k]
                    curv = intercept_curv[k]
                else:
                    m = (q - n_boundaries) // n_features
                    j = (q - n_boundaries) - m * n_features
                    grad = 0.0
                    curv = 0.0
                    for nz in range(indptr[j], indptr[j + 1]):
                        i = indices[nz]
                        zij = data[nz] * inv_scale[j]
                        acc = 0.0
                        for k in range(m, n_boundaries):
                            acc = acc + residual[i, k]
                        grad = grad + zij * acc
                        curv = curv + zij * zij * suffix_curv[i, m]
                z = curv * w[q] - grad
                if curv + l2[q] <= 0.0:
                    continue
                if z > l1[q]:
                    new = (z - l1[q]) / (curv + l2[q])
                elif z < -l1[q]:
                    new = (z + l1[q]) / (curv + l2[q])
                else:
                    new = 0.0
                delta = new - w[q]
                if delta == 0.0:
                    continue
                w[q] = new
                biggest = max(biggest, (curv + l2[q]) * delta * delta)
                if q < n_boundaries:
                    k = q
                    for i in range(n_samples):
                        residual[i, k] += delta * hess_diag[i, k]
                        if k > 0:
                            residual[i, k - 1] += delta * hess_cross[i, k - 1]
                        if k + 1 < n_boundaries:
                            residual[i, k + 1] += delta * hess_cross[i, k]
                else:
                    lo = m - 1 if m > 0 else 0
                    for nz in range(indptr[j], indptr[j + 1]):
                        i = indices[nz]
                        zij = delta * data[nz] * inv_scale[j]
                        for k in range(lo, n_boundaries):
                            residual[i, k] += zij * _suffix_hessian(
                                hess_diag, hess_cross, i, m, k, n_boundaries
                            )
            if biggest <= tol:
                break
    return sweep
