"""Small real datasets shipped inside the package (no network access needed)."""

from skselect.datasets._wine_quality import load_wine_quality

__all__ = ["load_wine_quality"]
