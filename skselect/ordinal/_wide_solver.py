"""Proximal Newton for many features and sparse input: the quadratic model is solved by
coordinate descent in the linear predictors, never by forming the Hessian in the parameters.

The dense solver (``_newton_solver._Problem``) builds the (K-1)(p+1) square Hessian, which costs
O(n p^2 K) per Newton step and O(p^2 K^2) memory: right for a few hundred features, impossible
for ten thousand. Here each Newton step computes, per row, the gradient and the tridiagonal
Hessian of the loss in the K - 1 linear predictors (O(n K)); coordinate descent on the
penalised quadratic model then keeps the model's gradient in the linear predictors up to date,
so a coordinate costs O(nnz of its feature column x K) (glmnet's covariance-free updates,
Friedman, Hastie and Tibshirani 2010, as ordinalNet applies them to cumulative models). Only an
active set of coordinates is swept: those that are non-zero or unpenalised, and those whose
model gradient violates the optimality conditions (checked over all coordinates after each
pass). The line search and the method of multipliers for the non-crossing constraints are the
dense solver's.

Sparse X is used as it is (CSC), without centring: centring is a reparametrisation absorbed by
the unpenalised intercepts, so the optimum is the same; scaling (``standardize``) multiplies
each column by its inverse standard deviation inside the kernel.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import scipy.sparse as sp

from skselect.ordinal._newton_solver import _Problem
from skselect.ordinal._presto_fast import _cd_wide, _chunk_bounds, _eta_derivatives

# The dense solver's Hessian has (K-1)(p+1) rows, O(n p^2 K) time per step and memory growing
# as the square. Coordinate descent was already faster from 153 parameters up on a 10-point
# path at n = 2000 (0.16 s against 0.56 s; 0.39 s against 2.3 s at 453), but the dense solver
# keeps small problems: it threads over rows, and the oracle tests and the simulation study
# that validate PRESTO were run on it.
DENSE_MAX_PARAMS = 1000
_MAX_CD_SWEEPS = 1000
_MAX_ACTIVE_SET_ROUNDS = 50
# Largest support whose Hessian the exact solve forms (a dense square of this size).
_MAX_POLISH = 2000


def make_problem(X, y_codes, n_classes, sample_weight, **settings):
    """The solver for this training set: dense Newton for dense X with few parameters,
    coordinate descent in the linear predictors otherwise."""
    n_params = (n_classes - 1) * (X.shape[1] + 1)
    if sp.issparse(X) or n_params > DENSE_MAX_PARAMS:
        return _WideProblem(X, y_codes, n_classes, sample_weight, **settings)
    return _Problem(X, y_codes, n_classes, sample_weight, **settings)


class _WideProblem(_Problem):
    """The ``_Problem`` interface (``solve``, ``alpha_max``, ``loss``, ``split``,
    ``unstandardize``) for wide or sparse X."""

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
        n_boundaries = self.n_boundaries

        # Dense input keeps a dense copy for the two products with all of X per Newton step
        # (BLAS, several times faster than the same product through the CSC copy, which
        # coordinate descent needs column by column).
        self._dense = None if sp.issparse(X) else np.asarray(X, dtype=np.float64)
        X = sp.csc_matrix(X, dtype=np.float64)
        X.sum_duplicates()
        self.X = X
        self._indices = np.asarray(X.indices, dtype=np.intp)
        self._indptr = np.asarray(X.indptr, dtype=np.intp)
        if standardize:
            mean = np.asarray(X.T @ self.sample_weight).ravel()
            second = np.asarray(X.multiply(X).T @ self.sample_weight).ravel()
            var = np.maximum(second - mean * mean, 0.0)
            scale = np.sqrt(var)
            tiny = 1e3 * np.finfo(np.float64).eps * np.maximum(np.abs(mean), 1.0)
            scale[scale <= tiny] = 1.0
        else:
            scale = np.ones(n_features)
        self.mean = np.zeros(n_features)  # no centring (see the module docstring)
        self.scale = scale
        self._inv_scale = 1.0 / scale

        self._set_penalty_layout(first_penalty_factor, proportional_odds)

        n_chunks, _ = _chunk_bounds(n_samples)
        shape = (n_samples, n_boundaries)
        self._chunk_sums = np.zeros(n_chunks)
        self._eta = np.zeros(shape)
        self._eta_step = np.zeros(shape)
        self._zeros_eta = np.zeros(shape)
        self._grad_eta = np.zeros(shape)
        self._hess_diag = np.zeros(shape)
        self._hess_cross = np.zeros((n_samples, max(n_boundaries - 1, 1)))
        self._init_constraints(n_samples, n_boundaries)

    def linear_predictor(self, u, out):
        """eta = intercepts + z b_k, through the features with a non-zero weight only (an L1
        path has few)."""
        intercepts, coef, _ = self.split(u)
        out[...] = intercepts
        columns = np.flatnonzero(np.any(coef != 0.0, axis=0))
        if columns.size:
            weights = (coef[:, columns] * self._inv_scale[columns]).T
            source = self.X if self._dense is None else self._dense
            out += source[:, columns] @ weights
        return out

    def _derivatives(self, eta):
        return _eta_derivatives(
            eta,
            self.y,
            self.sample_weight,
            self.multiplier,
            self.rho,
            self._grad_eta,
            self._hess_diag,
            self._hess_cross,
            self._chunk_sums,
            self.n_threads,
            self.link_code,
        )

    def _gradient_in_u(self, grad_eta):
        """Chain rule from the linear predictors to u: intercept k gets column k, psi_m gets
        the features times the sum of columns m, m + 1, ... (psi_m enters every later b_k)."""
        suffix = np.cumsum(grad_eta[:, ::-1], axis=1)[:, ::-1]
        source = self.X if self._dense is None else self._dense
        psi = np.asarray(source.T @ suffix) * self._inv_scale[:, None]
        return np.concatenate([grad_eta.sum(axis=0), psi.T.ravel()])

    def gradient_hessian(self, eta):
        """Loss and gradient in u (the Hessian in u is never formed: None)."""
        loss = self._derivatives(eta)
        return loss, self._gradient_in_u(self._grad_eta), None

    def _newton(self, alpha, u_start, tol, max_iter):
        """Proximal Newton iterations; status is "converged", "stalled" or "max_iter"."""
        l1, l2 = self.penalty_weights(alpha)
        l1_cd = np.where(self.fixed, np.inf, l1)
        u = self.initial() if u_start is None else np.array(u_start, dtype=np.float64)
        u[self.fixed] = 0.0
        loss = self.loss(u)
        if not np.isfinite(loss):
            u = self.initial()
            loss = self.loss(u)
        objective = loss + self._penalty(u, l1, l2)
        free = ~self.fixed
        for n_iter in range(1, max_iter + 1):
            eta = self.linear_predictor(u, self._eta)
            self._derivatives(eta)
            gradient = self._gradient_in_u(self._grad_eta)
            violation = self._optimality_violation(u, gradient, l1, l2)
            if violation <= tol:
                return u, n_iter, "converged"
            target = self._solve_model(u, gradient, l1, l1_cd, l2, free, violation)
            direction = target - u
            predicted = float(gradient @ direction) + self._penalty(target, l1, l2)
            predicted -= self._penalty(u, l1, l2)
            if not np.any(direction) or predicted >= 0.0:
                return u, n_iter, "converged"
            u, objective, status = self._line_search(u, direction, objective, predicted, l1, l2)
            if status is not None:
                return u, n_iter, status
        return u, max_iter, "max_iter"

    def _solve_model(self, u, gradient, l1, l1_cd, l2, free, violation):
        """Minimise the penalised quadratic model by coordinate descent over a growing active
        set; returns the minimiser."""
        n_boundaries = self.n_boundaries
        hess_diag, hess_cross = self._hess_diag, self._hess_cross
        # 1' H_i[m:, m:] 1 for every row and m: the model's curvature along psi_m.
        both = hess_diag.copy()
        if n_boundaries > 1:
            both[:, :-1] += 2.0 * hess_cross[:, : n_boundaries - 1]
        suffix_curv = np.ascontiguousarray(np.cumsum(both[:, ::-1], axis=1)[:, ::-1])
        intercept_curv = hess_diag.sum(axis=0)
        residual = self._grad_eta.copy()
        target = u.copy()
        smooth = gradient + l2 * u
        in_active = free & ((u != 0) | (l1 == 0) | (np.abs(smooth) > l1))
        inner_tol = max(1e-4 * violation * violation, 1e-300)
        sweeps = 0
        for _ in range(_MAX_ACTIVE_SET_ROUNDS):
            sweeps = _cd_wide(
                self.X.data,
                self._indices,
                self._indptr,
                self._inv_scale,
                hess_diag,
                hess_cross,
                suffix_curv,
                intercept_curv,
                residual,
                np.flatnonzero(in_active).astype(np.intp),
                l1_cd,
                l2,
                target,
                _MAX_CD_SWEEPS,
                inner_tol,
            )
            model_gradient = self._gradient_in_u(residual)
            # An inactive coordinate sits at 0; it joins when the model would move it.
            joining = free & ~in_active & (np.abs(model_gradient) > l1 * (1 + 1e-12))
            if not joining.any():
                break
            in_active |= joining
        if sweeps >= _MAX_CD_SWEEPS:
            # Only an ill-conditioned model needs the exact solve; elsewhere coordinate
            # descent reaches the inner tolerance in a few sweeps and the solve costs more
            # (also under the augmented Lagrangian terms: measured, the solve doubled the time
            # of a constrained path at n = 300, p = 1000).
            self._polish(target, u, gradient, l1, l2)
        return target

    def _polish(self, target, u, gradient, l1, l2):
        """The dense solver's exact solve on the support, with the support's Hessian built
        from its columns (coordinate descent alone crawls when the model is ill
        conditioned). Skipped for supports too large to factorise."""
        support = (target != 0) & ~self.fixed
        involved = np.flatnonzero(support | ((u != 0) & ~self.fixed))
        if not support.any() or involved.size > _MAX_POLISH:
            return
        design = self._design(involved)
        hessian = (design.T @ (self._eta_hessian() @ design)).toarray()
        on_support = support[involved]
        columns = involved[on_support]
        signs = np.sign(target[columns])
        rhs = hessian[on_support] @ u[involved] - gradient[columns] - l1[columns] * signs
        system = hessian[np.ix_(on_support, on_support)] + np.diag(l2[columns])
        try:
            solution = np.linalg.solve(system, rhs)
        except np.linalg.LinAlgError:
            return
        penalised = l1[columns] > 0
        if np.all(np.isfinite(solution)) and np.all(
            np.sign(solution[penalised]) == signs[penalised]
        ):
            target[columns] = solution

    def _design(self, coordinates):
        """d eta / d u for these coordinates: rows (sample, boundary), sparse."""
        n_samples, n_boundaries = self._eta.shape
        rows, cols, vals = [], [], []
        for col, q in enumerate(coordinates):
            if q < n_boundaries:
                rows.append(np.arange(n_samples) * n_boundaries + q)
                vals.append(np.ones(n_samples))
                cols.append(np.full(n_samples, col))
                continue
            m, j = divmod(q - n_boundaries, self.n_features)
            start, stop = self._indptr[j], self._indptr[j + 1]
            samples = self._indices[start:stop]
            values = self.X.data[start:stop] * self._inv_scale[j]
            for k in range(m, n_boundaries):
                rows.append(samples * n_boundaries + k)
                vals.append(values)
                cols.append(np.full(samples.size, col))
        return sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n_samples * n_boundaries, len(coordinates)),
        )

    def _eta_hessian(self):
        """The block-tridiagonal Hessian in all linear predictors, sparse."""
        n_samples, n_boundaries = self._eta.shape
        size = n_samples * n_boundaries
        off = np.zeros((n_samples, n_boundaries))
        if n_boundaries > 1:
            off[:, :-1] = self._hess_cross[:, : n_boundaries - 1]
        off = off.ravel()[:-1]
        return sp.diags([off, self._hess_diag.ravel(), off], [-1, 0, 1], shape=(size, size))
