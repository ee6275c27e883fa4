"""``python -m skselect``: the tour, or what this installation is (``--info``)."""

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import sys


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m skselect",
        description=(
            "A tour of skselect: every estimator on small real datasets, inside scikit-learn "
            "and imbalanced-learn pipelines, one table each. Needs no network."
        ),
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="STEP",
        help="run only this step (repeatable); see --list for the names",
    )
    parser.add_argument("--list", action="store_true", help="list the tour's steps and exit")
    parser.add_argument(
        "--quick", action="store_true", help="smaller settings: fewer folds and repetitions"
    )
    parser.add_argument(
        "--plots", metavar="DIR", help="also write each step's figure as a PNG into DIR"
    )
    parser.add_argument(
        "--info",
        action="store_true",
        help="print the version, the build (OpenMP, threads), the dependencies and the "
        "estimators available, and exit",
    )
    return parser.parse_args(argv)


def _print_info():
    import skselect
    from skselect.utils import all_estimators
    from skselect.utils._show_versions import show_versions

    show_versions()
    estimators = all_estimators()
    print(f"\nestimators available: {len(estimators)}")
    width = max((len(name) for name, _ in estimators), default=0)
    for name, cls in estimators:
        print(f"  {name:<{width}}  {cls.__module__.rsplit('._', 1)[0]}")
    return skselect


def main(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    if args.info:
        _print_info()
        return 0
    from skselect import _tour
    from skselect._tour_steps import STEPS

    keys = [key for key, _, _ in STEPS]
    if args.list:
        for key, title, _ in STEPS:
            print(f"{key:<12} {title}")
        return 0
    if args.only:
        unknown = sorted(set(args.only) - set(keys))
        if unknown:
            print(
                f"python -m skselect: unknown step(s) {unknown}; choose among {keys}",
                file=sys.stderr,
            )
            return 2

    if args.plots:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print(
                "python -m skselect: --plots needs matplotlib (pip install matplotlib, or the "
                "'doc' extra)",
                file=sys.stderr,
            )
            return 2

    import skselect
    from skselect.utils import all_estimators
    from skselect.utils._show_versions import _build_info

    build = _build_info()
    print(
        f"skselect {skselect.__version__} ("
        + ("OpenMP" if build["openmp"] else "serial build, no OpenMP")
        + f", {build['effective_n_threads']} thread(s))"
    )
    names = [name for name, _ in all_estimators()]
    print(f"estimators available: {', '.join(names) if names else 'none yet'}")
    return _tour.run_tour(STEPS, only=args.only, quick=args.quick, plots_dir=args.plots)


if __name__ == "__main__":
    sys.exit(main())
