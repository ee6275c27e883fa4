"""Small real datasets shipped inside the package (no network access needed)."""

__all__ = []
