"""``python -m skselect``: what this installation is and which estimators it provides.

Later releases turn this into a tour that runs every estimator on small real datasets.
"""

import argparse
import sys


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m skselect",
        description=(
            "Show the skselect version, how it was built (OpenMP, threads) and the "
            "estimators it provides."
        ),
    )
    parser.add_argument(
        "--versions",
        action="store_true",
        help="also print the versions of the dependencies",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)

    import skselect
    from skselect.utils import all_estimators
    from skselect.utils._show_versions import _build_info, show_versions

    if args.versions:
        show_versions()
    else:
        build = _build_info()
        print(f"skselect {skselect.__version__}")
        print(
            "build: "
            + ("OpenMP" if build["openmp"] else "serial (no OpenMP)")
            + f", {build['effective_n_threads']} thread(s)"
        )

    estimators = all_estimators()
    print(f"\nestimators available: {len(estimators)}")
    if estimators:
        width = max(len(name) for name, _ in estimators)
        for name, cls in estimators:
            public_module = cls.__module__.rsplit("._", 1)[0]
            print(f"  {name:<{width}}  {public_module}")
    else:
        print("  (none yet: the estimator subpackages are still being written)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
