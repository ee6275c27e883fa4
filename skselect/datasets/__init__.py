"""Small real datasets shipped inside the package (no network access needed)."""

from skselect.datasets._pima import load_pima

__all__ = ["load_pima"]
