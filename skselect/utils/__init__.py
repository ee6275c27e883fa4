"""Utilities: estimator discovery, thread helpers and build information."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

from skselect.utils.discovery import all_estimators

__all__ = ["all_estimators"]
