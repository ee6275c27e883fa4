"""Proximal Newton solver for the penalised cumulative logit (PRESTO) objective.

One entry point: build a ``_Problem`` for a training set (standardised data, penalty layout,
kernel scratch buffers), then call ``_Problem.solve(alpha, start)``; ``_Problem.alpha_max``
gives the start of the penalty path.

Solver choice. The loss has no global Lipschitz constant (it blows up where the cumulative
probabilities of a training row cross), and the reference implementation (ordinalNet) uses
Newton-type steps. We use a proximal Newton method: one pass over the samples per iteration
(Cython, `prange` over chunks) gives the loss, the gradient and the block-tridiagonal Hessian;
coordinate descent solves the penalised quadratic model in the (K - 1)(p + 1) parameters (then
an exact solve on its support); a backtracking line search keeps each training row's observed
class at a positive probability. When other non-crossing constraints are active at the optimum,
the method of multipliers reaches it (see ``_Problem.solve``).
We also tried proximal gradient (FISTA) with backtracking: at the tolerance the oracle tests
need (optimality conditions met to 1e-8) it took hundreds to thousands of passes over the data per
penalty, against 3 to 8 for proximal Newton, and the path benchmark at n = 2500, p = 10, K = 4
was an order of magnitude slower. A Newton pass costs O(n p^2 K) instead of O(n p K), which
stays cheaper in practice up to a few hundred features.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skselect.ordinal._links import link_code, quantile
from skselect.ordinal._presto_fast import (
    _cd_quadratic,
    _chunk_bounds,
    _linear_predictor,
    _loss_grad_hess,
    _objective,
)

# Line-search constants: sufficient decrease (Armijo) and how often a step may be halved
# before the iterate is declared stuck on the boundary of the feasible region (ordinalNet
# halves at most 10 times and then keeps the previous iterate; we allow more halvings).
_ARMIJO = 1e-4
_MAX_HALVINGS = 40
# Method of multipliers for the non-crossing constraints (see _Problem.solve): the first
# weight of the augmented terms (per row of weight w, w * rho next to a likelihood curvature
# of at most w / 4 for the logit link), its growth, and the most rounds.
_RHO_START = 1.0
_RHO_GROWTH = 10.0
_RHO_MAX = 1e4
_MAX_ROUNDS = 50
# A round that does not lower the largest violation ends the method; below this violation (in
# linear-predictor units) the result still counts as converged, the rest being closed by the
# final move towards the intercept-only fit.
_FEASIBILITY_FLOOR = 1e-6
_MAX_CD_SWEEPS = 1000
_MIN_ROWS_FOR_THREADS = 20000

# --------------------------------------------------------------------------------------------
# The penalised problem on standardised data
# --------------------------------------------------------------------------------------------


def solve_path(problem, alphas, start=None, *, tol, max_iter):
    """Solve ``problem`` at each penalty of ``alphas`` in turn, each warm-started from the
    previous solution and its non-crossing multipliers; yields (alpha, u, n_iter, converged).

    The one path every fit runs: a single fit is a path of one penalty, the cross-validation
    folds run the whole grid, and the parallel-lines test a path at alpha = 0. ``solve``
    keeps no state between calls beyond what is passed here.
    """
    u, multipliers = start, None
    for alpha in alphas:
        u, n_iter, converged = problem.solve(
            alpha, u, tol=tol, max_iter=max_iter, multipliers=multipliers
        )
        multipliers = problem.last_multipliers
        yield alpha, u, n_iter, converged


class _Problem:
    """Standardised data, penalty layout and the proximal Newton solver for one training set.

    Parameters are held as one vector ``u = [intercepts (K-1), psi_1 (p), ..., psi_(K-1) (p)]``
    on the standardised scale; ``b_k = psi_1 + ... + psi_k``.
    """

    def __init__(
        self,
        X,
        y_codes,
        n_classes,
        sample_weight,
        *,
        standardize,
        fit_intercept,
        l1_ratio,
        first_penalty_factor,
        proportional_odds=False,
        n_threads=1,
        link="logit",
    ):
        n_samples, n_features = X.shape
        self._set_settings(
            y_codes, n_classes, sample_weight, n_features, fit_intercept, l1_ratio, link, n_threads
        )

        # Centring is free when intercepts are fitted (they are unpenalised), and it makes the
        # Newton system far better conditioned; scaling changes the penalty, so only on request.
        mean = self.sample_weight @ X if fit_intercept else np.zeros(n_features)
        if standardize:
            centred_mean = self.sample_weight @ X
            var = self.sample_weight @ (np.asarray(X, dtype=np.float64) - centred_mean) ** 2
            scale = np.sqrt(var)
            # A constant column (up to rounding) carries no information: leave it unscaled.
            tiny = 1e3 * np.finfo(X.dtype).eps * np.maximum(np.abs(centred_mean), 1.0)
            scale[scale <= tiny] = 1.0
        else:
            scale = np.ones(n_features)
        self.mean = np.asarray(mean, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)
        self.X = np.ascontiguousarray((X - self.mean.astype(X.dtype)) / self.scale.astype(X.dtype))

        self._set_penalty_layout(first_penalty_factor, proportional_odds)
        n_boundaries, width = self.n_boundaries, n_features + 1
        n_params = n_boundaries * width

        # Linear map from u to the per-boundary blocks [intercept_k, b_k] the kernel uses.
        to_blocks = np.zeros((n_params, n_params))
        for k in range(n_boundaries):
            to_blocks[k * width, k] = 1.0
            for psi_block in range(k + 1):
                start = n_boundaries + psi_block * n_features
                rows = k * width + 1 + np.arange(n_features)
                to_blocks[rows, start + np.arange(n_features)] = 1.0
        self.to_blocks = to_blocks

        n_chunks, _ = _chunk_bounds(n_samples)
        self._grad = np.zeros((n_chunks, n_boundaries, width))
        self._hess_diag = np.zeros((n_chunks, n_boundaries, width, width))
        self._hess_cross = np.zeros((n_chunks, max(n_boundaries - 1, 1), width, width))
        self._row_buffer = np.zeros((n_chunks, width))
        self._eta_grad = np.zeros((n_chunks, n_boundaries))
        self._eta_hess_diag = np.zeros((n_chunks, n_boundaries))
        self._eta_hess_cross = np.zeros((n_chunks, max(n_boundaries - 1, 1)))
        self._init_constraints(n_samples, n_boundaries)
        self._chunk_sums = np.zeros(n_chunks)
        self._eta = np.zeros((n_samples, n_boundaries))
        self._eta_step = np.zeros((n_samples, n_boundaries))
        self._zeros_eta = np.zeros((n_samples, n_boundaries))

    def _set_settings(
        self,
        y_codes,
        n_classes,
        sample_weight,
        n_features,
        fit_intercept,
        l1_ratio,
        link,
        n_threads,
    ):
        """What every solver of the problem holds besides the data."""
        self.link = link
        self.link_code = link_code(link)
        weights = np.asarray(sample_weight, dtype=np.float64)
        self.sample_weight = weights / weights.sum()
        self.n_features = n_features
        self.n_boundaries = n_classes - 1
        self.fit_intercept = fit_intercept
        self.l1_ratio = l1_ratio
        self.y = np.ascontiguousarray(y_codes, dtype=np.intp)
        if len(self.y) < _MIN_ROWS_FOR_THREADS:
            # On top of the package's rule (_kernel_n_threads): a Newton iteration runs
            # several short passes, each with its own OpenMP barrier, so below this many rows
            # one thread is faster (measured: 10x slower CV runs with 2 threads on a busy
            # machine at n = 2500).
            n_threads = 1
        self.n_threads = n_threads

    def _set_penalty_layout(self, first_penalty_factor, proportional_odds):
        """Per-coordinate penalty factors and the coordinates held at zero."""
        n_boundaries, n_features = self.n_boundaries, self.n_features
        n_params = n_boundaries * (n_features + 1)
        factors = np.zeros(n_params)
        fixed = np.zeros(n_params, dtype=bool)
        psi_factors = np.ones((n_boundaries, n_features))
        psi_factors[0] = first_penalty_factor
        factors[n_boundaries:] = psi_factors.ravel()
        if not self.fit_intercept:
            fixed[:n_boundaries] = True
        if proportional_odds:
            fixed[n_boundaries + n_features :] = True
        self.factors, self.fixed = factors, fixed

    # -- parameter bookkeeping ---------------------------------------------------------------

    def split(self, u):
        """(intercepts, cumulative weights b (K-1, p), differences psi), standardised scale."""
        intercepts = u[: self.n_boundaries]
        psi = u[self.n_boundaries :].reshape(self.n_boundaries, self.n_features)
        return intercepts, np.cumsum(psi, axis=0), psi

    def unstandardize(self, u):
        """Coefficients on the original scale: (intercept_, coef_, coef_diff_)."""
        intercepts, coef_std, psi = self.split(u)
        coef = coef_std / self.scale
        # The intercept of boundary k absorbs the centring through the *cumulative* weights
        # b_k, not through psi_k (defect 2 of the reference code).
        intercept = intercepts - coef @ self.mean
        return intercept, coef, psi / self.scale

    def initial(self):
        """The intercept-only fit: the link's quantiles of the cumulative class frequencies."""
        u = np.zeros(self.n_boundaries * (self.n_features + 1))
        if self.fit_intercept:
            freq = np.bincount(self.y, weights=self.sample_weight, minlength=self.n_boundaries + 1)
            cumulative = np.clip(np.cumsum(freq)[:-1], 1e-12, 1 - 1e-12)
            u[: self.n_boundaries] = np.clip(quantile(cumulative, self.link), -100, 100)
        return u

    def linear_predictor(self, u, out):
        intercepts, coef, _ = self.split(u)
        _linear_predictor(
            self.X, np.ascontiguousarray(coef), intercepts.copy(), out, self.n_threads
        )
        return out

    def loss(self, u):
        eta = self.linear_predictor(u, self._eta)
        return _objective(
            eta,
            self._zeros_eta,
            0.0,
            self.y,
            self.sample_weight,
            self.multiplier,
            self.rho,
            self._chunk_sums,
            self.n_threads,
            self.link_code,
        )

    def gradient_hessian(self, eta):
        """Loss, gradient and Hessian in u at the linear predictor eta."""
        for buffer in (self._grad, self._hess_diag, self._hess_cross):
            buffer.fill(0.0)
        loss = _loss_grad_hess(
            self.X,
            eta,
            self.y,
            self.sample_weight,
            self.multiplier,
            self.rho,
            self._grad,
            self._hess_diag,
            self._hess_cross,
            self._row_buffer,
            self._eta_grad,
            self._eta_hess_diag,
            self._eta_hess_cross,
            self._chunk_sums,
            self.n_threads,
            self.link_code,
        )
        n_boundaries, width = self.n_boundaries, self.n_features + 1
        grad_blocks = self._grad.sum(axis=0).ravel()
        diag = self._hess_diag.sum(axis=0)
        cross = self._hess_cross.sum(axis=0)
        hess_blocks = np.zeros((n_boundaries * width, n_boundaries * width))
        for k in range(n_boundaries):
            block = slice(k * width, (k + 1) * width)
            lower = np.tril(diag[k])
            hess_blocks[block, block] = lower + np.tril(lower, -1).T
            if k + 1 < n_boundaries:
                lower = np.tril(cross[k])
                full = lower + np.tril(lower, -1).T
                nxt = slice((k + 1) * width, (k + 2) * width)
                hess_blocks[block, nxt] = full
                hess_blocks[nxt, block] = full
        to_blocks = self.to_blocks
        gradient = to_blocks.T @ grad_blocks
        hessian = np.ascontiguousarray(to_blocks.T @ hess_blocks @ to_blocks)
        return loss, gradient, hessian

    # -- the solver ----------------------------------------------------------------------------

    def penalty_weights(self, alpha):
        l1 = alpha * self.l1_ratio * self.factors
        l2 = alpha * (1.0 - self.l1_ratio) * self.factors
        l1[self.fixed] = 0.0
        l2[self.fixed] = 0.0
        return l1, l2

    @staticmethod
    def _penalty(u, l1, l2):
        return float(l1 @ np.abs(u) + 0.5 * (l2 @ (u * u)))

    def solve(self, alpha, u_start=None, *, tol=1e-8, max_iter=10000, multipliers=None):
        """Minimise the objective at alpha with no training row crossing.

        Returns (u, n_iter, converged) and leaves the constraint multipliers in
        ``last_multipliers`` (None when no constraint is active), which the next point of a
        path passes back as ``multipliers``.

        Proximal Newton on the penalised likelihood, which by itself keeps apart the two
        boundaries around each row's observed class, usually ends where no training row
        crosses: that is the optimum. Otherwise other non-crossing constraints are active at
        the optimum, and the method of multipliers (augmented Lagrangian; Nocedal and Wright,
        Numerical Optimization, 2006, section 17.4) reaches it: each round minimises the
        objective plus w_i / (2 rho) (max(0, lambda - rho gap)^2 - lambda^2) for every
        constraint gap >= 0 with the same proximal Newton method, then sets
        lambda <- max(0, lambda - rho gap), and raises rho tenfold (up to 1e4) when the largest
        violation did not fall by four; it stops when no gap is below -tol, or when a round no
        longer lowers the violation (the precision of the inner solves). Unlike a log-barrier
        path, whose rounds each start afresh, a round needs a few Newton steps, and the
        previous point's multipliers are a warm start. Last, the iterate moves towards the
        intercept-only fit (which meets the constraints strictly; they are linear in u) just
        far enough that no training row crosses.
        """
        self.rho = 0.0
        self.multiplier.fill(0.0)
        self.last_multipliers = None
        total = 0
        u = u_start
        if multipliers is None or not np.any(multipliers):
            u, total, status = self._newton(alpha, u_start, tol, max_iter)
            # A Newton run that stops converged or stalled leaves eta(u) in self._eta.
            if status == "max_iter" or self._gap_violation(self._eta) <= 0.0:
                return u, total, status != "max_iter"
        else:
            self.multiplier[...] = np.where(self._constrained, multipliers, 0.0)
        rho, previous, converged = _RHO_START, np.inf, False
        # A multiplier update moves the model's gradient by about w rho violation (per unit
        # feature); an inner tolerance above that would leave u, hence the violation, unchanged.
        smallest_weight = float(self.sample_weight[self.sample_weight > 0].min())
        for _ in range(_MAX_ROUNDS):
            self.rho = rho
            inner_tol = min(tol, 0.1 * rho * smallest_weight * previous)
            u, n_iter, status = self._newton(alpha, u, inner_tol, max(max_iter - total, 1))
            total += n_iter
            gaps = self._gaps(u)
            violation = float(np.max(-gaps, where=self._constrained, initial=0.0))
            np.maximum(self.multiplier - rho * gaps, 0.0, out=self.multiplier)
            self.multiplier[~self._constrained] = 0.0
            if status == "max_iter" or total >= max_iter:
                break
            if violation <= tol:
                converged = True
                break
            if violation >= previous:
                # No progress: the rounds have reached the precision at which the objective
                # still resolves a Newton step (a larger rho only degrades the inner solves).
                converged = violation <= _FEASIBILITY_FLOOR
                break
            if violation > 0.25 * previous:
                rho = min(rho * _RHO_GROWTH, _RHO_MAX)
            previous = violation
        if np.any(self.multiplier):
            self.last_multipliers = self.multiplier.copy()
        self.rho = 0.0
        self.multiplier.fill(0.0)
        return self._restore_feasibility(u), min(total, max_iter), converged

    def _init_constraints(self, n_samples, n_boundaries):
        """The non-crossing constraints eta_k - eta_(k-1) >= 0 that the likelihood does not
        enforce: every adjacent pair of a training row except the pair around its class."""
        k = np.arange(n_boundaries)[None, :]
        self._constrained = (k >= 1) & (k != self.y[:, None]) & (self.sample_weight[:, None] > 0)
        # Multipliers (entry k: the pair k - 1, k) and weight of the augmented Lagrangian terms;
        # rho = 0 leaves the likelihood alone.
        self.multiplier = np.zeros((n_samples, n_boundaries))
        self.rho = 0.0
        self.last_multipliers = None

    def _gaps(self, u, out=None):
        """eta_k - eta_(k-1) on every row (column 0 is zero)."""
        eta = self.linear_predictor(u, self._eta if out is None else out)
        gaps = np.zeros_like(eta)
        gaps[:, 1:] = np.diff(eta, axis=1)
        return gaps

    def _violation(self, u):
        return self._gap_violation(self.linear_predictor(u, self._eta))

    def _gap_violation(self, eta):
        """Largest amount by which a constrained adjacent pair of eta crosses (0: none)."""
        if eta.shape[1] < 2:
            return 0.0
        gaps = eta[:, 1:] - eta[:, :-1]
        return float(max(np.max(-gaps, where=self._constrained[:, 1:], initial=0.0), 0.0))

    def _restore_feasibility(self, u, margin=1e-12):
        """The point on the segment from u to the intercept-only fit nearest u where every
        constraint holds with this margin (the constraints are linear in u). Rows where that
        fit itself does not meet the margin (no intercepts) keep the method's tolerance."""
        gaps = self._gaps(u)
        short = self._constrained & (gaps < margin)
        if not short.any():
            return u
        start = self.initial()
        start_gaps = self._gaps(start, out=self._eta_step)
        short &= start_gaps >= margin
        if not short.any():
            return u
        fraction = float(np.max((margin - gaps[short]) / (start_gaps[short] - gaps[short])))
        return (1.0 - fraction) * u + fraction * start

    def _newton(self, alpha, u_start, tol, max_iter):
        """Proximal Newton iterations; status is "converged", "stalled" or "max_iter"."""
        l1, l2 = self.penalty_weights(alpha)
        l1_cd = np.where(self.fixed, np.inf, l1)
        u = self.initial() if u_start is None else np.array(u_start, dtype=np.float64)
        u[self.fixed] = 0.0
        loss = self.loss(u)
        if not np.isfinite(loss):
            # A warm start can be infeasible on new data (another fold): start afresh.
            u = self.initial()
            loss = self.loss(u)
        objective = loss + self._penalty(u, l1, l2)
        residual = np.empty_like(u)
        eta = self._eta
        for n_iter in range(1, max_iter + 1):
            self.linear_predictor(u, eta)
            _, gradient, hessian = self.gradient_hessian(eta)
            violation = self._optimality_violation(u, gradient, l1, l2)
            if violation <= tol:
                return u, n_iter, "converged"
            target = u.copy()
            # Inexact Newton: solve the quadratic model more accurately as the iterate nears
            # the optimum (a model change of violation**2 is what the step is worth), which
            # keeps the outer convergence superlinear without wasting sweeps early on.
            inner_tol = max(1e-4 * violation * violation, 1e-300)
            _cd_quadratic(
                hessian, gradient, u, l1_cd, l2, target, residual, _MAX_CD_SWEEPS, inner_tol
            )
            self._polish(target, u, gradient, hessian, l1, l2)
            direction = target - u
            predicted = float(gradient @ direction) + self._penalty(target, l1, l2)
            predicted -= self._penalty(u, l1, l2)
            if not np.any(direction) or predicted >= 0.0:
                # The quadratic model sees no descent: optimal up to rounding.
                return u, n_iter, "converged"
            u, objective, status = self._line_search(u, direction, objective, predicted, l1, l2)
            if status is not None:
                return u, n_iter, status
        return u, max_iter, "max_iter"

    def _line_search(self, u, direction, objective, predicted, l1, l2):
        """Backtracking along the proximal Newton direction (a step where a training row's
        observed class gets probability 0 is refused). Returns (u, objective, status): status
        None when the step was taken, "stalled" when no step decreases the objective."""
        self.linear_predictor(direction, self._eta_step)
        eta = self._eta
        step = 1.0
        for _ in range(_MAX_HALVINGS):
            loss_new = _objective(
                eta,
                self._eta_step,
                step,
                self.y,
                self.sample_weight,
                self.multiplier,
                self.rho,
                self._chunk_sums,
                self.n_threads,
                self.link_code,
            )
            candidate = u + step * direction
            objective_new = loss_new + self._penalty(candidate, l1, l2)
            # Strict decrease: at a tiny step the Armijo bound rounds to the objective itself,
            # and an unchanged iterate would be "accepted" forever.
            if objective_new < objective and (
                objective_new <= objective + _ARMIJO * step * predicted
            ):
                break
            step *= 0.5
        else:
            # No decrease along the Newton direction: optimal up to rounding.
            return u, objective, "stalled"
        if np.array_equal(candidate, u):
            return u, objective, "stalled"
        return candidate, objective_new, None

    def _polish(self, target, u, gradient, hessian, l1, l2):
        """Solve the quadratic model exactly on the support coordinate descent found.

        Coordinate descent converges slowly when the Hessian is ill conditioned (strongly
        correlated boundaries, a large augmented Lagrangian weight on active constraints).
        With the support and signs fixed the model is a linear system; its solution replaces
        the CD iterate when it keeps those signs, which makes the Newton step exact.
        """
        support = (target != 0) & ~self.fixed
        if not support.any():
            return
        signs = np.sign(target[support])
        rhs = hessian[support] @ u - gradient[support] - l1[support] * signs
        system = hessian[np.ix_(support, support)] + np.diag(l2[support])
        try:
            solution = np.linalg.solve(system, rhs)
        except np.linalg.LinAlgError:
            return
        penalised = l1[support] > 0
        if np.all(np.isfinite(solution)) and np.all(
            np.sign(solution[penalised]) == signs[penalised]
        ):
            target[support] = solution

    def _optimality_violation(self, u, gradient, l1, l2):
        """Largest violation of the KKT conditions (units of the mean log-likelihood gradient)."""
        smooth = gradient + l2 * u
        at_zero = u == 0
        violation = np.where(
            at_zero, np.maximum(np.abs(smooth) - l1, 0.0), np.abs(smooth + l1 * np.sign(u))
        )
        violation[self.fixed] = 0.0
        return float(violation.max()) if violation.size else 0.0

    def alpha_max(self):
        """Smallest alpha at which every penalised coefficient is zero (ordinalNet's lambda_max)."""
        penalised = (self.factors > 0) & ~self.fixed
        if not penalised.any():
            return None
        # The unpenalised coordinates (intercepts; b_1 when first_penalty_factor == 0) are fitted
        # with every penalised one held at zero.
        saved = self.fixed
        self.fixed = saved | penalised
        u, _, _ = self.solve(0.0)
        self.fixed = saved
        _, gradient, _ = self.gradient_hessian(self.linear_predictor(u, self._eta))
        ratio = np.abs(gradient[penalised]) / (self.factors[penalised] * max(self.l1_ratio, 0.01))
        return float(ratio.max()), u
