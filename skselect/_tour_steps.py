"""The steps of ``python -m skselect``, one per estimator family (see skselect._tour)."""

from skselect._tour import NotAvailable, StepResult, register  # noqa: F401


def _require(module_name, *names):
    """Import and return ``names`` from ``module_name`` or raise NotAvailable."""
    import importlib

    module = importlib.import_module(module_name)
    missing = [name for name in names if not hasattr(module, name)]
    if missing:
        raise NotAvailable(f"{module_name} does not provide {', '.join(missing)} yet")
    return [getattr(module, name) for name in names]
