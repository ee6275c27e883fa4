"""Cumulative links: the CDF F of ``P(y <= c_k | x) = F(eta_k)`` and its inverse.

The compiled kernel (``_presto_fast.pyx``) evaluates the log-likelihood and its derivatives
for the same links, by code; this module gives the probabilities that prediction needs and
the quantiles that start the solver.
"""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.special import expit, ndtr, ndtri

# The order is the kernel's link code.
LINKS = ("logit", "probit", "cloglog", "loglog", "cauchit")


def link_code(link):
    return LINKS.index(link)


def cdf(eta, link):
    """F(eta), elementwise, in float64."""
    eta = np.asarray(eta, dtype=np.float64)
    if link == "logit":
        return expit(eta)
    if link == "probit":
        return ndtr(eta)
    with np.errstate(over="ignore"):
        if link == "cloglog":  # the Gumbel distribution of minima
            return -np.expm1(-np.exp(eta))
        if link == "loglog":  # the Gumbel distribution of maxima
            return np.exp(-np.exp(-eta))
    if link == "cauchit":
        return np.arctan2(1.0, -eta) / np.pi
    raise ValueError(f"link must be one of {list(LINKS)}; got {link!r}.")


def quantile(p, link):
    """F^-1(p) for p in (0, 1)."""
    p = np.asarray(p, dtype=np.float64)
    if link == "logit":
        return np.log(p / (1 - p))
    if link == "probit":
        return ndtri(p)
    if link == "cloglog":
        return np.log(-np.log1p(-p))
    if link == "loglog":
        return -np.log(-np.log(p))
    if link == "cauchit":
        return np.tan(np.pi * (p - 0.5))
    raise ValueError(f"link must be one of {list(LINKS)}; got {link!r}.")
